"""The journal-key table group (mj_journal_keys): its SQL for both backends, typed decoding of
every column, and the owner's signature checked on every row before it is handed out.

    mj_journal_keys (journal_id, jk_id, sealed, signature)
    signature = Ed25519(row key, lp("mj/v1/jk-row", journal_id, jk_id, sealed)), where the row key
    is derived from the owner's identity signing key and the journal id (Keyring.row_signing_key)

Stores made before rows were signed lack the `signature` column; it is read as NULL there, and
added (in the migration's own transaction) when the owner signs her first row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from journal import columns, sealed_format
from journal.sql import PostgresCursor

MAX_SEALED = 1024  # an HPKE-sealed 32-byte key is 81 bytes; anything far larger is not one
MAX_JK_ID = 2**31 - 1


@dataclass(frozen=True)
class SignedJournalKey:
    """A row whose signature by the owner holds: still sealed, opened by the keyring."""

    jk_id: int
    sealed: bytes
    migrated: bool  # signed when a journal made before signatures was migrated (see keyring.py)


@dataclass(frozen=True)
class RefusedJournalKey:
    """A row that is not the owner's: `unsigned` rows of an old store may still be migrated."""

    jk_id: int | str
    reason: str
    unsigned: bool = False
    sealed: bytes | None = None


class JournalKeyStore:
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_journal_keys (journal_id TEXT, jk_id INTEGER, sealed BLOB, "
        "signature BLOB, PRIMARY KEY (journal_id, jk_id)) WITHOUT ROWID",
    ]

    def __init__(self, datastore: Any, owner: Callable[[UUID], Any]):
        self.datastore, self.owner = datastore, owner  # owner(journal_id): the public key her rows verify under

    def read(self, journal_id: UUID) -> tuple[list[SignedJournalKey], list[RefusedJournalKey]]:
        with self.datastore.transaction(commit=False) as c:
            # `*` so that a store without the signature column reads as unsigned, not as an error
            c.execute("SELECT * FROM mj_journal_keys WHERE journal_id = ?", (journal_id.hex,))
            names = [column[0] for column in _raw(c).description]
            rows = [dict(zip(names, row, strict=True)) for row in c.fetchall()]
        signed: list[SignedJournalKey] = []
        refused: list[RefusedJournalKey] = []
        for row in rows:
            checked = self._check(journal_id, row)
            (signed if isinstance(checked, SignedJournalKey) else refused).append(checked)  # type: ignore[arg-type]
        return signed, refused

    def _check(self, journal_id: UUID, row: dict[str, Any]) -> SignedJournalKey | RefusedJournalKey:
        jk_id = columns.integer(row.get("jk_id"), 1, MAX_JK_ID)
        sealed = columns.blob(row.get("sealed"), limit=MAX_SEALED)
        if jk_id is None:
            return RefusedJournalKey("?", "has no valid key number")  # never echo a stranger's bytes
        if not sealed:
            return RefusedJournalKey(jk_id, "holds no sealed key")
        if row.get("signature") is None:  # NULL, or no such column: a row of a store made before signatures
            return RefusedJournalKey(jk_id, "is not signed by you", unsigned=True, sealed=sealed)
        signature = columns.blob(row.get("signature"), size=sealed_format.SIGNATURE_SIZE)
        label = None if signature is None else (
            sealed_format.journal_key_row_label(self.owner(journal_id), signature, journal_id=journal_id, jk_id=jk_id,
                                                sealed=sealed))
        if label is None:
            return RefusedJournalKey(jk_id, "is not signed by you")
        return SignedJournalKey(jk_id, sealed, migrated=label == sealed_format.JK_ROW_MIGRATED_LABEL)

    def require_unchanged(self, c: Any, journal_id: UUID, expected: set[int]) -> list[SignedJournalKey]:
        """In a writer's transaction, once it holds the lock: her rows exactly as this process read
        them (the numbers in `expected`, each signed by this identity's row key), else ConcurrentWrite
        (another process rotated her journal key or her identity keys meanwhile: rows sealed now
        under what this process holds would be sealed to keys she no longer has)."""
        from journal.errors import ConcurrentWrite

        c.execute("SELECT jk_id, sealed, signature FROM mj_journal_keys WHERE journal_id = ?", (journal_id.hex,))
        rows = [self._check(journal_id, {"jk_id": r[0], "sealed": r[1], "signature": r[2]}) for r in c.fetchall()]
        signed = [row for row in rows if isinstance(row, SignedJournalKey)]
        if {row.jk_id for row in signed} != expected:
            raise ConcurrentWrite("your keys changed while this command ran (a key rotation in another process?): "
                                  "nothing was written; run it again")
        return signed

    def add(self, journal_id: UUID, jk_id: int, sealed: bytes, signing_key: Any) -> None:
        with self.datastore.transaction(commit=True) as c:
            self.insert(c, self.signed_row(journal_id, jk_id, sealed, signing_key))

    @staticmethod
    def signed_row(journal_id: UUID, jk_id: int, sealed: bytes, signing_key: Any) -> tuple[str, int, bytes, bytes]:
        signature = sealed_format.sign_journal_key_row(signing_key, journal_id=journal_id, jk_id=jk_id, sealed=sealed)
        return journal_id.hex, jk_id, sealed, signature

    @staticmethod
    def insert(c: Any, row: tuple[str, int, bytes, bytes]) -> None:
        """In the caller's transaction (a new journal's first key moves with its first event)."""
        _add_signature_column(c)  # a new journal in a store made by an older version
        c.execute("INSERT INTO mj_journal_keys (journal_id, jk_id, sealed, signature) VALUES (?,?,?,?)", row)

    def sign_unsigned_first_key(self, journal_id: UUID, sealed: bytes, signing_key: Any,
                                also: Callable[[Any], bool]) -> bool:
        """Migration: adds the signature column if the store lacks it, signs jk 1 (exactly
        these sealed bytes, still unsigned, still the only row) under the migration label, and
        runs `also(cursor)` in the same transaction; nothing is written unless `also` says True."""
        signature = sealed_format.sign_journal_key_row(signing_key, journal_id=journal_id, jk_id=1, sealed=sealed,
                                                       migrated=True)
        with self.datastore.transaction(commit=True) as c:
            _add_signature_column(c)
            c.execute("SELECT jk_id, sealed, signature FROM mj_journal_keys WHERE journal_id = ?", (journal_id.hex,))
            rows = c.fetchall()
            if len(rows) != 1 or columns.integer(rows[0][0], 1, 1) is None \
                    or columns.blob(rows[0][1], limit=MAX_SEALED) != sealed or rows[0][2] is not None:
                raise _Changed()
            if not also(c):
                raise _Changed()
            c.execute("UPDATE mj_journal_keys SET signature = ? WHERE journal_id = ? AND jk_id = 1",
                      (signature, journal_id.hex))
        return True


