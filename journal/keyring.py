"""The owner's journal keys: created once, sealed to the owner's X25519 key with HPKE, kept in
the key store, and opened in memory only after the identity is unlocked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from journal import crypto, sealed_format
from journal.errors import NoJournal, TamperedRecord
from journal.identity import Identity


class Keyring:
    def __init__(self, identity: Identity):
        self.identity = identity
        self.datastore: Any = None
        self._keys: dict[UUID, dict[int, bytes]] = {}

    def attach(self, datastore: Any) -> None:
        self.datastore = datastore

    def create(self, journal_id: UUID) -> None:
        journal_key, jk_id = crypto.new_key(), 1
        sealed = sealed_format.seal_journal_key(journal_key, self.identity.encryption_key.public_key(),
                                                journal_id=journal_id, jk_id=jk_id)
        with self.datastore.transaction(commit=True) as c:
            c.execute("INSERT INTO mj_journal_keys VALUES (?,?,?)", (journal_id.hex, jk_id, sealed))
        self._keys[journal_id] = {jk_id: journal_key}

    def _load(self, journal_id: UUID) -> dict[int, bytes]:
        if journal_id not in self._keys:
            with self.datastore.transaction(commit=False) as c:
                c.execute("SELECT jk_id, sealed FROM mj_journal_keys WHERE journal_id = ?", (journal_id.hex,))
                rows = c.fetchall()
            if not rows:
                raise NoJournal(f"this store has no journal for {self.identity.name}: "
                                "check --store / MJ_STORE, or run `mj init` against this store")
            keys = {}
            for jk_id, sealed in rows:
                try:
                    keys[jk_id] = sealed_format.open_journal_key(
                        bytes(sealed), self.identity.encryption_key, journal_id=journal_id, jk_id=jk_id)
                except crypto.Unopenable:
                    raise TamperedRecord(f"journal key {jk_id} of journal {journal_id.hex[:8]} does not "
                                         "open with your identity: it was altered or replaced") from None
            self._keys[journal_id] = keys
        return self._keys[journal_id]

    def current(self, journal_id: UUID) -> tuple[int, bytes]:
        keys = self._load(journal_id)
        jk_id = max(keys)
        return jk_id, keys[jk_id]

    def key(self, journal_id: UUID, jk_id: int) -> bytes:
        keys = self._load(journal_id)
        if jk_id not in keys:
            raise crypto.Unopenable()
        return keys[jk_id]
