"""Shared fixtures: an isolated home and store per test, cheap KDF parameters, a CLI runner,
store snapshots, and the throwaway PostgreSQL server.

The modules in BOTH_BACKENDS, and every `test_hostile_*` module, run every test twice, on SQLite
and on PostgreSQL (a fresh database per test on one throwaway server per session, started by
scripts/pgserver.py), unless the test is marked `sqlite_only` (it is about the SQLite file
itself). Everything else runs on SQLite.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import sqlite3
import sys
from pathlib import Path
from datetime import datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner

from journal import identity as _identity
from journal.config import StoreLocation

ROOT = Path(__file__).resolve().parent.parent
BOTH_BACKENDS = {
    "test_cli_story", "test_cli_views", "test_cli_bad_input", "test_init_checks_before_writing",
    "test_concurrent_writers", "test_mentor_access",
    "test_mentor_sees_only_what_was_released", "test_release_and_revoke", "test_revocation_in_a_fresh_process",
    "test_programmes", "test_view_cache", "test_forgeries_are_never_shown", "test_forged_grants_and_feedback",
    "test_tampering", "test_no_plaintext_at_rest", "test_stress", "test_writes_happen_once",
    "test_relationship_stories",
}
_database_numbers = itertools.count(1)
# Every test lives on this fixed day in the past (a Wednesday in mid-May, mid-quarter), in UTC,
# with the clock running on from it, so that no test depends on the day it runs. Tests about
# awkward days travel further (tests/integration/test_awkward_moments.py).
FIXED_NOW = datetime(2026, 5, 13, 15, 0, tzinfo=ZoneInfo("UTC"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself; not run on PostgreSQL")
    config.addinivalue_line("markers", "backends(*names): run on exactly these backends")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    chosen = metafunc.definition.get_closest_marker("backends")
    if chosen is not None:
        metafunc.parametrize("backend", list(chosen.args), indirect=True)
    elif (module in BOTH_BACKENDS or module.startswith("test_hostile_")) \
            and metafunc.definition.get_closest_marker("sqlite_only") is None:
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL server for the session, started only if a test needs it."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from pgserver import ThrowawayPostgres

    with ThrowawayPostgres() as server:
        yield server


@contextlib.contextmanager
def fresh_database(pg_server):
    """A new, empty database on the session's server, dropped afterwards."""
    import psycopg

    name = f"mj_test_{next(_database_numbers)}"
    with psycopg.connect(pg_server.url_with(dbname="postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield StoreLocation.parse(pg_server.url_with(dbname=name))
    finally:
        with psycopg.connect(pg_server.url_with(dbname="postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest):
    """Where this test's journal lives: an SQLite file in its home, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield StoreLocation(path=tmp_path / "home" / "journal.db")
        return
    with fresh_database(request.getfixturevalue("pg_server")) as location:
        yield location


def store_url(location: StoreLocation) -> str:
    """The location as MJ_STORE takes it (password included, for the test's own server)."""
    if location.path is not None:
        return str(location.path)
    return f"postgresql://{location.user}:{location.password}@{location.host}:{location.port}/{location.dbname}"

PASSPHRASE = "correct horse battery"
REAL_KDF = dict(_identity.KDF_DEFAULT)  # before any test lowers it
CHEAP_KDF = {"memory_kib": 8 * 1024, "iterations": 1, "lanes": 1}
TEST_FLOOR = {"memory_kib": 4 * 1024, "iterations": 1, "lanes": 1}


@pytest.fixture(autouse=True)
def fixed_calendar():
    """The suite's clock: FIXED_NOW, ticking. A test that wants another moment travels again."""
    with time_machine.travel(FIXED_NOW, tick=True):
        yield FIXED_NOW


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child `mj` process: this one's, with the clock the test is on."""
    import os

    from domain import clock

    return {**os.environ, "MJ_NOW": clock.now().isoformat(), **extra}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: StoreLocation) -> Path:
    """Every test gets its own MJ_HOME, store and passphrase, and nothing from the real environment."""
    return use_home(monkeypatch, tmp_path / "home", store)


def use_home(monkeypatch: pytest.MonkeyPatch, home: Path, store: StoreLocation) -> Path:
    """`mj` in this test runs with `home` as MJ_HOME on `store`, and nothing from the real environment."""
    monkeypatch.setenv("MJ_HOME", str(home))
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)
    for name in ("MJ_STORE", "MJ_IDENTITY", "MJ_PASSPHRASE_COMMAND", "MJ_SESSION", "EDITOR", "VISUAL", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    if store.is_postgres:
        monkeypatch.setenv("MJ_STORE", store_url(store))
    return home


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at 8 MiB: the tests stay fast, and the floor check still has room below it."""
    from journal import identity

    monkeypatch.setattr(identity, "KDF_DEFAULT", CHEAP_KDF)
    monkeypatch.setattr(identity, "KDF_FLOOR", TEST_FLOOR)


@pytest.fixture
def real_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """For identities that other processes (with the real floor) will unlock."""
    from journal import identity

    monkeypatch.setattr(identity, "KDF_DEFAULT", REAL_KDF)


@pytest.fixture
def run():
    """Invoke `mj` in-process; returns click's Result with separate stdout and stderr."""
    from cli.main import cli

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def mentee(run, home: Path) -> Path:
    result = run("init", "--name", "Ada Lovelace")
    assert result.exit_code == 0, result.output
    return home


def store_state(location: StoreLocation | Path) -> list:
    """Every row of every table, read-only: equal before and after means nothing was written."""
    location = StoreLocation.of(location)
    if location.is_postgres:
        with raw_store(location) as db:
            tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                               "ORDER BY tablename").fetchall()]
            return [(t, sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr)) for t in tables]
    connection = sqlite3.connect(f"file:{location.path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(t, sorted(connection.execute(f"SELECT * FROM {t}").fetchall())) for t in tables]
    finally:
        connection.close()


def files_at_rest(home: Path, store: StoreLocation) -> list[Path]:
    """Every file the program wrote: the home's, and for PostgreSQL every file of the server's
    data directory (heap, indexes and WAL), after a checkpoint has flushed the pages."""
    files = [p for p in home.rglob("*") if p.is_file()]
    if store.is_postgres:
        with raw_store(store) as db:
            db.connection.autocommit = True
            db.execute("CHECKPOINT")
            data_directory = Path(db.execute("SHOW data_directory").fetchone()[0])
        files += [p for p in data_directory.rglob("*") if p.is_file()]
    return files


def table_names(location: StoreLocation | Path) -> set[str]:
    """The store's tables, named as on SQLite (eventsourcing's events and snapshots tables are
    named after the application on PostgreSQL)."""
    location = StoreLocation.of(location)
    with raw_store(location) as db:
        if not location.is_postgres:
            return {t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
        names = {t for (t,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}
    back = {postgres: sqlite for sqlite, postgres in _QmarkConnection.TABLES.items()}
    return {back.get(name, name) for name in names}


class _NoRows:
    """What an INSERT, UPDATE or DDL statement gives back: no rows (sqlite3 gives [] too)."""

    def __init__(self, rowcount: int):
        self.rowcount = rowcount

    def fetchall(self) -> list:
        return []

    def fetchone(self) -> None:
        return None


class _QmarkConnection:
    """A psycopg connection that takes the tests' statements as written for SQLite: `?`
    placeholders, and eventsourcing's SQLite table names for the events and snapshots."""

    TABLES = {"stored_events": "mentoringjournal_events", "stored_snapshots": "mentoringjournal_snapshots"}

    def __init__(self, connection: Any):
        self.connection = connection

    def _adapt(self, statement: str) -> str:
        for sqlite_name, postgres_name in self.TABLES.items():
            statement = re.sub(rf"\b{sqlite_name}\b", postgres_name, statement)
        return statement.replace("?", "%s")

    def execute(self, statement: str, params: Any = ()) -> Any:
        cursor = self.connection.execute(self._adapt(statement), params)
        return cursor if cursor.description is not None else _NoRows(cursor.rowcount)

    def executemany(self, statement: str, rows: Any) -> Any:
        with self.connection.cursor() as c:
            c.executemany(self._adapt(statement), rows)


@contextlib.contextmanager
def raw_store(location: StoreLocation | Path):
    """Direct access to the store's tables, as an attacker with the database would have it:
    `db.execute(sql, params)` on either backend, committed at the end of the block."""
    location = StoreLocation.of(location)
    if location.is_postgres:
        import psycopg

        class HexUUID(psycopg.adapt.Loader):  # ids read back as SQLite stores them: 32 hex digits
            def load(self, data: Any) -> str:
                return bytes(data).decode().replace("-", "")

        with psycopg.connect(store_url(location)) as connection:
            connection.adapters.register_loader("uuid", HexUUID)
            yield _QmarkConnection(connection)
        return
    connection = sqlite3.connect(location.path)
    try:
        with connection:
            yield connection
    finally:
        connection.close()


@pytest.fixture
def unlocked(home: Path, store: StoreLocation):
    """A mentee identity (in memory and on disk) and an open JournalApp on a fresh store."""
    from journal.app import JournalApp
    from journal.identity import new_identity, save_identity

    default_store = store

    def make(name: str = "Ada", store: Path | None = None, identity_file: str = "identity.json"):
        identity = new_identity(home / identity_file, name=name, role="mentee", journal_id=uuid4())
        app = JournalApp(store or default_store, identity, create=True)
        app.create_journal()
        save_identity(identity, PASSPHRASE)
        return app

    apps = []

    def tracked(*args, **kwargs):
        apps.append(make(*args, **kwargs))
        return apps[-1]

    yield tracked
    for app in apps:
        app.close()


def ok(result) -> str:
    """A command that succeeded: its stdout (the data), stripped."""
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def refused(result, code: int = 1) -> str:
    """A refused command: exit `code`, nothing on stdout, no traceback, and one `Error:` line
    (after click's usage lines, for a usage error, exit 2). Returns that line."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and result.stdout == "", result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 or (code == 2 and lines[0].startswith("Usage:")), result.stderr
    assert lines[-1].startswith("Error: ") and sum(line.startswith("Error") for line in lines) == 1, result.stderr
    return lines[-1]


def own_app(home: Path):
    """The journal app of the mentee whose identity is in `home`, on the configured store."""
    from journal.app import JournalApp
    from journal.config import store_location
    from journal.identity import unlock_identity

    return JournalApp(store_location(), unlock_identity(home / "identity.json", PASSPHRASE))
