"""Her completion statement: the facts of one relationship, from her journal, and no text.

The relationship is the one she names, else her current one, else her latest. It runs from its
start to the day it ended, or the day before its agreed months ran out, or today, whichever comes
first; its months, minutes and meetings are the rhythm's (projections/rhythm.py), and its goals
achieved are those marked achieved on a day within it. The bytes that are signed, and the id,
are journal/completion.py's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain import clock
from projections.rhythm import Rhythm, last_day, rhythms


class NoRelationship(Exception):
    pass


def chosen(found: list[Rhythm], mentor_fingerprint: str | None) -> Rhythm:
    if mentor_fingerprint is not None:
        mine = [r for r in found if r.relationship.fingerprint == mentor_fingerprint]
        if not mine:
            raise NoRelationship("you have no relationship with that mentor (`mj mentors`)")
        return mine[-1]
    current = [r for r in found if r.relationship.ended is None]
    if len(current) > 1:
        raise NoRelationship("you have more than one current mentor: say which with --with")
    if not found:
        raise NoRelationship("you have no relationship to complete: `mj mentor add WHO` records one")
    return current[0] if current else found[-1]


def statement(entries: list[Any], today: date, mentee: tuple[str, str],
              mentor_fingerprint: str | None = None) -> dict[str, Any]:
    """The statement for `mentee` (name, fingerprint) as of `today`."""
    rhythm = chosen(rhythms(entries, today), mentor_fingerprint)
    r = rhythm.relationship
    if not rhythm.months:
        raise NoRelationship(f"your relationship with {r.name} has not started yet (it starts {r.start})")
    last = last_day(r, today)
    achieved = sum(1 for e in entries if e.kind == "achieved" and r.start <= clock.local_day(e.at) <= last)
    return {"format": "mentoring-journal/completion", "version": 1,
            "mentee": {"name": mentee[0], "fingerprint": mentee[1]},
            "mentor": {"name": r.name, "fingerprint": r.fingerprint},
            "from": r.start.isoformat(), "to": last.isoformat(), "agreed_months": r.months, "norm_minutes": r.norm,
            "months": len(rhythm.months), "months_meeting_norm": rhythm.months_met,
            "meetings": sum(m.meetings for m in rhythm.months), "minutes": sum(m.minutes for m in rhythm.months),
            "goals_achieved": achieved}


def facts(s: dict[str, Any]) -> list[str]:
    """The statement as lines of text (names unescaped: the caller neutralises them)."""
    return [f"Mentee: {s['mentee']['name']} ({s['mentee']['fingerprint']})",
            f"Mentor: {s['mentor']['name']} ({s['mentor']['fingerprint']})",
            f"From {s['from']} to {s['to']}: {s['agreed_months']} months agreed, {s['norm_minutes']} minutes a month",
            f"Months: {s['months']}, {s['months_meeting_norm']} meeting the norm",
            f"Meetings: {s['meetings']}, {s['minutes']} minutes in all",
            f"Goals achieved: {s['goals_achieved']}"]
