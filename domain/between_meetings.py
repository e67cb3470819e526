"""Between meetings: an incidental concern noted so that it is not forgotten, and the agenda she
may release to her mentor before they meet.

    ConcernNoted     (kind "concern")  text
    AgendaPublished  (kind "agenda")   agenda: the agenda as computed (projections/agenda.py)

A concern stays open until a meeting lists it as discussed (MeetingLogged.discussed); the
aggregate keeps only ids and "open"/"discussed" (`journal.concerns`), never texts.
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain.errors import RuleBroken
from domain.events import JournalEvent, Line, RecordEvent


class ConcernNoted(RecordEvent):
    kind: ClassVar[str] = "concern"

    text: Line

    def apply(self, journal: Any) -> None:
        journal.concerns[self.entry_id] = "open"


class AgendaPublished(RecordEvent):
    """The agenda for the next meeting, sealed as its own record so that it can be released alone."""

    kind: ClassVar[str] = "agenda"

    agenda: dict[str, Any]


BETWEEN_MEETINGS_EVENTS: dict[str, type[JournalEvent]] = {cls.__name__: cls for cls in (ConcernNoted, AgendaPublished)}


class BetweenMeetingsVerbs:
    """MenteeJournal's verbs for concerns and agendas (mixed in; state set in its __init__)."""

    concerns: dict[str, str]
    _record: Any

    def note_concern(self, text: str, *, at=None) -> str:
        return self._record(ConcernNoted, at, text=text)

    def publish_agenda(self, agenda: dict[str, Any], *, at=None) -> str:
        if not any(agenda.get(part) for part in ("concerns", "focus", "actions", "goals")):
            raise RuleBroken("the agenda has nothing in it: note a concern (`mj concern`), agree a next focus "
                             "or an action in a meeting, or set a goal first")
        return self._record(AgendaPublished, at, agenda=agenda)

    def _require_open_concerns(self, discussed: tuple[str, ...]) -> None:
        for concern_id in discussed:
            state = self.concerns.get(concern_id)
            if state != "open":
                why = "already discussed" if state else "not one of yours"
                raise RuleBroken(f"concern {concern_id[:8]} is {why}")
