"""The embedded SQLite store: eventsourcing's recorders plus the key store's tables (journal/schema.py).

Data-key wraps are written in the same transaction as their events (so a crash can leave
neither an unreadable event nor, usually, an orphan key), and the signed checkpoint moves in
that transaction too. Every connection runs with `secure_delete` so that deleted key bytes
are overwritten rather than left in free pages, and with `trusted_schema=OFF`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import (SQLiteAggregateRecorder, SQLiteApplicationRecorder,
                                  SQLiteConnection, SQLiteConnectionPool, SQLiteFactory)

from journal import data_key_store, schema
from journal.data_key_store import DataKeyStore
from journal.mapper import SealedStoredEvent, typed_row

class SecureDeletePool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection._sqlite_conn.execute("PRAGMA secure_delete=ON")
        # Whoever can write the file can plant triggers and views: they may call only SQLite's
        # innocuous functions, never one an extension or the application added to this connection.
        connection._sqlite_conn.execute("PRAGMA trusted_schema=OFF")
        return connection


class _SealedRecorderMixin:
    """Writes data-key wraps beside events and reads them back with one join."""

    kind = "e"
    checkpointer: Any = None
    events_table_name: str
    datastore: Any

    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + schema.sqlite_tables()  # type: ignore[misc]

    def _insert_events(self, c: Any, stored_events: Any, **kwargs: Any) -> Any:
        result = super()._insert_events(c, stored_events, **kwargs)  # type: ignore[misc]
        data_key_store.write_keys(c, self.kind, self.checkpointer, stored_events, kwargs)
        return result

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False, limit: int | None = None
                      ) -> list[StoredEvent]:
        stream = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        statement = (f"SELECT e.originator_version, e.topic, e.state, k.wrap, k.jk_id "
                     f"FROM {self.events_table_name} e LEFT JOIN mj_data_keys k "
                     "ON k.stream_id = e.originator_id AND k.kind = ? "
                     "AND k.version = e.originator_version WHERE e.originator_id = ? "
                     # A row whose version is not an integer is no record (a gap the chain check
                     # refuses), and must not take the place of a real one under LIMIT.
                     "AND typeof(e.originator_version) = 'integer' ")
        params: list[Any] = [self.kind, stream]
        if gt is not None:
            statement += "AND e.originator_version > ? "
            params.append(gt)
        if lte is not None:
            statement += "AND e.originator_version <= ? "
            params.append(lte)
        statement += "ORDER BY e.originator_version " + ("DESC " if desc else "ASC ")
        if limit is not None:
            statement += "LIMIT ?"
            params.append(limit)
        stream_id = UUID(stream)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [SealedStoredEvent(originator_id=stream_id, originator_version=row[0], topic=topic,
                                      state=state, dek_wrap=DataKeyStore.wrap(row[3]),
                                      jk_id=DataKeyStore.jk_id(row[4]))
                    for row in c.fetchall() if type(row[0]) is int for topic, state in [typed_row(row[1], row[2])]]


@dataclass(frozen=True)
class SealedNotification(Notification):
    dek_wrap: bytes | None = None
    jk_id: int = 0


class SealedApplicationRecorder(_SealedRecorderMixin, SQLiteApplicationRecorder):
    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Any = (), *, inclusive_of_start: bool = True) -> list[Notification]:
        """The notification log, each row with its data-key wrap, so the mapper can open it."""
        statement = (f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, k.wrap, k.jk_id "
                     f"FROM {self.events_table_name} e LEFT JOIN mj_data_keys k ON k.stream_id = e.originator_id "
                     "AND k.kind = 'e' AND k.version = e.originator_version WHERE 1=1 ")
        params: list[Any] = []
        if start is not None:
            statement += "AND e.rowid >= ? " if inclusive_of_start else "AND e.rowid > ? "
            params.append(start)
        if stop is not None:
            statement += "AND e.rowid <= ? "
            params.append(stop)
        if topics:
            statement += f"AND e.topic IN ({','.join('?' * len(topics))}) "
            params += list(topics)
        statement += "ORDER BY e.rowid LIMIT ?"
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [SealedNotification(id=r[0], originator_id=UUID(r[1]), originator_version=r[2], topic=r[3],
                                       state=r[4], dek_wrap=DataKeyStore.wrap(r[5]), jk_id=DataKeyStore.jk_id(r[6]))
                    for r in c.fetchall()]


class SealedSnapshotRecorder(_SealedRecorderMixin, SQLiteAggregateRecorder):
    kind = "s"


class SealedSQLiteFactory(SQLiteFactory):
    aggregate_recorder_class = SealedSnapshotRecorder
    application_recorder_class = SealedApplicationRecorder

    def __init__(self, env: Any):
        super().__init__(env)
        pool = self.datastore.pool
        db_name, path = pool.db_name, Path(pool.db_name)
        # A store whose permission bits forbid writing is opened read-only, so that SQLite
        # refuses writes even for a superuser who would otherwise ignore the bits.
        if path.is_file() and not path.stat().st_mode & 0o222:
            db_name = path.resolve().as_uri() + "?mode=ro"
        self.datastore.pool = SecureDeletePool(db_name=db_name, lock_timeout=pool.lock_timeout)
