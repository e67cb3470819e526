"""Correcting a record without overwriting it: an `EntryAmended` event holds the whole new
version, so that every version stands alone (a mentor given the latest one needs no other) and
the earlier ones stay in the journal, readable with `mj show ID --history`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import Field, ValidationError, model_validator

from domain import clock
from domain.errors import RuleBroken
from domain.explain import explain
from domain.events import EVENT_TYPES, EntryId, JournalEvent, Line, RecordEvent

# What each kind of record lets her correct. Links (the goal a milestone belongs to, the
# meeting's action items and their ids) stay: a correction says the same record better.
AMENDABLE: dict[str, tuple[str, ...]] = {
    "checkin": ("text", "mood", "confidence", "tags"),
    "aspiration": ("text", "why", "horizon"),
    "goal": ("text", "measure", "target", "due"),
    "progress": ("value", "note"),
    "achieved": ("note",),
    "dropped": ("reason",),
    "milestone": ("text", "due"),
    "reached": ("evidence",),
    "meeting": ("minutes", "focus", "concerns", "next_focus", "rating"),
    "feedback": ("text",),
    "assessment": ("ratings", "note"),
}
WORDS = {"checkin": "check-in", "progress": "progress record", "achieved": "achievement", "dropped": "dropped goal",
         "reached": "reached milestone", "assessment": "self-assessment"}
WHY_NOT = {
    "mentor-feedback": "is feedback a mentor sent: their words stay as they sent them",
    "summary": "is a published summary: it stays as it was released (publish a new one with `mj share --summary`)",
}
# Fields that link a record to another: kept in every version, and the moment checked against them.
STARTS = {"goal_id": "goal", "milestone_id": "milestone", "action_id": "action item"}
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "entry_id", "at"}
_BY_KIND = {cls.kind: cls for cls in EVENT_TYPES.values() if issubclass(cls, RecordEvent)}


def check_version(kind: str, fields: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The fields of one version of a `kind` record, validated as that record's own event would
    be, in the form views keep (JSON values). Raises ValidationError or RuleBroken."""
    if kind not in AMENDABLE:
        raise RuleBroken(f"a {kind} record cannot be amended")
    event = _BY_KIND[kind].model_validate({"originator_id": "00000000000000000000000000000000",
                                           "originator_version": 1, "timestamp": at, "entry_id": "0" * 32,
                                           "at": at, **fields})
    return event.model_dump(mode="json", exclude=_ENVELOPE)


class EntryAmended(RecordEvent):
    """A new version of record `target_id`: all its fields, and the moment it is about (`at`).
    When it was amended is the event's own timestamp."""

    kind: ClassVar[str] = "amendment"

    target_id: EntryId
    target_kind: Line
    number: Annotated[int, Field(ge=2)]  # the version this is: the record as first written is 1
    fields: dict[str, Any]

    @model_validator(mode="after")
    def _a_whole_version(self) -> EntryAmended:
        try:
            shown = check_version(self.target_kind, self.fields, self.at)
        except ValidationError as error:
            raise ValueError(f"not a valid {self.target_kind}: {error.errors()[0]['msg']}") from None
        except RuleBroken as error:
            raise ValueError(str(error)) from None
        if shown != self.fields:
            raise ValueError(f"not a whole {self.target_kind}: the version must carry every field")
        return self

    def apply(self, journal: Any) -> None:
        linked = [self.target_id] + [a["id"] for a in self.fields.get("actions", ())]
        for entry_id in linked:
            if entry_id in journal.created_at:
                journal.created_at[entry_id] = self.at.isoformat()


AMEND_EVENTS: dict[str, type[JournalEvent]] = {"EntryAmended": EntryAmended}


class AmendVerbs:
    """MenteeJournal's verb for corrections (mixed in; `_when`, `_not_before_start` and `_record`
    are the journal's own)."""

    retracted: list[str]

    def amend(self, target_id: str, kind: str, current: dict[str, Any], current_at: datetime,
              changes: dict[str, Any], *, number: int, at: datetime | None = None) -> str:
        """Records version `number` of `target_id`, a `kind` record whose latest version is
        `current`, about `current_at`: `changes` maps field names to new values, `at` moves it."""
        if target_id in self.retracted:
            raise RuleBroken(f"entry {target_id[:8]} was retracted")
        if kind not in AMENDABLE:
            why = WHY_NOT.get(kind, f"is a record of {kind}: it cannot be amended")
            raise RuleBroken(f"entry {target_id[:8]} {why}")
        if unknown := sorted(set(changes) - set(AMENDABLE[kind])):
            raise RuleBroken(f"a {WORDS.get(kind, kind)} has no {unknown[0].replace('_', ' ')} to amend "
                             f"(it has: {', '.join(f.replace('_', ' ') for f in AMENDABLE[kind])})")
        when = current_at if at is None else self._when(at)  # type: ignore[attr-defined]
        for field, what in STARTS.items():
            if at is not None and current.get(field):
                self._not_before_start(at, current[field], f"the {kind}", f"{what} {current[field][:8]} "  # type: ignore[attr-defined]
                                       f"came to be")
        merged = {**current, **changes}
        for field in ("due", "horizon"):
            day = merged.get(field)
            day = date.fromisoformat(day) if isinstance(day, str) else day
            if (field in changes or at is not None) and day is not None and day < clock.local_day(when):
                raise RuleBroken(f"the {field} date {day} is before the day of the {kind} ({clock.local_day(when)})")
        try:
            fields = check_version(kind, merged, when)
        except ValidationError as error:
            raise RuleBroken(explain(error)) from None
        if fields == current and when == current_at:
            raise RuleBroken(f"entry {target_id[:8]} already says that: nothing to amend")
        return self._record(EntryAmended, when, target_id=target_id, target_kind=kind,  # type: ignore[attr-defined]
                            number=number, fields=fields)
