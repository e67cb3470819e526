"""Aspiration versus progress: each aspiration's goals, how far along they are, and a verdict.

Verdicts, checked in this order:
  achieved        the goal was marked achieved
  dropped         the goal was dropped
  target reached  the done-fraction is 1, but the goal is still open (`mj goal achieve` closes it)
  behind          past its due date
  stalled         nothing happened on it (set, progress, milestone reached) for 21 days
  not started     no progress and no milestone reached yet
  behind          done-fraction more than 10 points under time-fraction
  on track        otherwise
The done-fraction is value/target when there is a target, else milestones reached/total.
Time is counted to today for an open goal and to the day it closed for a closed one, so a goal
achieved before its due date has days left, never days late. Days are local days (domain.clock).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain import clock
from projections.model import Goal, JournalModel

STALLED_AFTER = timedelta(days=21)
TOLERANCE = 0.10


@dataclass(frozen=True)
class GoalLine:
    id: str
    text: str
    measure: str
    status: str
    value: float | None
    target: float | None
    milestones_reached: int
    milestones_total: int
    set_on: date
    due: date
    closed_on: date | None
    days_elapsed: int
    days_left: int
    done_fraction: float | None
    time_fraction: float
    last_activity: date
    verdict: str


@dataclass(frozen=True)
class AspirationLine:
    id: str | None
    text: str
    horizon: date | None
    goals: list[GoalLine]


@dataclass(frozen=True)
class ProgressView:
    today: date
    aspirations: list[AspirationLine]
    unlinked: list[GoalLine]
    confidence: list[tuple[date, float]]
    confidence_trend: str
    small_wins: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def goal_line(model: JournalModel, goal: Goal, today: date) -> GoalLine:
    milestones = [model.milestones[m] for m in goal.milestones if m in model.milestones]
    reached = sum(1 for m in milestones if m.reached)
    set_on = clock.local_day(goal.set_at)
    closed_on = clock.local_day(goal.closed_at) if goal.closed_at else None
    until = closed_on or today  # a closed goal's clock stopped on the day it closed
    span = max((goal.due - set_on).days, 1)
    elapsed = max((until - set_on).days, 0)
    time_fraction = min(elapsed / span, 1.0)
    if goal.target:
        done = min((goal.value or 0) / goal.target, 1.0)
    elif milestones:
        done = reached / len(milestones)
    else:
        done = None
    last = clock.local_day(model.last_activity(goal))
    return GoalLine(goal.id, goal.text, goal.measure, goal.status, goal.value, goal.target, reached,
                    len(milestones), set_on, goal.due, closed_on, elapsed, (goal.due - until).days, done,
                    time_fraction, last, verdict(goal.status, last, today, goal.due,
                                                 bool(goal.progress) or reached > 0, done, time_fraction))


def verdict(status: str, last_activity: date, today: date, due: date, started: bool,
            done: float | None, time_fraction: float) -> str:
    if status in ("achieved", "dropped"):
        return status
    if done is not None and done >= 1:
        return "target reached"
    if today > due:
        return "behind"  # past due says more than stalled: the date, not the pace, is the problem
    if today - last_activity >= STALLED_AFTER:
        return "stalled"
    if not started:
        return "not started"
    if done is not None and done < time_fraction - TOLERANCE:
        return "behind"
    return "on track"


def progress_view(model: JournalModel, today: date) -> ProgressView:
    lines = {g.id: goal_line(model, g, today) for g in model.goals.values()}
    aspirations = [AspirationLine(a.id, a.text, a.horizon,
                                  [lines[g.id] for g in model.goals.values() if g.aspiration_id == a.id])
                   for a in model.aspirations.values()]
    unlinked = [lines[g.id] for g in model.goals.values() if g.aspiration_id not in model.aspirations]
    series = confidence_series(model.entries)
    wins = sorted((m for m in model.milestones.values() if m.reached), key=lambda m: m.reached, reverse=True)
    small_wins = [{"id": m.id, "text": m.text, "goal": model.goals[m.goal_id].text,
                   "reached": clock.local_day(m.reached), "evidence": m.evidence} for m in wins[:5]]
    return ProgressView(today, aspirations, unlinked, series, trend([v for _, v in series]), small_wins)


def confidence_series(entries: list[Any]) -> list[tuple[date, float]]:
    """Confidence from check-ins, and the mean rating of each self-assessment, by day."""
    points = []
    for entry in entries:
        if entry.kind == "checkin" and entry.fields.get("confidence"):
            points.append((clock.local_day(entry.at), float(entry.fields["confidence"])))
        elif entry.kind == "assessment":
            ratings = entry.fields["ratings"].values()
            points.append((clock.local_day(entry.at), round(sum(ratings) / len(ratings), 2)))
    return sorted(points)


def trend(values: list[float]) -> str:
    """Rising, falling or steady: the later half's mean against the earlier half's."""
    if len(values) < 4:
        return "too few points"
    half = len(values) // 2
    change = sum(values[half:]) / len(values[half:]) - sum(values[:half]) / half
    return "rising" if change >= 0.25 else "falling" if change <= -0.25 else "steady"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
