"""The journal read model: goals, milestones, meetings and check-ins folded from entry views.

Appends fold in O(1). A retraction or an amendment can touch anything folded before it, so it
marks the model for a rebuild from the live entries it keeps (rare, and still linear). Views are
derived from the model on demand, so "incremental" and "from scratch" meet at `state()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class Milestone:
    id: str
    goal_id: str
    text: str
    due: date | None
    added: datetime
    reached: datetime | None = None
    evidence: str | None = None


@dataclass
class Goal:
    id: str
    text: str
    measure: str
    target: float | None
    due: date
    aspiration_id: str | None
    set_at: datetime
    status: str = "open"
    closed_at: datetime | None = None
    progress: list[tuple[datetime, float]] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return max(self.progress)[1] if self.progress else None


@dataclass
class Aspiration:
    id: str
    text: str
    why: str | None
    horizon: date | None
    stated: datetime


class JournalModel:
    def __init__(self) -> None:
        self.live: dict[str, Any] = {}  # entry id -> EntryView, in the order written
        self._reset()

    def _reset(self) -> None:
        self.aspirations: dict[str, Aspiration] = {}
        self.goals: dict[str, Goal] = {}
        self.milestones: dict[str, Milestone] = {}
        self.actions: dict[str, dict[str, Any]] = {}
        self.entries: list[Any] = []

    @classmethod
    def build(cls, history: list[Any]) -> JournalModel:
        model = cls()
        for entry in history:
            model.apply(entry)
        return model

    def apply(self, entry: Any) -> None:
        if entry.kind in ("retraction", "amendment"):
            target = entry.fields["target_id"]
            if target in self.live:
                if entry.kind == "retraction":
                    del self.live[target]
                else:
                    from journal.versions import as_version

                    self.live[target] = as_version(self.live[target], entry)
                self._reset()
                for live in self.live.values():
                    self._fold(live)
            return
        self.live[entry.id] = entry
        self._fold(entry)

    def _fold(self, entry: Any) -> None:
        f, at = entry.fields, entry.at
        self.entries.append(entry)
        if entry.kind == "aspiration":
            self.aspirations[entry.id] = Aspiration(entry.id, f["text"], f.get("why"),
                                                    _day(f.get("horizon")), at)
        elif entry.kind == "goal":
            self.goals[entry.id] = Goal(entry.id, f["text"], f["measure"], f.get("target"), _day(f["due"]),
                                        f.get("aspiration_id"), at)
        elif entry.kind == "progress" and f["goal_id"] in self.goals:
            self.goals[f["goal_id"]].progress.append((at, f["value"]))
        elif entry.kind in ("achieved", "dropped") and f["goal_id"] in self.goals:
            goal = self.goals[f["goal_id"]]
            goal.status, goal.closed_at = entry.kind, at
        elif entry.kind == "milestone" and f["goal_id"] in self.goals:
            self.milestones[entry.id] = Milestone(entry.id, f["goal_id"], f["text"], _day(f.get("due")), at)
            self.goals[f["goal_id"]].milestones.append(entry.id)
        elif entry.kind == "reached" and f["milestone_id"] in self.milestones:
            milestone = self.milestones[f["milestone_id"]]
            milestone.reached, milestone.evidence = at, f.get("evidence")
        elif entry.kind == "meeting":
            for action in f["actions"]:
                self.actions[action["id"]] = {"text": action["text"], "meeting": entry.id, "agreed": at,
                                              "done": None}
        elif entry.kind == "done" and f["action_id"] in self.actions:
            self.actions[f["action_id"]]["done"] = at

    def state(self) -> dict[str, Any]:
        """Everything the views are derived from, comparable for equality."""
        return {"aspirations": self.aspirations, "goals": self.goals, "milestones": self.milestones,
                "actions": self.actions, "entries": [e.id for e in self.entries]}

    def last_activity(self, goal: Goal) -> datetime:
        """The latest of: set, progressed, milestone reached, achieved or dropped."""
        moments = [goal.set_at, *(at for at, _ in goal.progress), *([goal.closed_at] if goal.closed_at else [])]
        moments += [m.reached for m in map(self.milestones.get, goal.milestones) if m and m.reached]
        return max(moments)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def load_model(app: Any) -> JournalModel:
    """The read model of the app's journal, folded from its full history."""
    return JournalModel.build(app.history())
