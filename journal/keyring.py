"""The owner's journal keys: created once, sealed to the owner's X25519 key with HPKE, signed
by her Ed25519 identity key, kept in the key store, and opened in memory only after the
identity is unlocked; and the per-journal secrets derived from them.

A row that is not signed by her is ignored, with one line through `report`, and the command
goes on with her own keys: anyone who can write the store could have put it there, and it must
neither be used nor stop her using her journal. Only when no row of hers is left is the journal
refused. A journal made before rows were signed (one unsigned jk 1, its checkpoint signed with
the key derived from it the old way) is migrated on first use; see `_migrate`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from journal import chain, crypto, sealed_format
from journal.checkpoint_store import CheckpointStore
from journal.errors import NoJournal, TamperedRecord
from journal.identity import Identity
from journal.journal_key_store import JournalKeyStore, RefusedJournalKey, migrate

REPORTED_ROWS = 3


class Keyring:
    def __init__(self, identity: Identity):
        self.identity = identity
        self.datastore: Any = None
        self.store: Any = None
        self.report: Callable[[str], None] | None = None  # one line per refused row (the CLI: stderr)
        self._keys: dict[UUID, dict[int, bytes]] = {}
        self._refused: dict[UUID, list[str]] = {}
        self._migrated: set[UUID] = set()
        self._derived: dict[tuple[Any, ...], Any] = {}
        self._looked_again: set[UUID] = set()

    def attach(self, datastore: Any) -> None:
        self.datastore = datastore
        self.store = JournalKeyStore(datastore, lambda journal_id: self.row_signing_key(journal_id).public_key())

    def row_signing_key(self, journal_id: UUID) -> Any:
        """The key her journal-key rows are signed with (see crypto.JK_ROW_SIGNING_KEY_LABEL)."""
        return crypto.derived_signing_key(self.identity.signing_key.private_bytes_raw(),
                                          crypto.JK_ROW_SIGNING_KEY_LABEL, journal_id.hex)

    def create(self, journal_id: UUID) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            self.store.insert(c, self.first_key(journal_id))

    def first_key(self, journal_id: UUID) -> tuple[str, int, bytes, bytes]:
        """A new journal's first key, held from now on, and its signed row for the caller to write."""
        journal_key, jk_id = crypto.new_key(), 1
        sealed = sealed_format.seal_journal_key(journal_key, self.identity.encryption_key.public_key(),
                                                journal_id=journal_id, jk_id=jk_id)
        self._keys[journal_id], self._refused[journal_id] = {jk_id: journal_key}, []
        return self.store.signed_row(journal_id, jk_id, sealed, self.row_signing_key(journal_id))

    def _load(self, journal_id: UUID) -> dict[int, bytes]:
        if journal_id not in self._keys:
            signed, refused = self.store.read(journal_id)
            if not signed and not refused:
                raise NoJournal(f"this store has no journal for {self.identity.name}: "
                                "check --store / MJ_STORE, or run `mj init` against this store")
            if not signed and len(refused) == 1 and refused[0].unsigned and refused[0].jk_id == 1 \
                    and self._migrate(journal_id, refused[0]):
                signed, refused = self.store.read(journal_id)
            keys, reasons = {}, [(row.jk_id, row.reason) for row in refused]
            for row in signed:
                try:
                    keys[row.jk_id] = sealed_format.open_journal_key(
                        row.sealed, self.identity.encryption_key, journal_id=journal_id, jk_id=row.jk_id)
                except crypto.Unopenable:
                    reasons.append((row.jk_id, "does not open with your identity"))
                    continue
                if row.migrated:
                    self._migrated.add(journal_id)
            if not keys:
                raise TamperedRecord(f"journal {journal_id.hex[:8]} has no journal key of yours ("
                                     + "; ".join(f"journal key {jk_id} {reason}" for jk_id, reason in reasons)
                                     + "): it was altered or replaced, and nothing was read or written")
            lines = [_line(journal_id, jk_id, reason) for jk_id, reason in reasons]
            self._keys[journal_id], self._refused[journal_id] = keys, lines
            if self.report is not None:
                for line in lines[:REPORTED_ROWS]:
                    self.report(line)
                if len(lines) > REPORTED_ROWS:  # a store stuffed with rows must not flood her screen
                    self.report(f"and {len(lines) - REPORTED_ROWS} more journal-key rows of journal "
                                f"{journal_id.hex[:8]} that are not yours are ignored")
        return self._keys[journal_id]

    def _migrate(self, journal_id: UUID, row: RefusedJournalKey) -> bool:
        """Signs the unsigned jk 1 of a journal made before rows were signed, and re-signs its
        checkpoint with the newly derived key, in one transaction; only if jk 1 is the only row,
        opens with her identity, and her checkpoint verifies under the key derived from it the
        old way (so it is the key her records were written under, not one planted in place of
        it). Anything else is refused. What this cannot tell apart: a whole journal forged, with
        its own chain, before her first run of this version (the local anchor catches that)."""
        assert row.sealed is not None
        try:
            journal_key = sealed_format.open_journal_key(row.sealed, self.identity.encryption_key,
                                                         journal_id=journal_id, jk_id=1)
        except crypto.Unopenable:
            return False
        old, new = crypto.legacy_checkpoint_key(journal_key), chain.checkpoint_key(journal_key, journal_id)
        return migrate(self.store, journal_id, row.sealed, self.row_signing_key(journal_id),
                       lambda c: CheckpointStore.resign(c, journal_id, old, new))

    def keys_of(self, journal_id: UUID) -> dict[int, bytes]:
        """Every journal key of hers for this journal, by number."""
        return dict(self._load(journal_id))

    def reload(self, journal_id: UUID) -> None:
        """Forget what was read of this journal's keys: the next use reads the key store again
        (after `mj keys rotate`, here or in another process)."""
        self._keys.pop(journal_id, None)
        self._refused.pop(journal_id, None)
        for key in [k for k in self._derived if k[0] == journal_id]:
            del self._derived[key]

    def current(self, journal_id: UUID) -> tuple[int, bytes]:
        keys = self._load(journal_id)
        jk_id = max(keys)
        return jk_id, keys[jk_id]

    def key(self, journal_id: UUID, jk_id: int) -> bytes:
        keys = self._load(journal_id)
        if jk_id not in keys and jk_id > max(keys) and journal_id not in self._looked_again:
            self._looked_again.add(journal_id)  # once: a number planted on every row costs one read, not many
            self.reload(journal_id)  # newer than what was read: rotated meanwhile, by another process
            keys = self._load(journal_id)
        if jk_id not in keys:
            raise crypto.Unopenable()
        return keys[jk_id]

    def refused(self, journal_id: UUID) -> list[str]:
        """One line per journal-key row of this journal that was ignored as not hers."""
        self._load(journal_id)
        return list(self._refused[journal_id])

    def _derive(self, journal_id: UUID, jk_id: int, label: str) -> bytes:
        if (journal_id, jk_id, label) not in self._derived:
            journal_key = self._first_key(journal_id) if jk_id == 1 else self.key(journal_id, jk_id)
            self._derived[journal_id, jk_id, label] = crypto.derive_key(journal_key, label, journal_id.hex, jk_id)
        return self._derived[journal_id, jk_id, label]

    def _first_key(self, journal_id: UUID) -> bytes:
        keys = self._load(journal_id)
        if 1 not in keys:
            raise TamperedRecord(f"journal key 1 of journal {journal_id.hex[:8]} is missing or not yours: "
                                 "its checkpoint and pseudonyms cannot be checked")
        return keys[1]

    def checkpoint_key(self, journal_id: UUID) -> Any:
        """The checkpoint-signing key: from jk 1, which every journal has for as long as it lives."""
        if (journal_id, "checkpoint") not in self._derived:
            self._derived[journal_id, "checkpoint"] = chain.checkpoint_key(self._first_key(journal_id), journal_id)
        return self._derived[journal_id, "checkpoint"]

    def view_cache_key(self, journal_id: UUID, jk_id: int) -> bytes:
        return self._derive(journal_id, jk_id, crypto.VIEW_CACHE_KEY_LABEL)

    def current_view_cache_key(self, journal_id: UUID) -> tuple[int, bytes]:
        jk_id, _ = self.current(journal_id)
        return jk_id, self.view_cache_key(journal_id, jk_id)

    def pseudonym_keys(self, journal_id: UUID) -> list[bytes]:
        """The key to send programme contributions under, then any older key whose pseudonyms
        must still be recognised as hers: a migrated journal sent its months under jk 1 itself,
        and those months must not be counted twice. From jk 1, so that pseudonyms stay the same
        when a newer journal key is added."""
        keys = [self._derive(journal_id, 1, crypto.PSEUDONYM_KEY_LABEL)]
        if journal_id in self._migrated:
            keys.append(self._first_key(journal_id))
        return keys


def _line(journal_id: UUID, jk_id: int | str, reason: str) -> str:
    return (f"journal key {jk_id} of journal {journal_id.hex[:8]} {reason}, so it is ignored "
            "(someone who can write the store may have put it there)")
