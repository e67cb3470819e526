"""Database failures, translated once into one line a person can act on (never the password)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.persistence import PersistenceError

from journal.config import StoreLocation
from journal.errors import StoreUnavailable


def store_failure(error: BaseException, store: StoreLocation | Path | str) -> StoreUnavailable | None:
    """The one-line explanation of a database failure, or None when it is not one."""
    if not isinstance(error, (PersistenceError, sqlite3.Error)):
        return None
    where = StoreLocation.of(store) if isinstance(store, (StoreLocation, Path)) else None
    reason = str(error).lower()
    if where is not None and where.is_postgres:
        return _postgres_failure(where, reason) or StoreUnavailable(where.redact(f"store {where} failed: {error}"))
    if "locked" in reason or "busy" in reason:
        return StoreUnavailable(f"store {store} is busy with another writer; nothing was saved, try again")
    if "readonly" in reason or "read-only" in reason:
        return StoreUnavailable(f"store {store} is read-only; nothing was saved")
    if "not a database" in reason or "malformed" in reason:
        return StoreUnavailable(f"{store} is not a journal store (it is not an SQLite database)")
    if "unable to open" in reason:
        return StoreUnavailable(f"store {store} cannot be opened: check the path and its permissions")
    return StoreUnavailable(f"store {store} failed: {error}")


_POSTGRES_FAILURES = [
    (("password authentication failed", "no password supplied", "role \"", "peer authentication failed",
      "no pg_hba.conf entry"),
     "the PostgreSQL server at {server} refused user {user}: wrong password, unknown user or host not allowed "
     "(give the password in the URL, PGPASSWORD or ~/.pgpass)"),
    (("does not exist",), "database {db!r} does not exist on {server}: ask the server's operator to create it"),
    (("connection refused", "could not translate host name", "failed to resolve host", "timeout expired",
      "no route to host", "network is unreachable", "could not connect"),
     "cannot reach the PostgreSQL server at {server}: is it running and accepting connections?"),
    (("terminating connection", "server closed the connection", "connection is lost", "consuming input failed",
      "the connection is closed", "connection is bad", "server conn crashed", "sending query failed"),
     "the PostgreSQL server at {server} closed the connection (restarted or stopped?): if this command was "
     "writing, check with `mj entries` whether it landed before running it again"),
    (("lock timeout", "deadlock detected", "could not serialize"),
     "store {store} is busy with other writers; nothing was saved, try again"),
    (("read-only transaction",), "store {store} is read-only; nothing was saved"),
    (("permission denied",), "user {user} is not allowed to use the journal tables in {store}: ask the server's "
                              "operator for access"),
]


def _postgres_failure(where: StoreLocation, reason: str) -> StoreUnavailable | None:
    if "relation" in reason and "does not exist" in reason:
        return StoreUnavailable(f"{where} holds no journal store yet: run `mj init` against it first")
    for needles, message in _POSTGRES_FAILURES:
        if any(needle in reason for needle in needles):
            text = message.format(server=f"{where.host}:{where.port}", user=where.user, db=where.dbname, store=where)
            return StoreUnavailable(where.redact(text))
    return None


@contextmanager
def store_errors(store: StoreLocation | Path) -> Iterator[None]:
    """Turns database failures into one clear line; the transaction has already rolled back."""
    try:
        yield
    except (PersistenceError, sqlite3.Error) as error:
        raise store_failure(error, store) from None
