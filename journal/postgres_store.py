"""The shared store on PostgreSQL: eventsourcing's own PostgreSQL recorders plus the key store's tables.

As on SQLite, the data-key wraps, the signed checkpoint and the grants commit in the same
transaction as the events they belong to. Journal writes take eventsourcing's EXCLUSIVE lock
on the events table first, so the checkpoint's read-then-write is never interleaved and
notification ids become visible in order.

One connection per process, made when first needed and made again if the server dropped it,
in place of eventsourcing's connection pool: a command needs one connection, a pool's worker
threads cost start-up time, and a pool turns "wrong password" into a time-out after 30 s.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import (PostgresAggregateRecorder, PostgresApplicationRecorder, PostgresDatastore,
                                    PostgresFactory)
from eventsourcing.utils import Environment
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from journal import data_key_store, schema
from journal.data_key_store import DataKeyStore
from journal.mapper import SealedStoredEvent, typed_row
from journal.sql import PostgresCursor

CONNECT_TIMEOUT_SECONDS = 5
SCHEMA_LOCK = int.from_bytes(b"mj/schema", "big") % 2**63  # the advisory lock key for making tables


class OneConnection:
    """What PostgresDatastore needs of a pool: `open`, `connection()`, `close`."""

    def __init__(self, kwargs: dict[str, Any], configure: Any):
        self.kwargs, self.configure = kwargs, configure
        self._connection: psycopg.Connection[Any] | None = None
        self._lock = threading.RLock()

    def open(self, wait: bool = False, timeout: float = 0) -> None:
        pass

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[psycopg.Connection[Any]]:
        with self._lock:
            conn = self._connection
            if conn is None or conn.closed or conn.broken:
                conn = psycopg.Connection.connect(**self.kwargs, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                                  application_name="mj")
                self.configure(conn)
                self._connection = conn
            yield conn

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> OneConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SealedPostgresDatastore(PostgresDatastore):
    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.pool = OneConnection(self.pool.kwargs, self._configure)  # type: ignore[assignment]

    def _configure(self, conn: psycopg.Connection[Any]) -> None:
        self.after_connect_func()(conn)
        # Once per connection rather than SET LOCAL in every write: one round trip fewer.
        conn.execute(SQL("SET lock_timeout = '{0}s'").format(self.lock_timeout))

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor outside any transaction (autocommit), for a single SELECT: no BEGIN and
        ROLLBACK round trips around it."""
        with self.get_connection() as conn:
            yield conn.cursor(row_factory=tuple_row)

    @contextmanager
    def transaction(self, *, commit: bool = False) -> Iterator[Any]:
        """A transaction whose cursor takes the key store's `?` statements and gives tuples."""
        with self.get_connection() as conn, conn.transaction(force_rollback=not commit):
            yield PostgresCursor(conn.cursor(row_factory=tuple_row))


@dataclass(frozen=True)
class SealedNotification(Notification):
    dek_wrap: bytes | None = None
    jk_id: int = 0


