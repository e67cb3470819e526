"""The journal application: unlock, write every kind of record, read back, verify.

Methods return ids and view models. Library and database errors are translated here, once,
into the project's own errors.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment

from journal import bound_state, grants, view_reads
from journal.anchor import DeviceAnchor, anchor_key
from journal.chain import Checkpointer
from journal.config import StoreLocation
from journal.errors import (AmbiguousId, ConcurrentWrite, EntryNotFound, JournalError, NoJournal,
                            StoreUnavailable)
from journal.identity import Identity
from journal.keyring import Keyring
from journal.mapper import SealingMapper
from journal.store_errors import store_errors
from journal.views import EntryView, VerifyReport

if TYPE_CHECKING:  # the domain's pydantic models are imported when a record is opened or written
    from domain.journal import MenteeJournal

T = TypeVar("T")
SNAPSHOT_INTERVAL = 50
WRITE_ATTEMPTS = 8
LOCK_TIMEOUT_SECONDS = 5


def project_journal(journal: MenteeJournal | None, events: Iterable[Any]) -> MenteeJournal | None:
    # eventsourcing's default projector checks each event against a runtime Protocol, which
    # costs more than opening the event; our events all know how to mutate.
    for event in events:
        journal = event.mutate(journal)
    return journal


class JournalApp(Application[UUID]):
    """One person's view of one store, unlocked with their identity."""

    name = "MentoringJournal"
    is_snapshotting_enabled = True
    snapshot_interval = SNAPSHOT_INTERVAL  # records between snapshots: _take_snapshots below

    def __init__(self, store: StoreLocation | Path | str, identity: Identity, *, create: bool = False):
        store = StoreLocation.of(store)
        path = store.path
        if path is not None and not create and not path.is_file():
            raise StoreUnavailable(f"no journal store at {path}: run `mj init`, or point --store / MJ_STORE at it")
        if path is not None and create and not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            except OSError as error:
                raise StoreUnavailable(f"cannot create store {path}: {error.strerror}") from None
        self.store, self.identity, self._create = store, identity, create
        self.keyring = Keyring(identity)
        with store_errors(store):
            super().__init__()
        self.keyring.attach(self.recorder.datastore)
        self.recorder.checkpointer = Checkpointer(self._checkpoint_key)
        self.notices: list[str] = []  # one line each, for the user, about something not believed
        self.report: Callable[[str], None] | None = None  # told each notice once, as it happens

    def notice(self, line: str) -> None:
        if line not in self.notices:
            self.notices.append(line)
            if self.report is not None:
                self.report(line)

    @cached_property
    def anchor(self) -> DeviceAnchor:
        """This device's memory of the journal (journal/anchor.py), in `anchors/` beside the
        identity file: $MJ_HOME/anchors by default, and a demo's or a bench's own home for theirs."""
        journal_id = self.journal_id
        return DeviceAnchor(self.identity.path.parent / "anchors", journal_id,
                            lambda: anchor_key(self.keyring.key(journal_id, 1), journal_id), self.notice)

    def construct_env(self, name: str, env: Any = None) -> Environment:
        return Environment(name, self.store.persistence_settings(LOCK_TIMEOUT_SECONDS, create=self._create))

    def _checkpoint_key(self, journal_id: UUID) -> Any:
        return self.keyring.checkpoint_key(journal_id)

    def construct_mapper(self) -> SealingMapper:
        return SealingMapper(self.keyring)

    def _take_snapshots(self, processing_event: Any) -> None:
        # The aggregate in hand was just saved, so snapshot it as it is rather than reading it
        # back from the store (which is what eventsourcing does, at the cost of a replay).
        for journal_id, journal in processing_event.aggregates.items():
            interval = self.snapshot_interval
            versions = [e.originator_version for e in processing_event.events if e.originator_id == journal_id]
            head = self.recorder.checkpointer.head_signed(journal_id, journal.version)  # bound into its AAD
            if interval and any(v % interval == 0 for v in versions) and head is not None:
                bound_state.put_snapshot(self, journal, head)  # best-effort: see there

    # -- the journal -------------------------------------------------------------------

    @property
    def journal_id(self) -> UUID:
        if self.identity.journal_id is None:
            raise NoJournal(f"{self.identity.name} is a {self.identity.role} and keeps no journal")
        return self.identity.journal_id

    def create_journal(self, *, publish: bool = False, recovery_row: tuple[str, bytes] | None = None) -> UUID:
        """Her journal's first key and first event (and, with `publish`, her directory entry and
        recovery row), in one transaction."""
        from domain.journal import MenteeJournal
        from journal.directory import DirectoryStore

        with store_errors(self.store):
            first_key = self.keyring.first_key(self.journal_id)
            journal = MenteeJournal.open(self.identity.name, journal_id=self.journal_id)
            saved = self.save(journal, journal_key_row=first_key,
                              directory_entry=DirectoryStore.signed_entry(self.identity) if publish else None,
                              recovery_row=recovery_row)
            self._remember_write(journal, [r.domain_event for r in saved])
        return journal.id

    def update(self, verb: Callable[..., T], /, *args: Any, grants_granted: Sequence[tuple[Any, ...]] = (),
               grants_revoked: Sequence[str] = (), forget: dict[str, Any] | None = None,
               expect_version: int | None = None, completion_document: tuple[Any, ...] | None = None,
               **kwargs: Any) -> T:
        """Load, run `verb(journal, *args, **kwargs)`, save; on a concurrent write, reload and
        run it again: `app.update(MenteeJournal.check_in, text, mood=3)`. The arguments are
        bound now, not read from a closure when the verb runs (perhaps again, on a retry).
        Grants granted or revoked, the keys `forget` names (journal/forgetting.py) and a completion
        document (journal/completion_store.py) commit in the events' own transaction. With
        `expect_version`, a journal that moved past it is refused."""
        with store_errors(self.store):
            for attempt in range(WRITE_ATTEMPTS):
                journal = self._journal()
                if expect_version is not None and journal.version != expect_version:
                    # Its arguments were read from the journal as it was (an amend's current version, a
                    # forget's versions): written now, they would miss what another writer added.
                    raise ConcurrentWrite("the journal changed while this command ran (another device or "
                                          "process wrote to it): nothing was written; run it again")
                result = verb(journal, *args, **kwargs)
                # Her signed list of live grants, from the journal as it now stands, numbered by its version
                live = None if not (grants_granted or grants_revoked) else grants.signed_live_list(
                    self.identity.signing_key, self.journal_id.hex, journal.version,
                    (g for g, (_, state) in journal.releases.items() if state == "active"))
                try:
                    saved = self.save(journal, grants_granted=grants_granted, grants_revoked=grants_revoked,
                                      live_grants=live, forget=forget, completion_document=completion_document)
                except IntegrityError:  # the events' insert: a snapshot's failure never gets here
                    # Someone else wrote first (or rotated the key): back off a random, growing moment
                    # so that several writers racing for one journal stop colliding in step.
                    self.keyring.reload(self.journal_id)
                    time.sleep(random.uniform(0, 0.002 * 2 ** attempt))
                    continue
                self._remember_write(journal, [r.domain_event for r in saved])
                return result
        raise ConcurrentWrite()

    def _remember_write(self, journal: MenteeJournal, events: list[Any]) -> None:
        head = self.recorder.checkpointer.head_signed(self.journal_id, journal.version)
        if head is not None:
            self.anchor.advance(journal.version, head)
            view_reads.after_write(self, events, journal.version, head)

    def _journal(self) -> MenteeJournal:
        self.keyring.current(self.journal_id)  # fails clearly if this store has no journal of ours
        return bound_state.load_journal(self)

    def check_anchor(self) -> None:
        """Refuses, cheaply, a store whose signed checkpoint is older than this device has seen,
        before any background duty reads it; every read and write checks the chain itself."""
        try:
            self.keyring.current(self.journal_id)
            checkpoint = bound_state.signed_checkpoint(self)
        except (JournalError, TypeError, ValueError):
            return  # no journal here, or a damaged checkpoint: the command's own read reports it
        if not bound_state.extends_what_was_seen(self, checkpoint):
            with store_errors(self.store):
                bound_state.checked_chain(self)  # names it: a rollback, a fork written over one, or damage

    def accept_rollback(self) -> None:
        """After a rollback made on purpose (an older copy restored): this device's anchor moves to
        the store as it is, once its chain checks against the signed checkpoint."""
        with store_errors(self.store):
            bound_state.checked_chain(self, accept_rollback=True)

    # -- reading -----------------------------------------------------------------------

    def entries(self) -> list[EntryView]:
        """Every live record in its latest version, in the order first written, after checking
        the chain and checkpoint."""
        from journal.versions import latest

        return latest(self.history())

    def history(self) -> list[EntryView]:
        """Every record in the order written, retractions included (projections fold these).

        Served from the encrypted view cache plus the records written since. Where this device's
        anchor knows the chain's head at the cache, only the records after it are read and hashed
        up to the signed checkpoint; otherwise the whole chain is (`mj verify` always checks all)."""
        with store_errors(self.store):
            self.keyring.current(self.journal_id)
            return view_reads.read_history(self)

    def rebuild_view_cache(self) -> None:
        """The view cache made afresh from the records (after a forget deleted it)."""
        with store_errors(self.store):
            views, heads = view_reads.whole_history(self)
            view_reads.refresh(self, None, [], views, heads[-1], len(heads) - 1)

    def ask(self, question: Any) -> list[EntryView]:
        """The answer to a question about her live records (journal/view_select.py), from only the
        pages of the view cache it needs, after the same checks as `history`."""
        from journal import view_select

        with store_errors(self.store):
            self.keyring.current(self.journal_id)
            return view_select.ask(self, question)[0]

    def show(self, prefix: str) -> EntryView:
        entries = self.entries()
        entry_id = resolve(prefix, [e.id for e in entries], "entry")
        return next(e for e in entries if e.id == entry_id)

    def versions(self, prefix: str) -> list[EntryView]:
        """Every version of one live record, the first one first."""
        from journal.versions import latest, versions

        history = self.history()
        return versions(history, resolve(prefix, [e.id for e in latest(history)], "entry"))

    def programmes(self) -> dict[str, tuple[str, str | None]]:
        """Programme name -> (month joined, month left or None)."""
        with store_errors(self.store):
            return {name: (joined, left) for name, (joined, left) in self._journal().programmes.items()}

    def programme_membership(self) -> tuple[dict[str, tuple[str, str | None]], dict[str, dict]]:
        """`programmes()` and `programme_pins()` from one load of the journal; none, without
        loading it, when the view cache says she never joined or left one (a retraction may be a
        forgotten joining, which the journal's state still counts)."""
        with store_errors(self.store):
            if view_reads.holds_none_of(self, {"joined", "left", "retraction"}):
                return {}, {}
            journal = self._journal()
            return ({name: (joined, left) for name, (joined, left) in journal.programmes.items()},
                    {name: dict(pin) for name, pin in journal.programme_pins.items()})

    def head_version(self) -> int:
        """How many events her journal holds, as this device has checked it."""
        with store_errors(self.store):
            return self._journal().version

    def programme_pins(self) -> dict[str, dict]:
        """Programme name -> the terms pinned when she joined (journal/programmes.py checks rows against them)."""
        with store_errors(self.store):
            return {name: dict(pin) for name, pin in self._journal().programme_pins.items()}

    def resolve(self, prefix: str, table: str) -> str:
        """An id prefix for a goal, milestone, aspiration or action item, resolved from state."""
        with store_errors(self.store):
            journal = self._journal()
        what = {"goals": "goal", "milestones": "milestone", "aspirations": "aspiration",
                "actions": "action item", "releases": "release"}[table]
        return resolve(prefix, getattr(journal, table), what)

    def resolve_entry(self, prefix: str) -> str:
        return resolve(prefix, [e.id for e in self.entries()], "entry")

    def chain_heads(self) -> list[bytes]:
        """heads[m]: the chain's head after record m, checked against the signed checkpoint."""
        with store_errors(self.store):
            return bound_state.checked_chain(self)[1]

    def verify(self) -> VerifyReport:
        """Checks the chain against the signed checkpoint and this device's anchor, opens every
        record and snapshot, and compares every snapshot and the view cache with a replay."""
        from journal import verification

        with store_errors(self.store):
            return verification.verify(self)


def resolve(prefix: str, candidates: Any, what: str) -> str:
    prefix = prefix.strip().lower()
    if not prefix or any(ch not in "0123456789abcdef" for ch in prefix):
        raise JournalError(f"{prefix!r} is not an id: ids are hexadecimal, as shown by `mj entries`")
    matches = [c for c in candidates if c.startswith(prefix)]
    if not matches:
        raise EntryNotFound(prefix, what)
    if len(matches) > 1:
        raise AmbiguousId(prefix, matches)
    return matches[0]

