"""The mentoring relationship as the handbooks run it, kept in the mentee's journal: who her mentor
is, from when, for how many months, and the minutes a month they agreed to meet (the norm); and
when it ended, and why.

    MentorAgreed  (kind "mentor")        mentor_name, mentor_fingerprint, start, months, norm
    MentorEnded   (kind "mentor-ended")  mentor_name, mentor_fingerprint, reason

The aggregate keeps, per mentor fingerprint, only what its rules need: the start, the months, the
norm and the day it ended (`journal.mentors`). Ending a relationship revokes every live release to
that mentor and stops her feedback being imported, in the same transaction (journal/app.py runs
the verb with the grants it revokes).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import Field

from domain import clock
from domain.errors import RuleBroken
from domain.events import Fingerprint, JournalEvent, Line, RecordEvent

DEFAULT_MONTHS = 6  # the handbooks' "about six months"
DEFAULT_NORM = 60  # "at least an hour each month"
EARLIEST_START = date(1970, 1, 1)
START_AHEAD = timedelta(days=62)  # an agreement may start at the next month's beginning, not next year


class MentorAgreed(RecordEvent):
    """She and this mentor agreed to a relationship: from `start`, for `months`, meeting at least
    `norm` minutes a month."""

    kind: ClassVar[str] = "mentor"

    mentor_name: Line
    mentor_fingerprint: Fingerprint
    start: date
    months: Annotated[int, Field(ge=1, le=36)]
    norm: Annotated[int, Field(ge=0, le=24 * 60)]

    def apply(self, journal: Any) -> None:
        journal.mentors[self.mentor_fingerprint] = {"start": self.start.isoformat(), "months": self.months,
                                                    "norm": self.norm, "ended": None}


class MentorEnded(RecordEvent):
    """The relationship with this mentor ended (done, or a match that did not fit)."""

    kind: ClassVar[str] = "mentor-ended"

    mentor_name: Line
    mentor_fingerprint: Fingerprint
    reason: Line | None = None

    def apply(self, journal: Any) -> None:
        journal.mentors[self.mentor_fingerprint]["ended"] = clock.local_day(self.at).isoformat()


RELATIONSHIP_EVENTS: dict[str, type[JournalEvent]] = {cls.__name__: cls for cls in (MentorAgreed, MentorEnded)}


class RelationshipVerbs:
    """MenteeJournal's verbs for her relationships (mixed in; state set in its __init__)."""

    mentors: dict[str, dict[str, Any]]
    correspondents: dict[str, str]
    _record: Any
    _when: Any

    def current_mentors(self) -> list[str]:
        return [fp for fp, r in self.mentors.items() if r["ended"] is None]

    def add_mentor(self, fingerprint: str, name: str, *, start: date | None = None, months: int = DEFAULT_MONTHS,
                   norm: int = DEFAULT_NORM, at=None) -> str:
        """Records the agreement, and takes her feedback from now on (as for a mentor released to)."""
        when = self._when(at)
        start = start or clock.local_day(when)
        if fingerprint in self.current_mentors():
            raise RuleBroken(f"{name} is already your mentor (since {self.mentors[fingerprint]['start']}): "
                             "end it first (`mj mentor end`) to agree anew")
        if not EARLIEST_START <= start <= clock.local_day(when) + START_AHEAD:
            raise RuleBroken(f"a relationship starting {start} is too far from today ({clock.local_day(when)}): "
                             "give the day it started, or one within two months")
        agreed = self._record(MentorAgreed, when, mentor_name=name, mentor_fingerprint=fingerprint, start=start,
                              months=months, norm=norm)
        if self.correspondents.get(fingerprint) != "accepted":
            self.accept_correspondent(fingerprint)  # type: ignore[attr-defined]
        return agreed

    def end_mentor(self, fingerprint: str, name: str, *, reason: str | None = None, revoked: tuple[str, ...] = (),
                   at=None) -> str:
        """Records the end, revokes `revoked` (her live releases to this mentor, which the caller
        deletes in the same transaction) and stops her feedback."""
        if fingerprint not in self.mentors:
            raise RuleBroken(f"{name} is not your mentor: there is no relationship to end (see `mj mentors`)")
        relationship = self.mentors[fingerprint]
        if relationship["ended"] is not None:
            raise RuleBroken(f"your relationship with {name} already ended on {relationship['ended']}")
        when = self._when(at)
        if clock.local_day(when) < date.fromisoformat(relationship["start"]):
            raise RuleBroken(f"an end dated {clock.local_day(when)} is before the relationship began "
                             f"({relationship['start']})")
        for grant_id in revoked:
            self.revoke(grant_id)  # type: ignore[attr-defined]
        ended = self._record(MentorEnded, when, mentor_name=name, mentor_fingerprint=fingerprint, reason=reason)
        self.block_correspondent(fingerprint)  # type: ignore[attr-defined]
        return ended

    def receive_evaluation(self, *, message_id: str, from_name: str, from_fingerprint: str, ratings: dict[str, int],
                           note: str | None, sent_at, at=None, unverified: bool = False) -> str:
        """Her current mentor's evaluation becomes her record; anyone else's is refused."""
        from domain.sharing_events import EvaluationReceived

        if message_id in self.received:  # type: ignore[attr-defined]
            raise RuleBroken(f"evaluation {message_id[:8]} is already in this journal")
        if not unverified and from_fingerprint not in self.current_mentors():
            raise RuleBroken(f"{from_name} is not your mentor: an evaluation comes from the mentor you agreed with")
        return self._record(EvaluationReceived, at, message_id=message_id, from_name=from_name,
                            from_fingerprint=from_fingerprint, ratings=dict(ratings), note=note, sent_at=sent_at,
                            unverified=unverified)
