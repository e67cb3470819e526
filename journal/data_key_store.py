"""The data-key table (mj_data_keys) and the writes that share the events' own transaction.

    mj_data_keys (stream_id, kind, version, jk_id, wrap)
    kind "e" for an event, "s" for a snapshot; wrap = the record's data key, sealed under the
    journal key jk_id (journal/sealed_format.py)

The recorders (journal/sqlite_store.py, journal/postgres_store.py) read the wraps with one join
beside the events they belong to, and decode those columns here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journal import columns
from journal.grants import GrantStore

MAX_WRAP = 1024  # a wrapped 32-byte key is 61 bytes; anything far larger is not one
MAX_JK_ID = 2**31 - 1


class DataKeyStore:
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_data_keys (stream_id TEXT, kind TEXT, version INTEGER, "
        "jk_id INTEGER, wrap BLOB, PRIMARY KEY (stream_id, kind, version)) WITHOUT ROWID",
    ]

    @staticmethod
    def insert(c: Any, kind: str, stored_events: Sequence[Any]) -> None:
        c.executemany("INSERT INTO mj_data_keys (stream_id, kind, version, jk_id, wrap) VALUES (?,?,?,?,?)",
                      [(s.originator_id.hex, kind, s.originator_version, s.jk_id, s.dek_wrap) for s in stored_events])

    # The joined columns, decoded: a wrap that is absent or malformed is None (the mapper then
    # refuses the record as having no data key); a key number that is, 0 (the mapper reads the
    # number from the record itself).

    @staticmethod
    def wrap(value: Any) -> bytes | None:
        return columns.blob(value, limit=MAX_WRAP)

    @staticmethod
    def jk_id(value: Any) -> int:
        return columns.integer(value, 1, MAX_JK_ID) or 0


def write_keys(c: Any, kind: str, checkpointer: Any, stored_events: Sequence[Any], changes: dict[str, Any]) -> None:
    """In the events' own transaction: a new journal's first key and directory entry, the signed
    checkpoint, the data-key wraps, and the grants that the events record (EntryReleased,
    ReleaseRevoked)."""
    # A new journal's first key and its owner's directory entry move with its first event:
    # `mj init` writes all three or none.
    if changes.get("journal_key_row") is not None:
        from journal.journal_key_store import JournalKeyStore

        JournalKeyStore.insert(c, changes["journal_key_row"])
    if changes.get("directory_entry") is not None:
        from journal.directory import DirectoryStore

        DirectoryStore.insert(c, changes["directory_entry"])
    if changes.get("recovery_row") is not None:
        from journal.recovery import RecoveryStore

        RecoveryStore.insert(c, changes["recovery_row"])
    # The checkpoint goes first: if the log was cut short, the stale key row of a deleted
    # record must not be mistaken for a lost race on the key table.
    if kind == "e":
        if checkpointer is None:
            raise RuntimeError("journal events written without an unlocked identity")
        checkpointer.extend(c, stored_events)
    _require_keys(c, stored_events)
    DataKeyStore.insert(c, kind, stored_events)
    if kind == "e" and changes.get("forget"):
        from journal.forgetting import delete_keys

        delete_keys(c, changes)  # her tombstone and the keys it names go together
    # Grants, and her signed list of the live ones, move with the events that record them, so
    # the journal never says "released" without a grant, or "revoked" while one remains.
    GrantStore.write(c, changes)
    if changes.get("completion_document") is not None:  # with the CompletionPresented that records it
        from journal.completion_store import CompletionStore

        CompletionStore.insert(c, changes["completion_document"])


def _require_keys(c: Any, stored_events: Sequence[Any]) -> None:
    """Refuses, as a lost race, records wrapped under a journal key that `mj keys rotate` deleted
    after this process read it: update() then reads the keys again and writes under the new one."""
    from eventsourcing.persistence import IntegrityError

    for stream, jk_id in {(s.originator_id.hex, s.jk_id) for s in stored_events if s.jk_id}:
        c.execute("SELECT 1 FROM mj_journal_keys WHERE journal_id = ? AND jk_id = ?", (stream, jk_id))
        if c.fetchone() is None:
            raise IntegrityError(f"journal key {jk_id} of journal {stream[:8]} was rotated away meanwhile")
