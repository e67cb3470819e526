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
    if not isinstance(error, (PersistenceError, sqlite3.Error)) and _server_error(error) is None:
        return None
    where = StoreLocation.of(store) if isinstance(store, (StoreLocation, Path)) else None
    reason = str(error).lower()
    if where is not None and where.is_postgres:
        return _postgres_failure(where, error) or StoreUnavailable(where.redact(f"store {where} failed: {error}"))
    if "locked" in reason or "busy" in reason:
        return StoreUnavailable(f"store {store} is busy with another writer; nothing was saved, try again")
    if "readonly" in reason or "read-only" in reason:
        return StoreUnavailable(f"store {store} is read-only; nothing was saved")
    if "not a database" in reason or "malformed" in reason:
        return StoreUnavailable(f"{store} is not a journal store (it is not an SQLite database)")
    if "unable to open" in reason:
        return StoreUnavailable(f"store {store} cannot be opened: check the path and its permissions")
    return StoreUnavailable(f"store {store} failed: {error}")


_POSTGRES_SENTENCES = {
    "refused": "the PostgreSQL server at {server} refused user {user}: wrong password, unknown user or host not "
               "allowed (give the password in the URL, PGPASSWORD or ~/.pgpass)",
    "no database": "database {db!r} does not exist on {server}: ask the server's operator to create it",
    "no tables": "{store} holds no journal store yet: run `mj init` against it first",
    "unreachable": "cannot reach the PostgreSQL server at {server}: is it running and accepting connections?",
    "closed": "the PostgreSQL server at {server} closed the connection (restarted or stopped?): if this command was "
              "writing, check with `mj entries` whether it landed before running it again",
    "busy": "store {store} is busy with other writers; nothing was saved, try again",
    "read-only": "store {store} is read-only; nothing was saved",
    "not allowed": "user {user} is not allowed to use the journal tables in {store}: ask the server's operator "
                   "for access",
}

# What the server says, by SQLSTATE (an exact code, else its two-character class): its message
# text is in the server's language (lc_messages), so it is never the key.
_SQLSTATES = {
    "28": "refused", "3D000": "no database", "42P01": "no tables", "42501": "not allowed",
    "25006": "read-only", "55P03": "busy", "40": "busy", "57P01": "closed", "57P02": "closed",
    "57P03": "unreachable", "08001": "unreachable", "08004": "unreachable", "08": "closed",
}

# libpq's own words, for the failures that come before there is a server to give an SQLSTATE
# (connecting, authenticating, a socket gone): psycopg raises those with `sqlstate` None.
_CLIENT_TEXTS = [
    (("password authentication failed", "no password supplied", "role \"", "peer authentication failed",
      "no pg_hba.conf entry"), "refused"),
    (("does not exist",), "no database"),
    (("connection refused", "could not translate host name", "failed to resolve host", "timeout expired",
      "no route to host", "network is unreachable", "could not connect"), "unreachable"),
    (("terminating connection", "server closed the connection", "connection is lost", "consuming input failed",
      "the connection is closed", "connection is bad", "server conn crashed", "sending query failed"), "closed"),
    (("lock timeout", "deadlock detected", "could not serialize"), "busy"),
    (("read-only transaction",), "read-only"),
    (("permission denied",), "not allowed"),
]


def _server_error(error: BaseException) -> BaseException | None:
    """The psycopg error behind `error` (eventsourcing wraps it: `raise OperationalError(...) from e`)."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if type(link).__module__.split(".")[0] == "psycopg":
            return link
        link = link.__cause__ or link.__context__
    return None


def _postgres_failure(where: StoreLocation, error: BaseException) -> StoreUnavailable | None:
    server_error = _server_error(error)
    sqlstate = getattr(server_error, "sqlstate", None)
    if sqlstate:
        kind = _SQLSTATES.get(sqlstate) or _SQLSTATES.get(sqlstate[:2])
    else:
        reason = str(error).lower()
        kind = "no tables" if "relation" in reason and "does not exist" in reason else next(
            (kind for needles, kind in _CLIENT_TEXTS if any(needle in reason for needle in needles)), None)
    if kind is None:
        return None
    text = _POSTGRES_SENTENCES[kind].format(server=f"{where.host}:{where.port}", user=where.user, db=where.dbname,
                                             store=where)
    return StoreUnavailable(where.redact(text))


@contextmanager
def store_errors(store: StoreLocation | Path) -> Iterator[None]:
    """Turns database failures into one clear line; the transaction has already rolled back."""
    try:
        yield
    except (PersistenceError, sqlite3.Error) as error:
        raise store_failure(error, store) from None
