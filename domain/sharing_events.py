"""The records of sharing: a release and its revocation, a published summary, and mentor feedback
received into her journal."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import Field, StringConstraints

from domain.events import AwareTime, EntryId, Fingerprint, JournalEvent, Line, Rating, RecordEvent, Text

Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class EntryReleased(RecordEvent):
    """One entry's data key was granted to a mentor. Ids only: the grant lives in the key store."""

    kind: ClassVar[str] = "release"

    grant_id: EntryId
    target_id: EntryId
    mentor_name: Line
    mentor_fingerprint: Fingerprint

    def apply(self, journal: Any) -> None:
        journal.releases[self.grant_id] = [self.target_id, "active"]


class ReleaseRevoked(RecordEvent):
    kind: ClassVar[str] = "revoke"

    grant_id: EntryId

    def apply(self, journal: Any) -> None:
        journal.releases[self.grant_id][1] = "revoked"


class SummaryPublished(RecordEvent):
    """A period summary, sealed as its own record so that it can be released without its sources."""

    kind: ClassVar[str] = "summary"

    start: date
    end: date
    goal_id: EntryId | None = None
    summary: dict[str, Any]


class FeedbackReceived(RecordEvent):
    """A mentor's feedback, imported from the inbox: from now on the mentee's own record."""

    kind: ClassVar[str] = "mentor-feedback"

    message_id: EntryId
    from_name: Line
    from_fingerprint: Fingerprint
    text: Text
    about: EntryId | None = None
    sent_at: AwareTime
    # Moved in from a file (`mj import`): no signature any more says who sent it.
    unverified: bool = False

    def apply(self, journal: Any) -> None:
        journal.received.append(self.message_id)


class EvaluationReceived(RecordEvent):
    """Her mentor's evaluation, skill by skill (1 to 5), imported from the inbox: her own record."""

    kind: ClassVar[str] = "evaluation"

    message_id: EntryId
    from_name: Line
    from_fingerprint: Fingerprint
    ratings: Annotated[dict[Skill, Rating], Field(min_length=1, max_length=30)]
    note: Text | None = None
    sent_at: AwareTime
    unverified: bool = False

    def apply(self, journal: Any) -> None:
        journal.received.append(self.message_id)


SHARING_EVENTS: dict[str, type[JournalEvent]] = {
    cls.__name__: cls for cls in (EntryReleased, ReleaseRevoked, SummaryPublished, FeedbackReceived,
                                  EvaluationReceived)}
