"""The rhythm of each relationship: per calendar month from its start, the minutes met against the
agreed norm, and whether this month still lacks a meeting past its middle.

A meeting counts for the relationship with the mentor it names (meetings logged since meetings
name one); one logged before that counts for the relationship current on its day, if exactly one
was. Months run from the relationship's start month to the month it ended, or its agreed last
month, or this month, whichever comes first. Local days and calendar months (domain.clock).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain import clock
from projections.relationships import Relationship, relationships

RELATIONSHIP_KINDS = frozenset({"mentor", "mentor-ended"})  # what `relationships` reads


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    minutes: int
    meetings: int
    norm: int
    current: bool  # this month: still running

    @property
    def status(self) -> str:
        if self.minutes >= self.norm and self.meetings:
            return "met"
        if self.current:
            return "so far"
        return "no meeting" if not self.meetings else "short"

    def as_json(self) -> dict[str, Any]:
        return {"month": self.month, "minutes": self.minutes, "meetings": self.meetings, "norm": self.norm,
                "status": self.status}


@dataclass(frozen=True)
class Rhythm:
    relationship: Relationship
    months: list[Month]

    @property
    def months_met(self) -> int:
        return sum(1 for m in self.months if m.status == "met")

    @property
    def months_without(self) -> list[str]:
        return [m.month for m in self.months if m.status == "no meeting"]

    def as_json(self) -> dict[str, Any]:
        return {**self.relationship.as_json(), "months_met": self.months_met, "months_without": self.months_without,
                "rhythm": [m.as_json() for m in self.months]}


def last_day(r: Relationship, today: date) -> date:
    return min(r.ended or today, r.end - timedelta(days=1), today)


def rhythms(entries: list[Any], today: date) -> list[Rhythm]:
    found = relationships(entries)
    minutes: dict[tuple[int, str], list[int]] = {}
    for e in entries:
        if e.kind != "meeting":
            continue
        day = clock.local_day(e.at)
        index = _relationship_of(found, e.fields.get("mentor_fingerprint"), day, today)
        if index is not None:
            minutes.setdefault((index, clock.month_of_day(day)), []).append(int(e.fields["minutes"]))
    result = []
    this_month = clock.month_of_day(today)
    for index, r in enumerate(found):
        last = last_day(r, today)
        months = clock.months_from(clock.month_of_day(r.start), clock.shift_month(clock.month_of_day(last), 1)) \
            if last >= r.start else []
        result.append(Rhythm(r, [Month(m, sum(minutes.get((index, m), [])), len(minutes.get((index, m), [])), r.norm,
                                       m == this_month and r.ended is None) for m in months]))
    return result


def _relationship_of(found: list[Relationship], mentor: str | None, day: date, today: date) -> int | None:
    covering = [i for i, r in enumerate(found) if r.start <= day <= last_day(r, today)
                and (mentor is None or r.fingerprint == mentor)]
    return covering[-1] if mentor is not None and covering else covering[0] if len(covering) == 1 else None


def nudges(found: list[Rhythm], today: date) -> list[str]:
    """One line per current relationship whose month is past its middle without a meeting."""
    days = calendar.monthrange(today.year, today.month)[1]
    if today.day <= days / 2:
        return []
    lines = []
    for rhythm in found:
        r = rhythm.relationship
        month = rhythm.months[-1] if rhythm.months else None
        if r.ended is None and month is not None and month.current and month.meetings == 0 and r.norm > 0:
            lines.append(f"No meeting with {r.name} in {today:%B} yet: 0 of {r.norm} minutes")
    return lines


def nudge_question(today: date) -> Any:
    """What `nudges` needs of her journal (journal/view_select.py): her relationships, and this
    month's meetings. Pages are picked by their days with a day of slack either side, as
    projections/entries.py does."""
    from journal.view_select import Question

    first = today.replace(day=1)
    since = first - timedelta(days=1)

    def may_hold(page: Any) -> bool:
        return bool(RELATIONSHIP_KINDS & page.kinds) or ("meeting" in page.kinds
                                                         and clock.local_day(page.last_at) >= since)

    def keep(entry: Any) -> bool:
        return entry.kind in RELATIONSHIP_KINDS or entry.kind == "meeting" and clock.local_day(entry.at) >= first

    return Question(may_hold, keep, list)
