"""Forgetting records by deleting their keys (crypto-shredding).

A forgotten record's ciphertext stays where it is, so the hash chain still verifies; its data-key
wrap, every grant of it, the view cache and the snapshots taken since it was written are deleted in
the transaction that records her tombstone (an `EntryRetracted` naming the versions forgotten).
Readers skip a record without a data key only when a tombstone in her own chain names it: a
wrap deleted by anyone else is still refused as a record with no data key.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from journal.errors import JournalError
from journal.sql import PostgresCursor
from journal.view_store import ViewCacheStore

# What no command of hers can reach: said after every forget.
BEYOND_REACH = (
    "copies made before now (`mj backup` files, other backups of the store) still hold the keys",
    "what a mentor already read cannot be un-read",
)
POSTGRES_DEAD_TUPLES = ("PostgreSQL keeps deleted rows as dead tuples, and their bytes in its write-ahead log, "
                        "until VACUUM (FULL) and WAL recycling: ask whoever runs the server")


class ForgottenRecord:
    """Stands in, in a replay, for a record whose key she deleted: the chain links it, nothing opens it."""

    def __init__(self, originator_id: UUID, originator_version: int):
        self.originator_id, self.originator_version = originator_id, originator_version

    def mutate(self, journal: Any) -> Any:
        journal._version = self.originator_version  # the versions stay counted; the state never held it
        return journal


def open_all(mapper: Any, stored: Sequence[Any]) -> list[Any]:
    """Every record opened, in order; one without a data key stands in as a ForgottenRecord if a
    tombstone among `stored` names its version, and is refused (one line naming it) otherwise.
    A version a tombstone names is forgotten even if a key for it is back in the store (whoever
    kept the row can put it back): its plaintext goes no further than this function."""
    events, keyless = [], []
    for record in stored:
        if getattr(record, "dek_wrap", None) is None:
            events.append(ForgottenRecord(record.originator_id, record.originator_version))
            keyless.append(record)
        else:
            events.append(mapper.to_domain_event(record))
    named = forgotten_versions(events)
    for record in keyless:
        if record.originator_version not in named:
            mapper.open_data_key(record)  # raises: "has no data key in the key store"
    if named:
        events = [ForgottenRecord(e.originator_id, e.originator_version) if e.originator_version in named else e
                  for e in events]
    return events


def forgotten_versions(events: Iterable[Any]) -> set[int]:
    """The versions her tombstones name (events, or entry views of them)."""
    from domain.events import EntryRetracted

    named: set[int] = set()
    for e in events:
        if isinstance(e, EntryRetracted):
            named.update(e.forgotten)
        elif getattr(e, "kind", None) == "retraction" and hasattr(e, "fields"):
            named.update(e.fields.get("forgotten") or ())
    return named


def delete_keys(c: Any, changes: dict[str, Any]) -> None:
    """In the tombstone's own transaction: the forgotten records' data-key wraps and grants, every
    snapshot from the first of them on (each holds state folded from them), and the view cache."""
    forget = changes.get("forget")
    if not forget:
        return
    stream, versions = forget["journal_id"], sorted(forget["versions"])
    rows = [(stream.hex, v) for v in versions]
    c.executemany("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = ?", rows)
    c.executemany("DELETE FROM mj_grants WHERE journal_id = ? AND version = ?", rows)
    c.execute("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 's' AND version >= ?", (stream.hex, versions[0]))
    snapshot_id = stream if isinstance(c, PostgresCursor) else stream.hex  # a uuid column there, text here
    c.execute(f"DELETE FROM {forget['snapshot_table']} WHERE originator_id = ? AND originator_version >= ?",
              (snapshot_id, versions[0]))
    ViewCacheStore.delete(c, stream)


@dataclass
class Forgotten:
    entries: list[Any]  # the EntryView of each, as it last read
    versions: int
    revoked: list[str]
    beyond_reach: list[str] = field(default_factory=list)


def forget_entries(app: Any, entry_ids: Iterable[str]) -> Forgotten:
    """Forgets each live entry (all its versions) in one transaction, then re-takes the snapshot
    and the view cache from what remains and, for SQLite, clears the write-ahead log."""
    from domain.journal import MenteeJournal
    from journal import bound_state
    from journal.versions import latest, versions

    version = app.head_version()  # before the read: a write after it makes the forget start again
    history = app.history()
    live = {e.id: e for e in latest(history)}
    chosen = list(dict.fromkeys(entry_ids))
    for entry_id in chosen:
        if live[entry_id].kind in ("release", "revoke", "joined", "left", "mentor", "mentor-ended"):
            raise JournalError(f"entry {entry_id[:8]} is a record of sharing, of a programme or of a relationship: "
                               "it stays, so that what was given and agreed is known (forget the entry it names)")
    targets = {entry_id: tuple(v.version for v in versions(history, entry_id)) for entry_id in chosen}
    grants = [g for g, e in ((e.fields["grant_id"], e) for e in history if e.kind == "release")
              if e.fields["target_id"] in targets]
    every = sorted(v for vs in targets.values() for v in vs)
    messages = tuple(live[e].fields["message_id"] for e in chosen if live[e].kind in ("mentor-feedback", "evaluation"))
    revoked = app.update(MenteeJournal.forget, targets, messages=messages, grants_revoked=grants,
                         expect_version=version,
                         forget={"journal_id": app.journal_id, "versions": every,
                                 "snapshot_table": app.snapshots.recorder.events_table_name})
    with contextlib.suppress(JournalError, sqlite3.Error):  # a snapshot and a cache only spare work
        journal = bound_state.load_journal(app)
        bound_state.put_snapshot(app, journal, app.recorder.checkpointer.head_signed(app.journal_id,
                                                                                     journal.version))
        app.rebuild_view_cache()
    beyond = list(BEYOND_REACH)
    quoting = [e.id[:8] for e in live.values() if e.kind == "summary" and e.id not in targets
               and any(t in json.dumps(e.fields) for t in targets)]
    if quoting:  # a summary carries its goals', milestones' and actions' texts
        beyond.append(f"{len(quoting)} published summar{'y' if len(quoting) == 1 else 'ies'} quote it: "
                      f"`mj forget {' '.join(quoting)}` forgets them too")
    return Forgotten([live[e] for e in chosen], len(every), revoked, beyond + _clear_the_log(app))


JOURNAL_TABLES = (("mj_journal_keys", "journal_id"), ("mj_data_keys", "stream_id"), ("mj_grants", "journal_id"),
                  ("mj_live_grants", "journal_id"), ("mj_view_cache", "journal_id"),
                  ("mj_view_pages", "journal_id"))


def forget_journal(app: Any) -> list[str]:
    """Deletes every copy of her journal keys, every data-key wrap (records and snapshots), every
    grant and her list of them, the snapshots and the view cache, in one transaction; then this
    device's anchor. The ciphertext stays, opened by nothing. Returns what is beyond reach."""
    from journal.store_errors import store_errors

    journal_id = app.journal_id
    app.keyring.current(journal_id)  # refuses, as any command does, a store with no journal of hers
    from journal import sql
    from journal.grants import GrantStore

    with store_errors(app.store), app.recorder.datastore.transaction(commit=True) as c:
        c.execute(sql.for_cursor(c, GrantStore.LIVE_TABLE))  # a store made before the list existed lacks it
        for table, column in JOURNAL_TABLES:
            c.execute(f"DELETE FROM {table} WHERE {column} = ?", (journal_id.hex,))
        c.execute(f"DELETE FROM {app.snapshots.recorder.events_table_name} WHERE originator_id = ?",
                  (journal_id if isinstance(c, PostgresCursor) else journal_id.hex,))
    with contextlib.suppress(FileNotFoundError):
        app.anchor.path.unlink()
    beyond = list(BEYOND_REACH) + [
        "programme contributions already sent are aggregates under a pseudonym, and stay with the programme",
        "your identity file and directory entry stay: feedback sealed to you still reaches your inbox"]
    return beyond + _clear_the_log(app)


def _clear_the_log(app: Any) -> list[str]:
    """Clears SQLite's write-ahead log of the deleted keys' pages; what is left beyond reach."""
    if app.store.path is None:
        return [POSTGRES_DEAD_TUPLES]
    if not clear_write_ahead_log(app.store.path):
        return ["another process has the store open, so its write-ahead log keeps old pages until SQLite "
                "next folds it in (once the others close it)"]
    return []


def clear_write_ahead_log(path: Any) -> bool:
    """Folds the WAL into the store and truncates it, so that no page from before the forget is
    left in it; False if another connection's read keeps it (SQLite then checkpoints later)."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=2)) as db:
            busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return busy == 0
    except sqlite3.Error:
        return False
