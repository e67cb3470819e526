"""Portable SQL: statements written once, in SQLite's `?` style, run on either backend.

Statements use standard `ON CONFLICT` upserts (SQLite >= 3.24) and `RETURNING` (>= 3.35); the
PostgreSQL backend's cursor (`PostgresCursor`) adapts the placeholders, and `postgres_ddl`
translates a table definition. No table is named here: each store owns its own (journal/schema.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def postgres_ddl(statement: str) -> str:
    """A CREATE TABLE in SQLite's dialect, in PostgreSQL's: BYTEA for BLOB, no WITHOUT ROWID."""
    return statement.replace(" BLOB", " BYTEA").replace(" WITHOUT ROWID", "")


def for_cursor(c: Any, statement: str) -> str:
    """A CREATE TABLE in the dialect of the backend behind cursor `c`."""
    return postgres_ddl(statement) if isinstance(c, PostgresCursor) else statement


def upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """INSERT, or replace the row with the same key (portable `INSERT OR REPLACE`)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")


class PostgresCursor:
    """A psycopg cursor (tuple rows) that takes the stores' `?` placeholders."""

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
