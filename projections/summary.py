"""The period summary: the view a mentee previews, and may later release to a mentor."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

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
    """What happened from `start` to `end` inclusive. With a goal, only that goal's story."""
    within = lambda moment: moment is not None and start <= moment.astimezone().date() <= end  # noqa: E731
    entries = [e for e in model.entries if within(e.at)]
    checkins = [e for e in entries if e.kind == "checkin"] if goal_id is None else []
    meetings = [e for e in entries if e.kind == "meeting"] if goal_id is None else []
    goals = [g for g in model.goals.values() if goal_id in (None, g.id)]
    progressed = []
    for goal in goals:
        moves = sorted((at, v) for at, v in goal.progress if within(at))
        if moves or within(goal.closed_at):
            before = [v for at, v in sorted(goal.progress) if at.astimezone().date() < start]
            progressed.append({"id": goal.id, "text": goal.text, "measure": goal.measure, "target": goal.target,
                               "from": before[-1] if before else None, "to": moves[-1][1] if moves else goal.value,
                               "status": goal.status})
    reached = [{"id": m.id, "text": m.text, "goal": model.goals[m.goal_id].text, "reached": m.reached.date(),
                "evidence": m.evidence}
               for m in model.milestones.values() if within(m.reached) and m.goal_id in {g.id for g in goals}]
    open_actions = [{"id": a_id, "text": a["text"], "agreed": a["agreed"].date()}
                    for a_id, a in model.actions.items()
                    if a["agreed"].astimezone().date() <= end and (a["done"] is None or not a["done"].astimezone().date() <= end)]
    mood = [(e.at.astimezone().date(), e.fields["mood"]) for e in checkins if e.fields.get("mood")]
    confidence = [(e.at.astimezone().date(), e.fields["confidence"]) for e in checkins if e.fields.get("confidence")]
    return SummaryView(
        start, end, goal_id, len(checkins), mood, trend([v for _, v in mood]), confidence,
        trend([v for _, v in confidence]),
        [{"at": m.at.astimezone().date(), "minutes": m.fields["minutes"], "focus": m.fields["focus"],
          "next_focus": m.fields.get("next_focus")} for m in meetings],
        [c for m in meetings for c in m.fields["concerns"]],
        open_actions if goal_id is None else [], progressed, sorted(reached, key=lambda r: r["reached"]))
