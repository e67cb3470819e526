"""Her relationships with mentors, from her journal's `mentor` and `mentor-ended` records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain import clock


@dataclass(frozen=True)
class Relationship:
    name: str
    fingerprint: str
    start: date
    months: int
    norm: int
    ended: date | None
    reason: str | None
    agreed_id: str

    @property
    def end(self) -> date:
        """The day the agreed months run out."""
        return clock.add_months(self.start, self.months)

    @property
    def months_left(self) -> int:
        """Whole calendar months from this month to the agreed end (0 once it has passed)."""
        today = clock.today()
        left = (self.end.year - today.year) * 12 + self.end.month - today.month
        return max(0, left)

    def as_json(self) -> dict[str, Any]:
        return {"mentor": self.name, "mentor_fingerprint": self.fingerprint, "start": self.start.isoformat(),
                "months": self.months, "norm": self.norm, "end": self.end.isoformat(),
                "ended": self.ended.isoformat() if self.ended else None, "reason": self.reason,
                "current": self.ended is None, "months_left": None if self.ended else self.months_left,
                "agreement": self.agreed_id}


def relationships(history: list[Any]) -> list[Relationship]:
    """Every relationship, oldest first; a mentor agreed with twice (after an end) is two."""
    found: list[Relationship] = []
    open_by_mentor: dict[str, int] = {}
    for e in history:
        f = e.fields
        if e.kind == "mentor":
            open_by_mentor[f["mentor_fingerprint"]] = len(found)
            found.append(Relationship(f["mentor_name"], f["mentor_fingerprint"], date.fromisoformat(f["start"]),
                                      f["months"], f["norm"], None, None, e.id))
        elif e.kind == "mentor-ended" and f["mentor_fingerprint"] in open_by_mentor:
            index = open_by_mentor.pop(f["mentor_fingerprint"])
            r = found[index]
            found[index] = Relationship(r.name, r.fingerprint, r.start, r.months, r.norm, clock.local_day(e.at),
                                        f.get("reason"), r.agreed_id)
    return found


MENTEES_AT_A_TIME = 2  # "no more than two mentees at a time", as one handbook asks


@dataclass(frozen=True)
class Mentee:
    name: str
    fingerprint: str
    start: str
    months: int
    norm: int

    def as_json(self) -> dict[str, Any]:
        return {"mentee": self.name, "mentee_fingerprint": self.fingerprint, "start": self.start,
                "months": self.months, "norm": self.norm}


def current_mentees(released: list[Any], me: str) -> list[Mentee]:
    """A mentor's current mentees: the mentees whose agreement with her (released to her when they
    added her, revoked when they ended it) she can still open; one per mentee, her latest."""
    found: dict[str, Mentee] = {}
    for r in released:
        f = r.entry.fields
        if r.entry.kind == "mentor" and f.get("mentor_fingerprint") == me:
            found[r.mentee_fingerprint] = Mentee(r.mentee, r.mentee_fingerprint, f["start"], f["months"], f["norm"])
    return sorted(found.values(), key=lambda m: (m.start, m.name.casefold()))


def too_many(mentees: list[Mentee]) -> str | None:
    if len(mentees) <= MENTEES_AT_A_TIME:
        return None
    return (f"you mentor {len(mentees)} people at once; the programme handbooks ask for no more than "
            f"{MENTEES_AT_A_TIME} at a time")