class _Changed(Exception):
    """Raised inside the migration's transaction to roll it back."""


def migrate(store: JournalKeyStore, journal_id: UUID, sealed: bytes, signing_key: Any,
            also: Callable[[Any], bool]) -> bool:
    """`store.sign_unsigned_first_key`, False (and nothing written) when a condition failed."""
    try:
        return store.sign_unsigned_first_key(journal_id, sealed, signing_key, also)
    except _Changed:
        return False


def _add_signature_column(c: Any) -> None:
    """Stores made before rows were signed lack the column; only the first client to need it
    alters the table (on PostgreSQL it must own the table: the role that ran the first `mj init`)."""
    if isinstance(c, PostgresCursor):
        c.execute("LOCK TABLE mj_journal_keys IN EXCLUSIVE MODE")
        c.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                  "AND table_name = 'mj_journal_keys' AND column_name = 'signature'")
        if c.fetchone() is None:
            c.execute("ALTER TABLE mj_journal_keys ADD COLUMN signature BYTEA")
        return
    c.execute("SELECT 1 FROM pragma_table_info('mj_journal_keys') WHERE name = 'signature'")
    if c.fetchone() is None:
        c.execute("ALTER TABLE mj_journal_keys ADD COLUMN signature BLOB")


def _raw(c: Any) -> Any:
    return c.raw if isinstance(c, PostgresCursor) else getattr(c, "sqlite_cursor", c)
