"""The agenda for the next meeting, in the handbooks' order: the incidental concerns noted since
(open until a meeting takes them up), the focus agreed last time, the open action items, and the
goals that are behind or stalled."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.model import JournalModel
from projections.progress import goal_line

NEEDS_ATTENTION = ("behind", "stalled")


def open_concerns(entries: list[Any]) -> list[Any]:
    """Concern records no meeting has taken up yet, oldest first."""
    discussed = {d for e in entries if e.kind == "meeting" for d in e.fields.get("discussed") or ()}
    return [e for e in entries if e.kind == "concern" and e.id not in discussed]


def last_next_focus(entries: list[Any]) -> str | None:
    """The next focus agreed at the latest meeting (by when it took place), if one was."""
    meetings = sorted((e for e in entries if e.kind == "meeting"), key=lambda e: e.at)
    return meetings[-1].fields.get("next_focus") if meetings else None


def agenda(model: JournalModel, today: date) -> dict[str, Any]:
    goals = [goal_line(model, g, today) for g in model.goals.values() if g.status == "open"]
    return {
        "concerns": [{"id": e.id, "text": e.fields["text"], "noted": e.at.isoformat()}
                     for e in open_concerns(model.entries)],
        "focus": last_next_focus(model.entries),
        "actions": [{"id": i, "text": a["text"], "agreed": a["agreed"].isoformat()}
                    for i, a in model.actions.items() if a["done"] is None],
        "goals": [{"id": g.id, "text": g.text, "verdict": g.verdict, "due": g.due.isoformat()}
                  for g in goals if g.verdict in NEEDS_ATTENTION],
    }


def as_lines(view: dict[str, Any]) -> list[str]:
    """The agenda as plain text, one item a line, in the handbooks' order."""
    def part(title: str, items: list[str], empty: str) -> list[str]:
        return [f"{title}:"] + [f"  - {item}" for item in items] if items else [f"{title}: {empty}"]

    return [*part("Incidental concerns since last time", [c["text"] for c in view["concerns"]], "none noted"),
            f"Main focus, agreed last time: {view['focus'] or 'none agreed'}",
            *part("Open action items", [f"[{a['id'][:8]}] {a['text']}" for a in view["actions"]], "none"),
            *part("Goals behind or stalled", [f"{g['text']} ({g['verdict']}, due {g['due']})" for g in view["goals"]],
                  "none")]
