"""Believing the store only as far as the owner's signed chain and this device's anchor vouch for
it: the chain check of every read, the journal's state loaded from a snapshot bound to the chain
(for a write, at the cost of the records after it). How reads use the view cache is
journal/view_reads.py's; `mj verify`'s comparison of every snapshot and cache page with a replay
is journal/verification.py's.

A snapshot's stored topic, and so its associated data, names the chain head at its version
(journal/sealed_format.py). A load believes it when that head, extended over the records after
it, arrives at the signed checkpoint's head; otherwise the records are replayed from the start,
the snapshot is reported once, and a write goes on.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import PersistenceError

from journal import chain, sealed_format
from journal.checkpoint_store import Checkpoint, CheckpointStore
from journal.forgetting import open_all
from journal.errors import JournalError, TamperedRecord
from journal.mapper import record_name

if TYPE_CHECKING:
    from domain.journal import MenteeJournal

SNAPSHOT = sealed_format.BOUND_SNAPSHOT_TOPIC


def signed_checkpoint(app: Any) -> Checkpoint:
    with app.recorder.datastore.transaction(commit=False) as c:
        checkpoint = CheckpointStore.read(c, app.journal_id)
    if checkpoint is None or not checkpoint.is_signed_by(app._checkpoint_key(app.journal_id).public_key()):
        raise TamperedRecord(f"journal {app.journal_id.hex[:8]} has no checkpoint signed by its owner")
    return checkpoint


def checked_chain(app: Any, *, accept_rollback: bool = False) -> tuple[list[Any], list[bytes]]:
    """Every record and `heads[m]`, the chain's head after record m, checked against the signed
    checkpoint and this device's anchor, which then moves on to them."""
    stored: list[Any] = []

    def records(size: int) -> list[Any]:
        if not stored:
            stored.extend(app.recorder.select_events(app.journal_id, lte=size))
        return stored
    return stored, check_chain(app, records, accept_rollback=accept_rollback)


def check_chain(app: Any, records: Callable[[int], Iterable[Any]], *, accept_rollback: bool = False) -> list[bytes]:
    """`heads[m]`, the chain's head after record m, of the records `records(size)` gives for the
    signed checkpoint's size (in order; called again to name a record that does not open),
    checked against the checkpoint and this device's anchor, which then moves on to them."""
    journal_id = app.journal_id
    # The checkpoint first: it commits with its records, so they are all there to read after it,
    # and records that other writers commit meanwhile are left for the next read.
    checkpoint = signed_checkpoint(app)
    heads = [chain.GENESIS]
    for record in records(checkpoint.size):
        expected = len(heads)
        if record.originator_version != expected:
            raise TamperedRecord(f"{record_name(journal_id, expected)} is missing from the log")
        heads.append(chain.link(heads[-1], journal_id, expected, record.topic, record.state))
    size = len(heads) - 1
    if checkpoint.size != size:
        raise TamperedRecord(f"journal {journal_id.hex[:8]} holds {size} records but its signed "
                             f"checkpoint says {checkpoint.size}: {record_name(journal_id, checkpoint.size)} "
                             "or earlier ones were deleted")
    if checkpoint.head != heads[-1]:
        for record in records(checkpoint.size):  # name the record that was altered, if one no longer opens
            if record.dek_wrap is not None:  # (one she forgot opens no more, but links all the same)
                app.mapper.open_plaintext(record)
        raise TamperedRecord(f"journal {journal_id.hex[:8]}'s records do not match its signed checkpoint")
    if not getattr(app, "is_copy", False):  # a backup being checked neither answers to nor moves the anchor
        if not accept_rollback:
            app.anchor.check(size, lambda m: heads[m] if m < len(heads) else None)
        app.anchor.advance(size, heads[-1], reset=accept_rollback)
    return heads


def checked_tail(app: Any) -> tuple[int, list[Any], list[bytes]] | None:
    """(c, the records after c, heads[i] the chain's head after record c + i) when this device's
    anchor knows the head after record c, where the view cache stands: only the records after it
    are read and hashed, up to the signed checkpoint and through what this device has seen. None
    when the anchor cannot vouch (a first use, no cache, a store that moved back or forked):
    the caller checks the whole chain, which names what is wrong. `mj verify` always does."""
    seen = app.anchor.seen()
    place = app.anchor.cache_place()
    if seen is None or place is None or getattr(app, "is_copy", False):
        return None
    checkpoint = signed_checkpoint(app)  # first, as in checked_chain
    if checkpoint.size < seen.size:
        return None
    tail = app.recorder.select_events(app.journal_id, gt=place.size, lte=checkpoint.size)
    heads = [place.head]
    for expected, record in enumerate(tail, start=place.size + 1):
        if record.originator_version != expected:
            return None
        heads.append(chain.link(heads[-1], app.journal_id, expected, record.topic, record.state))
    if place.size + len(tail) != checkpoint.size or heads[-1] != checkpoint.head \
            or heads[seen.size - place.size] != seen.head:
        return None
    app.anchor.advance(checkpoint.size, checkpoint.head)
    return place.size, tail, heads


