"""The progress timeline: every live record in time order, grouped by ISO week or by month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import clock
from projections.entries import EntryFilter
from projections.model import JournalModel

MARKS = {"progress": "▲", "achieved": "★", "reached": "◆", "milestone": "◇", "goal": "●",
         "dropped": "✕", "meeting": "◎", "checkin": "·", "aspiration": "☆", "done": "✓",
         "feedback": "✎", "assessment": "≡"}


@dataclass(frozen=True)
class TimelinePeriod:
    label: str
    entries: list[Any]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
        return counts


def period_of(entry: Any, by: str) -> str:
    day = clock.local_day(entry.at)
    if by == "month":
        return clock.month_of_day(day)
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def describe(entry: Any, model: JournalModel) -> str:
    """The entry's title, with goal and milestone ids replaced by what they name."""
    f = entry.fields
    goal = model.goals.get(f.get("goal_id", ""))
    if entry.kind == "progress" and goal:
        target = f" of {goal.target:g}" if goal.target else ""
        return f"{goal.text}: {f['value']:g}{target} {goal.measure}"
    if entry.kind in ("achieved", "dropped") and goal:
        return f"{goal.text} — {entry.kind}" + (f": {f['reason']}" if f.get("reason") else "")
    if entry.kind == "milestone" and goal:
        return f"{f['text']} (for: {goal.text})"
    milestone = model.milestones.get(f.get("milestone_id", ""))
    if entry.kind == "reached" and milestone:
        return f"Milestone reached: {milestone.text}"
    action = model.actions.get(f.get("action_id", ""))
    if entry.kind == "done" and action:
        return f"Done: {action['text']}"
    return entry.title


def timeline(model: JournalModel, selection: EntryFilter, by: str = "week") -> list[TimelinePeriod]:
    periods: dict[str, list[Any]] = {}
    for entry in selection.apply(list(model.live.values())):
        periods.setdefault(period_of(entry, by), []).append(entry)
    return [TimelinePeriod(label, entries) for label, entries in periods.items()]


def timeline_json(periods: list[TimelinePeriod], model: JournalModel) -> list[dict[str, Any]]:
    return [{"period": p.label, "counts": p.counts(),
             "entries": [{**e.as_json(), "mark": MARKS.get(e.kind, "·"), "description": describe(e, model)}
                         for e in p.entries]}
            for p in periods]
