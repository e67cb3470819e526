"""Shared fixtures: an isolated home per test, cheap KDF parameters, a CLI runner, store snapshots."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import uuid4

import pytest
from click.testing import CliRunner

from journal import identity as _identity

PASSPHRASE = "correct horse battery"
REAL_KDF = dict(_identity.KDF_DEFAULT)  # before any test lowers it
CHEAP_KDF = {"memory_kib": 8 * 1024, "iterations": 1, "lanes": 1}
TEST_FLOOR = {"memory_kib": 4 * 1024, "iterations": 1, "lanes": 1}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own MJ_HOME and passphrase, and nothing from the real environment."""
    home = tmp_path / "home"
    monkeypatch.setenv("MJ_HOME", str(home))
    monkeypatch.setenv("MJ_PASSPHRASE", PASSPHRASE)
    for name in ("MJ_STORE", "MJ_IDENTITY", "MJ_PASSPHRASE_COMMAND", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
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


def store_state(path: Path) -> list:
    """Every row of every table, read-only: equal before and after means nothing was written."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(t, sorted(connection.execute(f"SELECT * FROM {t}").fetchall())) for t in tables]
    finally:
        connection.close()


@pytest.fixture
def unlocked(home: Path):
    """A mentee identity (in memory and on disk) and an open JournalApp on a fresh store."""
    from journal.app import JournalApp
    from journal.identity import new_identity, save_identity

    def make(name: str = "Ada", store: Path | None = None, identity_file: str = "identity.json"):
        identity = new_identity(home / identity_file, name=name, role="mentee", journal_id=uuid4())
        app = JournalApp(store or home / "journal.db", identity, create=True)
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