def extends_what_was_seen(app: Any, checkpoint: Checkpoint) -> bool:
    """Whether the signed checkpoint continues the chain this device has seen, hashing only the
    records written since (usually none): a cheap look before any background duty reads the store."""
    seen = app.anchor.seen()
    if seen is None:
        return True
    if seen.size > checkpoint.size:
        return False
    head = seen.head
    for expected, record in enumerate(app.recorder.select_events(app.journal_id, gt=seen.size or None,
                                                                 lte=checkpoint.size), start=seen.size + 1):
        if record.originator_version != expected:
            return False
        head = chain.link(head, app.journal_id, expected, record.topic, record.state)
    return head == checkpoint.head


def load_journal(app: Any) -> MenteeJournal:
    """The journal's state, from its newest snapshot if the chain vouches for it."""
    journal_id = app.journal_id
    # The anchor before the checkpoint: other processes of this device advance the anchor only
    # after their writes commit, so a checkpoint read after it is never older than it.
    seen = app.anchor.seen()
    checkpoint = signed_checkpoint(app)
    # The newest snapshot the checkpoint covers: a row past it (which no client wrote) must not
    # hide the real ones and make every load replay every record.
    newest = app.snapshots.recorder.select_events(journal_id, desc=True, limit=1, lte=checkpoint.size)
    snapshot = newest[0] if newest else None
    claimed = sealed_format.bound_head(snapshot.topic, SNAPSHOT) if snapshot is not None else None
    at = snapshot.originator_version if claimed is not None else 0
    # Extend the chain from the snapshot's head, or from the anchor's if this device saw less.
    base, head = (seen.size, seen.head) if seen is not None and seen.size < at else (at, claimed or chain.GENESIS)
    tail = app.recorder.select_events(journal_id, gt=base or None, lte=checkpoint.size)
    heads = {base: head}
    for expected, record in enumerate(tail, start=base + 1):
        if record.originator_version != expected:
            break
        head = heads[expected] = chain.link(head, journal_id, expected, record.topic, record.state)
    whole = len(heads) == len(tail) + 1 and base + len(tail) == checkpoint.size and head == checkpoint.head
    vouched = (whole and (seen is None or heads.get(seen.size) == seen.head)
               and (not at or heads.get(at) == claimed))
    journal = _open_snapshot(app, snapshot) if vouched and at else None
    if vouched and (journal is not None or not at):
        journal = _replay(app, journal, [r for r in tail if r.originator_version > at])
        app.anchor.advance(checkpoint.size, checkpoint.head)
        replayed = checkpoint.size - at
    else:
        stored, full = checked_chain(app)  # refuses a damaged log, or a store older than this device saw
        if claimed is not None and not (at < len(full) and full[at] == claimed and _open_snapshot(app, snapshot)):
            app.notice(f"the snapshot at {record_name(journal_id, at)} does not match the journal's records: "
                       "it is not believed, and the records are replayed instead (run `mj verify`)")
        journal, replayed, head = _replay(app, None, stored), len(stored), full[-1]
    if snapshot is not None and replayed >= app.snapshot_interval:
        put_snapshot(app, journal, head)  # in place of one not believed, so the next load need not replay
    return journal


def _open_snapshot(app: Any, snapshot: Any) -> MenteeJournal | None:
    try:
        return app.mapper.to_domain_event(snapshot).mutate(None)
    except JournalError:
        return None


def _replay(app: Any, journal: MenteeJournal | None, stored: list[Any]) -> MenteeJournal:
    for event in open_all(app.mapper, stored):
        journal = event.mutate(journal)
    return journal


def put_snapshot(app: Any, journal: MenteeJournal, head: bytes) -> None:
    """Best-effort, like the view cache: a snapshot only spares a replay. Raising here would report
    a saved write as "nothing was saved", and an IntegrityError would make update() run the verb a
    second time; the next interval takes a snapshot again. Only the newest is kept: a load starts
    from it, and each one holds state that grows with the journal, so keeping every one would
    make the store grow with the square of it."""
    from domain.journal import JournalSnapshot

    with contextlib.suppress(PersistenceError, sqlite3.Error):
        app.snapshots.recorder.insert_events([app.mapper.seal_snapshot(JournalSnapshot.take(journal), head)])
        drop_older_snapshots(app, journal.version)


def drop_older_snapshots(app: Any, version: int) -> None:
    """Deletes this journal's snapshots (and their key wraps) from before `version`."""
    from journal.sql import PostgresCursor

    journal_id = app.journal_id
    try:
        with app.recorder.datastore.transaction(commit=True) as c:
            snapshot_id = journal_id if isinstance(c, PostgresCursor) else journal_id.hex
            c.execute(f"DELETE FROM {app.snapshots.recorder.events_table_name} WHERE originator_id = ? "
                      "AND originator_version < ?", (snapshot_id, version))
            c.execute("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 's' AND version < ?",
                      (journal_id.hex, version))
    except Exception:  # noqa: BLE001 (a snapshot kept a while longer costs space, never a record)
        return
