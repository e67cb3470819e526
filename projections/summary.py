"""The period summary: the view a mentee previews, and may later release to a mentor."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from domain import clock
from projections.model import JournalModel
from projections.progress import _jsonable, trend


@dataclass(frozen=True)
class SummaryView:
    start: date
    end: date
    goal: str | None
    checkins: int
    mood: list[tuple[date, int]]
    mood_trend: str
    confidence: list[tuple[date, int]]
    confidence_trend: str
    meetings: list[dict[str, Any]]
    concerns: list[str]
    open_actions: list[dict[str, Any]]
    goals_progressed: list[dict[str, Any]]
    milestones_reached: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def summary(model: JournalModel, start: date, end: date, goal_id: str | None = None) -> SummaryView:
    """What happened from `start` to `end` inclusive (local days). With a goal, only that goal's
    story. A goal is listed when it moved, closed, or had a milestone reached in the period; each
    meeting carries its own concerns and each milestone its goal's id."""
    within = lambda moment: moment is not None and start <= clock.local_day(moment) <= end  # noqa: E731
    entries = [e for e in model.entries if within(e.at)]
    checkins = [e for e in entries if e.kind == "checkin"] if goal_id is None else []
    meetings = [e for e in entries if e.kind == "meeting"] if goal_id is None else []
    goals = [g for g in model.goals.values() if goal_id in (None, g.id)]
    wins = [m for m in model.milestones.values() if within(m.reached) and m.goal_id in {g.id for g in goals}]
    progressed = []
    for goal in goals:
        history = sorted(goal.progress)
        if any(within(at) for at, _ in history) or within(goal.closed_at) or any(m.goal_id == goal.id for m in wins):
            before = [v for at, v in history if clock.local_day(at) < start]
            upto = [v for at, v in history if clock.local_day(at) <= end]
            progressed.append({"id": goal.id, "text": goal.text, "measure": goal.measure, "target": goal.target,
                               "from": before[-1] if before else None, "to": upto[-1] if upto else None,
                               "status": goal.status})
    reached = [{"id": m.id, "goal_id": m.goal_id, "text": m.text, "goal": model.goals[m.goal_id].text,
                "reached": clock.local_day(m.reached), "evidence": m.evidence} for m in wins]
    open_actions = [{"id": a_id, "text": a["text"], "agreed": clock.local_day(a["agreed"])}
                    for a_id, a in model.actions.items()
                    if clock.local_day(a["agreed"]) <= end and (a["done"] is None or clock.local_day(a["done"]) > end)]
    mood = [(clock.local_day(e.at), e.fields["mood"]) for e in checkins if e.fields.get("mood")]
    confidence = [(clock.local_day(e.at), e.fields["confidence"]) for e in checkins if e.fields.get("confidence")]
    return SummaryView(
        start, end, goal_id, len(checkins), mood, trend([v for _, v in mood]), confidence,
        trend([v for _, v in confidence]),
        [{"at": clock.local_day(m.at), "minutes": m.fields["minutes"], "focus": m.fields["focus"],
          "next_focus": m.fields.get("next_focus"), "concerns": list(m.fields["concerns"])} for m in meetings],
        [c for m in meetings for c in m.fields["concerns"]],
        open_actions if goal_id is None else [], progressed, sorted(reached, key=lambda r: r["reached"]))
