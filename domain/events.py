"""Every record a mentee can keep, as a frozen pydantic event named in the past tense."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import CanInitAggregate, CanMutateAggregate
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from domain.limits import LINE_LIMIT, TEXT_LIMIT

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_LIMIT)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LINE_LIMIT)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[\w-]+$")]
Rating = Annotated[int, Field(ge=1, le=5)]
EntryId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{4}( [0-9a-f]{4}){7}$")]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time must carry its time zone")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


AwareTime = Annotated[datetime, AfterValidator(_aware)]
Amount = Annotated[float, Field(ge=0, le=1e12), AfterValidator(_finite)]


class JournalEvent(BaseModel, CanMutateAggregate[UUID]):
    """Base of every journal event: who it belongs to, where it stands, when it was written."""

    # Schemas are built on first use: a check-in should not pay for every kind of record.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    kind: ClassVar[str] = ""

    originator_id: UUID
    originator_version: int
    timestamp: AwareTime

    def apply(self, journal: Any) -> None:
        """Most records change nothing the aggregate keeps; rule-bearing ones override this."""


class JournalOpened(JournalEvent, CanInitAggregate[UUID]):
    originator_topic: str
    owner_name: Line


class RecordEvent(JournalEvent):
    """A record the mentee reads back: it has its own id and the time it is about."""

    entry_id: EntryId
    at: AwareTime


class CheckInRecorded(RecordEvent):
    """A daily check-in. Version 2 added `confidence` beside `mood`."""

    kind: ClassVar[str] = "checkin"
    class_version: ClassVar[int] = 2

    text: Text
    mood: Rating | None = None
    confidence: Rating | None = None
    tags: tuple[Tag, ...] = ()

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Version 1 check-ins only knew how the mentee felt, not how sure they were.
        state.setdefault("confidence", None)


class AspirationStated(RecordEvent):
    kind: ClassVar[str] = "aspiration"

    text: Text
    why: Text | None = None
    horizon: date | None = None

    def apply(self, journal: Any) -> None:
        journal.aspirations[self.entry_id] = "open"


class GoalSet(RecordEvent):
    """A SMART goal: specific text, a measure, an optional numeric target, and a due date."""

    kind: ClassVar[str] = "goal"

    text: Text
    measure: Line
    target: Amount | None = None
    due: date
    aspiration_id: EntryId | None = None

    def apply(self, journal: Any) -> None:
        journal.goals[self.entry_id] = "open"
        journal.created_at[self.entry_id] = self.at.isoformat()


class GoalProgressed(RecordEvent):
    kind: ClassVar[str] = "progress"

    goal_id: EntryId
    value: Amount
    note: Text | None = None


class GoalAchieved(RecordEvent):
    kind: ClassVar[str] = "achieved"

    goal_id: EntryId
    note: Text | None = None

    def apply(self, journal: Any) -> None:
        journal.goals[self.goal_id] = "achieved"


class GoalDropped(RecordEvent):
    kind: ClassVar[str] = "dropped"

    goal_id: EntryId
    reason: Text

    def apply(self, journal: Any) -> None:
        journal.goals[self.goal_id] = "dropped"


class MilestoneAdded(RecordEvent):
    kind: ClassVar[str] = "milestone"

    goal_id: EntryId
    text: Text
    due: date | None = None

    def apply(self, journal: Any) -> None:
        journal.milestones[self.entry_id] = [self.goal_id, "open"]
        journal.created_at[self.entry_id] = self.at.isoformat()


class MilestoneReached(RecordEvent):
    kind: ClassVar[str] = "reached"

    milestone_id: EntryId
    evidence: Text | None = None

    def apply(self, journal: Any) -> None:
        if self.milestone_id in journal.milestones:  # absent once the milestone itself is forgotten
            journal.milestones[self.milestone_id][1] = "reached"


class ActionItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: EntryId
    text: Line


class MeetingLogged(RecordEvent):
    """A mentoring meeting: incidental concerns first, then the main focus, then what is next.
    Version 2 added `rating`: how useful the meeting was for her, 1 to 5; version 3 the mentor
    she met (`mentor_fingerprint`), whose relationship's monthly rhythm it counts towards, and the
    concerns noted between meetings that it took up (`discussed`)."""

    kind: ClassVar[str] = "meeting"
    class_version: ClassVar[int] = 3

    minutes: Annotated[int, Field(ge=1, le=600)]
    concerns: tuple[Line, ...] = ()
    focus: Text
    next_focus: Text | None = None
    actions: tuple[ActionItem, ...] = ()
    rating: Rating | None = None
    mentor_fingerprint: Fingerprint | None = None
    discussed: tuple[EntryId, ...] = ()  # the concerns noted between meetings it took up (domain/between_meetings.py)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # Version 1 meetings were not rated: no rating is not a low one.
        state.setdefault("rating", None)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        # Version 2 meetings named no mentor: projections/rhythm.py counts them for the one she had then.
        state.setdefault("mentor_fingerprint", None)
        state.setdefault("discussed", [])

    def apply(self, journal: Any) -> None:
        for action in self.actions:
            journal.actions[action.id] = "open"
            journal.created_at[action.id] = self.at.isoformat()
        for concern_id in self.discussed:
            journal.__dict__.setdefault("concerns", {})[concern_id] = "discussed"


class ActionItemDone(RecordEvent):
    kind: ClassVar[str] = "done"

    action_id: EntryId

    def apply(self, journal: Any) -> None:
        journal.actions[self.action_id] = "done"


class FeedbackAdded(RecordEvent):
    """The mentee's own feedback on the mentoring, optionally about one record."""

    kind: ClassVar[str] = "feedback"

    text: Text
    about: EntryId | None = None


class SelfAssessed(RecordEvent):
    kind: ClassVar[str] = "assessment"

    ratings: dict[Line, Rating] = Field(min_length=1, max_length=50)
    note: Text | None = None


class EntryRetracted(RecordEvent):
    """A tombstone: the record it names disappears from every view. Version 2 added `forgotten`:
    the records (its versions) whose data keys were deleted with it, which readers then skip."""

    kind: ClassVar[str] = "retraction"
    class_version: ClassVar[int] = 2

    target_id: EntryId
    forgotten: tuple[Annotated[int, Field(ge=1)], ...] = ()

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.setdefault("forgotten", [])  # a retraction before forgetting existed deleted no keys

    def apply(self, journal: Any) -> None:
        journal.retracted.append(self.target_id)


EVENT_TYPES: dict[str, type[JournalEvent]] = {
    cls.__name__: cls
    for cls in (
        JournalOpened,
        CheckInRecorded,
        AspirationStated,
        GoalSet,
        GoalProgressed,
        GoalAchieved,
        GoalDropped,
        MilestoneAdded,
        MilestoneReached,
        MeetingLogged,
        ActionItemDone,
        FeedbackAdded,
        SelfAssessed,
        EntryRetracted,
    )
}  # and domain/sharing_events.py, domain/amending.py, consent.py, programme_events.py, relationships.py
