"""The MenteeJournal aggregate: verbs that check the journal's rules, then record an event.

Its state is deliberately small (ids, statuses and when goals, milestones and action items came
to be; never texts) so that loading it from a snapshot costs the same whether the journal holds
ten entries or ten thousand.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import BaseAggregate, CanSnapshotAggregate
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel, ConfigDict, ValidationError

from domain import clock
from domain import events as ev
from domain import sharing_events as sev
from domain.programme_events import ProgrammeVerbs
from domain.amending import AmendVerbs
from domain.between_meetings import BetweenMeetingsVerbs
from domain.completion_events import CompletionVerbs
from domain.consent import ConsentVerbs
from domain.relationships import RelationshipVerbs
from domain.errors import RuleBroken
from domain.explain import explain as _explain

# A note may be written up a little ahead of a clock that runs slow; never further.
FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)


# When a record was written, for records moved in from an export (journal/importing.py); None is now.
WRITTEN_AT: ContextVar[datetime | None] = ContextVar("WRITTEN_AT", default=None)


def new_entry_id() -> str:
    return uuid4().hex


class MenteeJournal(AmendVerbs, ConsentVerbs, ProgrammeVerbs, RelationshipVerbs, BetweenMeetingsVerbs, CompletionVerbs,
                    BaseAggregate[UUID]):
    """One mentee's journal. Ids, statuses and moments only; texts live in the sealed events."""

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def open(cls, owner_name: str, *, journal_id: UUID | None = None) -> MenteeJournal:
        try:
            return cls._create(ev.JournalOpened, id=journal_id, owner_name=owner_name)
        except ValidationError as error:
            raise RuleBroken(_explain(error)) from None

    def __init__(self, owner_name: str) -> None:
        self.owner_name = owner_name
        self.aspirations: dict[str, str] = {}
        self.goals: dict[str, str] = {}
        self.milestones: dict[str, list[str]] = {}
        self.actions: dict[str, str] = {}
        # goal, milestone or action item id -> the ISO moment it was set, added or agreed
        self.created_at: dict[str, str] = {}
        self.retracted: list[str] = []
        self.releases: dict[str, list[str]] = {}
        self.received: list[str] = []
        self.programmes: dict[str, list[str | None]] = {}  # name -> [joined month, left month]
        self.programme_pins: dict[str, dict] = {}  # name -> the terms pinned at join (ProgrammeJoined)
        self.correspondents: dict[str, str] = {}  # fingerprint -> accepted | blocked (domain/consent.py)
        self.refused: list[str] = []  # inbox message ids refused once
        self.mentors: dict[str, dict] = {}  # fingerprint -> start, months, norm, ended (domain/relationships.py)
        self.concerns: dict[str, str] = {}  # concern id -> open | discussed (domain/between_meetings.py)
        self.completions: dict[str, dict] = {}  # statement id -> mentor, countersigned (domain/completion_events.py)

    # -- verbs -------------------------------------------------------------------------

    def check_in(self, text: str, *, mood=None, confidence=None, tags=(), at=None) -> str:
        return self._record(ev.CheckInRecorded, at, text=text, mood=mood,
                            confidence=confidence, tags=tuple(tags))

    def state_aspiration(self, text: str, *, why=None, horizon=None, at=None) -> str:
        when = self._when(at)
        if horizon is not None and horizon < clock.local_day(when):
            raise RuleBroken(f"the horizon {horizon} is before the day it is stated ({clock.local_day(when)})")
        return self._record(ev.AspirationStated, when, text=text, why=why, horizon=horizon)

    def set_goal(self, text: str, *, measure: str, due: date, target=None,
                 aspiration_id: str | None = None, at=None) -> str:
        when = self._when(at)
        if aspiration_id is not None:
            self._require_live(aspiration_id, self.aspirations, "aspiration")
        if due < clock.local_day(when):
            raise RuleBroken(f"the due date {due} is already past: a new goal needs a date on or after "
                             f"{clock.local_day(when)}")
        return self._record(ev.GoalSet, when, text=text, measure=measure, due=due,
                            target=target, aspiration_id=aspiration_id)

    def progress_goal(self, goal_id: str, value: float, *, note=None, at=None) -> str:
        self._require_open_goal(goal_id)
        when = self._not_before_start(at, goal_id, "progress", f"goal {goal_id[:8]} was set")
        return self._record(ev.GoalProgressed, when, goal_id=goal_id, value=value, note=note)

    def achieve_goal(self, goal_id: str, *, note=None, at=None) -> str:
        self._require_open_goal(goal_id)
        when = self._not_before_start(at, goal_id, "an achievement", f"goal {goal_id[:8]} was set")
        return self._record(ev.GoalAchieved, when, goal_id=goal_id, note=note)

    def drop_goal(self, goal_id: str, *, reason: str, at=None) -> str:
        self._require_open_goal(goal_id)
        when = self._not_before_start(at, goal_id, "a drop", f"goal {goal_id[:8]} was set")
        return self._record(ev.GoalDropped, when, goal_id=goal_id, reason=reason)

    def add_milestone(self, goal_id: str, text: str, *, due=None, at=None) -> str:
        self._require_open_goal(goal_id)
        when = self._not_before_start(at, goal_id, "a milestone", f"goal {goal_id[:8]} was set")
        return self._record(ev.MilestoneAdded, when, goal_id=goal_id, text=text, due=due)

    def reach_milestone(self, milestone_id: str, *, evidence=None, at=None) -> str:
        goal_id, status = self._require_live(milestone_id, self.milestones, "milestone")
        if status == "reached":
            raise RuleBroken(f"milestone {milestone_id[:8]} is already reached")
        if self.goals.get(goal_id) == "dropped":
            raise RuleBroken(f"milestone {milestone_id[:8]} belongs to goal {goal_id[:8]}, which was dropped")
        when = self._not_before_start(at, milestone_id, "a reached milestone",
                                      f"milestone {milestone_id[:8]} was added")
        return self._record(ev.MilestoneReached, when, milestone_id=milestone_id, evidence=evidence)

    def log_meeting(self, *, minutes: int, focus: str, concerns=(), next_focus=None, actions=(), rating=None,
                    mentor: str | None = None, infer_mentor: bool = True, discussed=(), at=None) -> str:
        """`mentor` (a fingerprint) is the one she met: by default her mentor, if she has one.
        `discussed`: the noted concerns (ids) it took up, no longer open."""
        self._require_open_concerns(tuple(discussed))
        if mentor is None and infer_mentor:
            current = self.current_mentors()
            if len(current) > 1:
                raise RuleBroken(f"you have {len(current)} mentors: say which one you met with --with")
            mentor = current[0] if current else None
        items = tuple({"id": new_entry_id(), "text": text} for text in actions)
        return self._record(ev.MeetingLogged, at, minutes=minutes, focus=focus, concerns=tuple(concerns),
                            next_focus=next_focus, actions=items, rating=rating, mentor_fingerprint=mentor,
                            discussed=tuple(discussed))

    def complete_action(self, action_id: str, *, at=None) -> str:
        if self._require_live(action_id, self.actions, "action item") == "done":
            raise RuleBroken(f"action item {action_id[:8]} is already done")
        when = self._not_before_start(at, action_id, "an action done", f"action item {action_id[:8]} was agreed")
        return self._record(ev.ActionItemDone, when, action_id=action_id)

    def add_feedback(self, text: str, *, about: str | None = None, at=None) -> str:
        if about is not None and about in self.retracted:
            raise RuleBroken(f"entry {about[:8]} was retracted")
        return self._record(ev.FeedbackAdded, at, text=text, about=about)

    def assess_self(self, ratings: dict[str, int], *, note=None, at=None) -> str:
        return self._record(ev.SelfAssessed, at, ratings=dict(ratings), note=note)

    def retract(self, entry_id: str, *, at=None, forgotten: tuple[int, ...] = ()) -> str:
        if entry_id in self.retracted:
            raise RuleBroken(f"entry {entry_id[:8]} is already retracted")
        return self._record(ev.EntryRetracted, at, target_id=entry_id, forgotten=forgotten)

    def forget(self, targets: dict[str, tuple[int, ...]], *, messages: tuple[str, ...] = ()) -> list[str]:
        """Tombstones for each target (entry id -> the versions whose keys go with it), after
        revoking its live releases; returns the grants revoked. journal/forgetting.py deletes the keys.
        `messages`: the inbox ids of forgotten mentor feedback, refused from now on, so that the
        message (which anyone who kept the row can put back) is never imported again."""
        revoked = [g for g, (target, state) in self.releases.items() if target in targets and state == "active"]
        for grant_id in revoked:
            self.revoke(grant_id)
        for entry_id, versions in targets.items():
            self.retract(entry_id, forgotten=tuple(versions))
        if messages:
            self.refuse_feedback(list(messages))
        return revoked

    def release(self, entry_id: str, *, grant_id: str, mentor_name: str, mentor_fingerprint: str) -> str:
        if entry_id in self.retracted:
            raise RuleBroken(f"entry {entry_id[:8]} was retracted: it cannot be released")
        return self._record(sev.EntryReleased, None, grant_id=grant_id, target_id=entry_id,
                            mentor_name=mentor_name, mentor_fingerprint=mentor_fingerprint)

    def revoke(self, grant_id: str) -> str:
        if grant_id not in self.releases:
            raise RuleBroken(f"there is no release {grant_id[:8]} in this journal (see `mj shares`)")
        if self.releases[grant_id][1] == "revoked":
            raise RuleBroken(f"release {grant_id[:8]} is already revoked")
        return self._record(sev.ReleaseRevoked, None, grant_id=grant_id)

    def revoke_all(self, grant_ids: tuple[str, ...]) -> None:
        """Several releases taken back at once: each must be live, or none is."""
        for grant_id in grant_ids:
            self.revoke(grant_id)

    def publish_summary(self, summary: dict[str, Any], *, start: date, end: date,
                        goal_id: str | None = None, at=None) -> str:
        return self._record(sev.SummaryPublished, at, start=start, end=end, goal_id=goal_id, summary=summary)

    def receive_feedback(self, *, message_id: str, from_name: str, from_fingerprint: str, text: str,
                         about: str | None, sent_at: datetime, at=None, unverified: bool = False) -> str:
        if message_id in self.received:
            raise RuleBroken(f"feedback {message_id[:8]} is already in this journal")
        return self._record(sev.FeedbackReceived, at, unverified=unverified, message_id=message_id, from_name=from_name,
                            from_fingerprint=from_fingerprint, text=text, about=about, sent_at=sent_at)

    # -- rules -------------------------------------------------------------------------

    def _when(self, at: datetime | None) -> datetime:
        if at is None:
            return clock.now()
        if at.tzinfo is None:
            raise RuleBroken("a time must carry its time zone")
        if at > clock.now() + FUTURE_TOLERANCE:
            raise RuleBroken(f"{at:%Y-%m-%d %H:%M} is in the future: records are about what has happened")
        if at < EARLIEST:
            raise RuleBroken(f"{at:%Y-%m-%d} is before 1970: check the date")
        return at

    def _not_before_start(self, at: datetime | None, entry_id: str, what: str, started: str) -> datetime:
        """The record's moment, refused when it falls on a day before its goal, milestone or action
        item came to be. Days, not moments: `--at 2026-04-03` (noon) may follow a goal set that
        afternoon. An id from a snapshot older than `created_at` has no moment, so no check."""
        when = self._when(at)
        created = self.created_at.get(entry_id)
        if created is not None:
            day, start = clock.local_day(when), clock.local_day(datetime.fromisoformat(created))
            if day < start:
                raise RuleBroken(f"{what} dated {day} is before {started} ({start})")
        return when

    def _require_live(self, entry_id: str, table: dict[str, Any], what: str) -> Any:
        if entry_id not in table:
            raise RuleBroken(f"there is no {what} {entry_id[:8]} in this journal")
        if entry_id in self.retracted:
            raise RuleBroken(f"{what} {entry_id[:8]} was retracted")
        return table[entry_id]

    def _require_open_goal(self, goal_id: str) -> None:
        status = self._require_live(goal_id, self.goals, "goal")
        if status != "open":
            raise RuleBroken(f"goal {goal_id[:8]} is {status}: it takes no more progress or milestones")

    def _record(self, event_class: type[ev.RecordEvent], at: datetime | None, **fields: Any) -> str:
        entry_id = new_entry_id()
        try:
            self.trigger_event(event_class, entry_id=entry_id, at=self._when(at), timestamp=WRITTEN_AT.get(),
                               **fields)
        except ValidationError as error:
            raise RuleBroken(_explain(error)) from None
        return entry_id


