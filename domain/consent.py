"""Whom the mentee takes feedback from, and which inbox messages she refused: her own decisions,
kept in her journal so that they move with it. Fingerprints and message ids only, never texts.

These are journal events but not records she reads back (`mj entries` does not list them): they
change the aggregate's state, which `journal/inbox.py` reads.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, ValidationError

from domain.errors import RuleBroken
from domain.events import EntryId, Fingerprint, JournalEvent

REFUSED_PER_EVENT = 100


class CorrespondentAccepted(JournalEvent):
    """Feedback from this mentor's keys is imported (as for a mentor she released to)."""

    fingerprint: Fingerprint

    def apply(self, journal: Any) -> None:
        journal.correspondents[self.fingerprint] = "accepted"


class CorrespondentBlocked(JournalEvent):
    """Feedback from this mentor's keys is never opened, whatever she released to them."""

    fingerprint: Fingerprint

    def apply(self, journal: Any) -> None:
        journal.correspondents[self.fingerprint] = "blocked"


class FeedbackRefused(JournalEvent):
    """Inbox messages refused once (too large, forged, malformed): never fetched or opened again."""

    message_ids: Annotated[tuple[EntryId, ...], Field(min_length=1, max_length=REFUSED_PER_EVENT)]

    def apply(self, journal: Any) -> None:
        journal.refused.extend(self.message_ids)


CONSENT_EVENTS: dict[str, type[JournalEvent]] = {
    cls.__name__: cls for cls in (CorrespondentAccepted, CorrespondentBlocked, FeedbackRefused)}


class ConsentVerbs:
    """MenteeJournal's verbs for her consent decisions (mixed in; state set in its __init__)."""

    correspondents: dict[str, str]
    refused: list[str]

    def accept_correspondent(self, fingerprint: str) -> None:
        self._decide(CorrespondentAccepted, fingerprint=fingerprint)

    def block_correspondent(self, fingerprint: str) -> None:
        self._decide(CorrespondentBlocked, fingerprint=fingerprint)

    def refuse_feedback(self, message_ids: list[str]) -> None:
        fresh = [m for m in dict.fromkeys(message_ids) if m not in self.refused][:REFUSED_PER_EVENT]
        if fresh:
            self._decide(FeedbackRefused, message_ids=tuple(fresh))

    def _decide(self, event_class: type[JournalEvent], **fields: Any) -> None:
        try:
            self.trigger_event(event_class, **fields)  # type: ignore[attr-defined]
        except ValidationError as error:
            raise RuleBroken(f"not recorded: {error.errors()[0]['msg']}") from None
