"""The key store's tables and writes, shared by the SQLite and PostgreSQL backends.

The statements are written once, in SQLite's `?` style with standard `ON CONFLICT` upserts
(SQLite >= 3.24) and `RETURNING` (>= 3.35); the PostgreSQL backend's cursor (`PostgresCursor`)
adapts the placeholders. Only the table definitions differ (BLOB or BYTEA, and the explicit
serial `rowid` that PostgreSQL lacks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journal import grants

SQLITE_TABLES = [
    "CREATE TABLE IF NOT EXISTS mj_data_keys (stream_id TEXT, kind TEXT, version INTEGER, "
    "jk_id INTEGER, wrap BLOB, PRIMARY KEY (stream_id, kind, version)) WITHOUT ROWID",
    # read and written only through journal/journal_key_store.py, which adds `signature` to older stores
    "CREATE TABLE IF NOT EXISTS mj_journal_keys (journal_id TEXT, jk_id INTEGER, sealed BLOB, "
    "signature BLOB, PRIMARY KEY (journal_id, jk_id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS mj_checkpoints (stream_id TEXT PRIMARY KEY, size INTEGER, "
    "head BLOB, signature BLOB) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS mj_view_cache (journal_id TEXT PRIMARY KEY, version INTEGER, "
    "blob BLOB, wrap BLOB) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS mj_directory (fingerprint TEXT PRIMARY KEY, entry BLOB, signature BLOB)",
    "CREATE TABLE IF NOT EXISTS mj_grants (grant_id TEXT PRIMARY KEY, journal_id TEXT, version INTEGER, "
    "mentee_fingerprint TEXT, mentor_fingerprint TEXT, granted_at TEXT, sealed BLOB, signature BLOB)",
    grants.LIVE_TABLE,  # read and written only through journal/grants.py
    "CREATE TABLE IF NOT EXISTS mj_programmes (name TEXT PRIMARY KEY, manager_fingerprint TEXT, "
    "public_key BLOB, sealed_private BLOB, k INTEGER, epsilon TEXT, months INTEGER, created TEXT, signature BLOB)",
    "CREATE TABLE IF NOT EXISTS mj_contributions (programme TEXT, period TEXT, pseudonym BLOB, sealed BLOB, "
    "PRIMARY KEY (programme, period, pseudonym))",
    "CREATE TABLE IF NOT EXISTS mj_programme_views (programme TEXT PRIMARY KEY, position INTEGER, sealed BLOB)",
    "CREATE TABLE IF NOT EXISTS mj_programme_releases (programme TEXT, period TEXT, row TEXT, "
    "PRIMARY KEY (programme, period))",
    "CREATE TABLE IF NOT EXISTS mj_privacy_ledger (programme TEXT, quarter TEXT, spent TEXT, "
    "PRIMARY KEY (programme, quarter))",
    "CREATE TABLE IF NOT EXISTS mj_inbox (message_id TEXT PRIMARY KEY, recipient_fingerprint TEXT, "
    "sender_fingerprint TEXT, sent_at TEXT, sealed BLOB, signature BLOB)",
]


def _postgres(statement: str) -> str:
    statement = statement.replace(" BLOB", " BYTEA").replace(" WITHOUT ROWID", "")
    statement = statement.replace("position INTEGER", "position BIGINT")
    if "mj_contributions" in statement:  # SQLite's implicit rowid, made explicit
        statement = statement.replace("sealed BYTEA,", "sealed BYTEA, rowid BIGSERIAL UNIQUE,")
    return statement


POSTGRES_TABLES = [_postgres(s) for s in SQLITE_TABLES]


def upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """INSERT, or replace the row with the same key (portable `INSERT OR REPLACE`)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")


class PostgresCursor:
    """A psycopg cursor (tuple rows) that takes the key store's `?` placeholders."""

    def __init__(self, cursor: Any):
        self.raw = cursor

    @staticmethod
    def _adapt(statement: str) -> str:
        return statement.replace("%", "%%").replace("?", "%s")

    def execute(self, statement: Any, params: Any = (), **options: Any) -> None:
        self.raw.execute(self._adapt(statement) if isinstance(statement, str) else statement, params, **options)

    def executemany(self, statement: str, rows: Any) -> None:
        rows = list(rows)
        if rows:
            self.raw.executemany(self._adapt(statement), rows)

    def fetchone(self) -> Any:
        return self.raw.fetchone()

    def fetchall(self) -> Any:
        return self.raw.fetchall()


def take_turns(c: Any, table: str) -> None:
    """Writers to `table` take turns until this transaction ends; readers are not blocked.

    For a read-then-write (the privacy ledger), and for a table that readers page through by
    rowid (contributions), whose rows must become visible in rowid order. SQLite has one
    writer at a time anyway; PostgreSQL hands out serials before commit and runs READ
    COMMITTED, so it takes an EXCLUSIVE table lock, as eventsourcing does for its events."""
    if isinstance(c, PostgresCursor):
        c.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


def write_keys(c: Any, kind: str, checkpointer: Any, stored_events: Sequence[Any], changes: dict[str, Any]) -> None:
    """In the events' own transaction: the signed checkpoint, the data-key wraps, and the
    grants that the events record (EntryReleased, ReleaseRevoked)."""
    # The checkpoint goes first: if the log was cut short, the stale key row of a deleted
    # record must not be mistaken for a lost race on the key table.
    if kind == "e":
        if checkpointer is None:
            raise RuntimeError("journal events written without an unlocked identity")
        checkpointer.extend(c, stored_events)
    c.executemany("INSERT INTO mj_data_keys (stream_id, kind, version, jk_id, wrap) VALUES (?,?,?,?,?)",
                  [(s.originator_id.hex, kind, s.originator_version, s.jk_id, s.dek_wrap) for s in stored_events])
    # Grants, and her signed list of the live ones, move with the events that record them, so
    # the journal never says "released" without a grant, or "revoked" while one remains.
    if changes.get("live_grants") is not None:  # a store made before the list existed gains it here
        c.execute(_postgres(grants.LIVE_TABLE) if isinstance(c, PostgresCursor) else grants.LIVE_TABLE)
    grants.GrantStore.write(c, changes)