class JournalSnapshot(BaseModel, CanSnapshotAggregate[UUID]):
    """The aggregate's small state at one version, sealed like any event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    topic: str
    state: dict[str, Any]

    @classmethod
    def take(cls, aggregate: MenteeJournal) -> JournalSnapshot:
        state = {k: v for k, v in vars(aggregate).items() if k not in ("_id", "_version", "_pending_events")}
        for key in ("_created_on", "_modified_on"):
            state[key] = state[key].isoformat()
        return cls(originator_id=aggregate.id, originator_version=aggregate.version,
                   timestamp=cls.create_timestamp(), topic=get_topic(type(aggregate)), state=state)

    def mutate(self, _: None) -> MenteeJournal:
        cls = resolve_topic(self.topic)
        state = dict(self.state)
        for key in ("_created_on", "_modified_on"):
            state[key] = datetime.fromisoformat(state[key])
        state.setdefault("releases", {})  # snapshots taken before sharing existed
        state.setdefault("received", [])
        state.setdefault("programmes", {})
        state.setdefault("programme_pins", {})  # snapshots taken before joins pinned the terms
        state.setdefault("correspondents", {})  # snapshots taken before consent
        state.setdefault("refused", [])
        state.setdefault("mentors", {})  # snapshots taken before relationships
        state.setdefault("concerns", {})
        state.setdefault("completions", {})
        state.setdefault("created_at", {})  # snapshots taken before out-of-order dates were refused
        state.update(_id=self.originator_id, _version=self.originator_version, _pending_events=[])
        journal = object.__new__(cls)
        journal.__dict__.update(state)
        return journal