class _SealedPostgresMixin:
    kind = "e"
    checkpointer: Any = None
    datastore: SealedPostgresDatastore
    events_table_name: str
    sql_create_statements: list[Any]
    insert_events_statement: Any

    def _table(self) -> Any:
        return SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier(self.events_table_name))

    def create_table(self) -> None:
        """eventsourcing's tables, type and function, and the key store's, made by whoever
        comes first: everything in one transaction under an advisory lock, so that people
        running `mj init` at the same moment on a new database do not trip over each other."""
        type_name = self.stored_event_type_name  # type: ignore[attr-defined]
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            c.execute("SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                      "WHERE n.nspname = ? AND t.typname = ?", (self.datastore.schema, type_name))
            type_exists = c.fetchone() is not None
            statements = sorted(self.sql_create_statements, key=lambda s: "CREATE TYPE" not in s.as_string())
            for statement in statements:
                if not (type_exists and "CREATE TYPE" in statement.as_string()):
                    c.raw.execute(statement, prepare=False)
        self.datastore.register_type_adapters()

    def _add_key_tables(self) -> None:
        self.sql_create_statements += [SQL(statement) for statement in schema.postgres_tables()]  # type: ignore[arg-type]

    def _insert_with_keys(self, stored_events: Sequence[StoredEvent], changes: dict[str, Any],
                          lock: Any = None) -> list[int]:
        if not stored_events:
            return []
        rows = [self.construct_pg_stored_event(s.originator_id, s.originator_version, s.topic, s.state)  # type: ignore[attr-defined]
                for s in stored_events]
        with self.datastore.transaction(commit=True) as c:
            if lock is not None:
                c.raw.execute(lock, prepare=True)
            c.raw.execute(self.insert_events_statement, (rows,))
            ids = [row[0] for row in c.raw.fetchall()] if c.raw.description else []
            data_key_store.write_keys(c, self.kind, self.checkpointer, stored_events, changes)
        return ids

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> list[StoredEvent]:
        stream_id = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        # The version range is given to both sides of the join, so that the planner reads only
        # the keys in range by their primary key, not every key of the stream (seen: 50 ms
        # against 0.3 ms for the tail of a 10,000-record journal before statistics exist).
        key_range, event_range, bounds = SQL(""), SQL(""), []
        if gt is not None:
            key_range += SQL(" AND k.version > %s")
            event_range += SQL(" AND e.originator_version > %s")
            bounds.append(gt)
        if lte is not None:
            key_range += SQL(" AND k.version <= %s")
            event_range += SQL(" AND e.originator_version <= %s")
            bounds.append(lte)
        statement = SQL("SELECT e.originator_version, e.topic, e.state, k.wrap, k.jk_id FROM {0} e "
                        "LEFT JOIN mj_data_keys k ON k.stream_id = %s AND k.kind = %s "
                        "AND k.version = e.originator_version{1} WHERE e.originator_id = %s{2}").format(
            self._table(), key_range, event_range)
        params: list[Any] = [stream_id.hex, self.kind, *bounds, stream_id, *bounds]
        statement += SQL(" ORDER BY e.originator_version DESC" if desc else " ORDER BY e.originator_version ASC")
        if limit is not None:
            statement += SQL(" LIMIT %s")
            params.append(limit)
        with self.datastore.cursor() as c:
            c.execute(statement, params, prepare=True)
            return [SealedStoredEvent(originator_id=stream_id, originator_version=r[0], topic=topic, state=state,
                                      dek_wrap=DataKeyStore.wrap(r[3]), jk_id=DataKeyStore.jk_id(r[4]))
                    for r in c.fetchall() for topic, state in [typed_row(r[1], r[2])]]


class SealedPostgresApplicationRecorder(_SealedPostgresMixin, PostgresApplicationRecorder):
    def __init__(self, datastore: SealedPostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self._add_key_tables()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # Not retried on a lost connection, unlike eventsourcing's: a write whose commit may or
        # may not have happened is reported, never silently sent a second time.
        return self._insert_with_keys(stored_events, kwargs, lock=self.lock_table_statements[-1])

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True) -> list[Notification]:
        """The notification log, each row with its data-key wrap, so the mapper can open it."""
        statement = SQL("SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, "
                        "k.wrap, k.jk_id FROM {0} e LEFT JOIN mj_data_keys k "
                        "ON k.stream_id = replace(e.originator_id::text, '-', '') AND k.kind = 'e' "
                        "AND k.version = e.originator_version WHERE TRUE").format(self._table())
        params: list[Any] = []
        if start is not None:
            statement += SQL(" AND e.notification_id >= %s" if inclusive_of_start else " AND e.notification_id > %s")
            params.append(start)
        if stop is not None:
            statement += SQL(" AND e.notification_id <= %s")
            params.append(stop)
        if topics:
            statement += SQL(" AND e.topic = ANY(%s)")
            params.append(list(topics))
        statement += SQL(" ORDER BY e.notification_id LIMIT %s")
        params.append(limit)
        with self.datastore.cursor() as c:
            c.execute(statement, params, prepare=True)
            return [SealedNotification(id=r[0], originator_id=r[1], originator_version=r[2], topic=r[3], state=r[4],
                                       dek_wrap=DataKeyStore.wrap(r[5]), jk_id=DataKeyStore.jk_id(r[6]))
                    for r in c.fetchall()]


class SealedPostgresSnapshotRecorder(_SealedPostgresMixin, PostgresAggregateRecorder):
    kind = "s"

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        # eventsourcing writes snapshots in autocommit mode; a snapshot and its key go together.
        self._insert_with_keys(stored_events, kwargs)
        return None


class SealedPostgresFactory(PostgresFactory):
    """Built from the few settings JournalApp.construct_env gives (POSTGRES_*), nothing else."""

    aggregate_recorder_class = SealedPostgresSnapshotRecorder
    application_recorder_class = SealedPostgresApplicationRecorder

    def __init__(self, env: Environment):
        self.env = env
        self._is_entered = False
        self.datastore = SealedPostgresDatastore(
            dbname=env.get("POSTGRES_DBNAME", ""), host=env.get("POSTGRES_HOST", ""),
            port=env.get("POSTGRES_PORT", "5432"), user=env.get("POSTGRES_USER", ""),
            password=env.get("POSTGRES_PASSWORD", ""),
            connect_timeout=CONNECT_TIMEOUT_SECONDS, idle_in_transaction_session_timeout=30,
            lock_timeout=int(env.get("POSTGRES_LOCK_TIMEOUT", "5")), pool_size=1)

    def env_create_table(self) -> bool:
        return self.env.get("CREATE_TABLE", "y") == "y"

