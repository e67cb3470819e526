"""`mj keys rotate`: a new journal key, every data key wrapped again under it, the keys it replaces
deleted, in one transaction (a kill at any moment leaves the old key or the new one working).

Journal key 1 is the journal's root as well as its first wrapping key: the checkpoint's signing
key, the device anchor's key and the programme pseudonyms are derived from it, so that neither
her signed checkpoint nor her pseudonymous months change when she rotates. After a rotation it
wraps no data key; the wrapping keys between it and the newest one are deleted. Grants are
untouched: they seal data keys, not journal keys, to the mentors.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from journal import crypto, sealed_format
from journal.forgetting import forgotten_versions
from journal.journal_key_store import JournalKeyStore
from journal.sql import PostgresCursor
from journal.view_store import ViewCacheStore
from journal.store_errors import store_errors


@dataclass(frozen=True)
class Rotated:
    jk_id: int
    rewrapped: int
    deleted: list[int]


def rotate_journal_key(app: Any) -> Rotated:
    from journal import bound_state

    journal_id, keyring = app.journal_id, app.keyring
    with store_errors(app.store):
        stored, _ = bound_state.checked_chain(app)  # a damaged or rolled-back store is refused before any rewrite
        size = len(stored)
        forgotten = forgotten_versions(app.history())  # their keys stay deleted: never wrapped again
        keys = keyring.keys_of(journal_id)
        new_id, new_key = max(keys) + 1, crypto.new_key()
        sealed = sealed_format.seal_journal_key(new_key, app.identity.encryption_key.public_key(),
                                                journal_id=journal_id, jk_id=new_id)
        row = keyring.store.signed_row(journal_id, new_id, sealed, keyring.row_signing_key(journal_id))
        postgres = app.store.path is None
        events = app.recorder.events_table_name
        with app.recorder.datastore.transaction(commit=True) as c:
            if postgres:  # writers of her journal wait until this commits (they lock the same way)
                c.raw.execute(app.recorder.lock_table_statements[-1])
            JournalKeyStore.insert(c, row)  # on SQLite, the first write: from here no one else writes
            keyring.store.require_unchanged(c, journal_id, {*keys, new_id})
            c.execute(f"SELECT e.originator_version, e.topic, e.state, k.wrap, k.jk_id FROM {events} e "
                      "JOIN mj_data_keys k ON k.stream_id = ? AND k.kind = 'e' AND k.version = e.originator_version "
                      "WHERE e.originator_id = ?", (journal_id.hex, journal_id if postgres else journal_id.hex))
            # Her records only (rows past her signed checkpoint are no one's), each read as the recorders
            # read them: a value of the wrong type is a record that does not open, in one line.
            rows = [r for r in c.fetchall() if type(r[0]) is int and 1 <= r[0] <= size]
            rewrapped = [(new_id, _rewrap(app, journal_id, r, new_key, new_id), journal_id.hex, r[0])
                         for r in rows if r[0] not in forgotten]
            c.executemany("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = ?",
                          [(journal_id.hex, r[0]) for r in rows if r[0] in forgotten])
            c.executemany("UPDATE mj_data_keys SET jk_id = ?, wrap = ? WHERE stream_id = ? AND kind = 'e' "
                          "AND version = ?", rewrapped)
            # Snapshots and the view cache are sealed under the old key: they are made again below.
            c.execute("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 's'", (journal_id.hex,))
            c.execute(f"DELETE FROM {app.snapshots.recorder.events_table_name} WHERE originator_id = ?",
                      (journal_id if isinstance(c, PostgresCursor) else journal_id.hex,))
            ViewCacheStore.delete(c, journal_id)
            deleted = sorted(k for k in keys if k != 1)
            c.executemany("DELETE FROM mj_journal_keys WHERE journal_id = ? AND jk_id = ?",
                          [(journal_id.hex, k) for k in deleted])
    keyring.reload(journal_id)
    with contextlib.suppress(Exception):  # a snapshot and a cache only spare work; the next read redoes them
        journal = bound_state.load_journal(app)
        bound_state.put_snapshot(app, journal, app.recorder.checkpointer.head_signed(journal_id, journal.version))
        app.rebuild_view_cache()
    if app.store.path is not None:
        from journal.forgetting import clear_write_ahead_log

        clear_write_ahead_log(app.store.path)  # the old wraps' pages, out of the log
    return Rotated(new_id, len(rewrapped), deleted)


def _rewrap(app: Any, journal_id: UUID, row: Any, new_key: bytes, new_id: int) -> bytes:
    from journal.data_key_store import DataKeyStore
    from journal.mapper import SealedStoredEvent, typed_row

    topic, state = typed_row(row[1], row[2])
    stored = SealedStoredEvent(originator_id=journal_id, originator_version=row[0], topic=topic, state=state,
                               dek_wrap=DataKeyStore.wrap(row[3]), jk_id=DataKeyStore.jk_id(row[4]))
    dek = app.mapper.open_data_key(stored)  # a wrap that does not open stops the rotation: nothing changes
    return sealed_format.wrap_data_key(dek, journal_key=new_key, jk_id=new_id, stream_id=journal_id,
                                       version=row[0], topic=topic)
