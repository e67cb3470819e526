"""What the every-column sweep needs besides its tests: the schema of a fresh store, the story that
gives every table a row, and the plumbing to damage one cell and put it back (both backends)."""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import time_machine

from tests.conftest import PASSPHRASE, raw_store


# eventsourcing names its tables after the application on PostgreSQL (as tests/conftest.py does).
POSTGRES_NAMES = {"stored_events": "mentoringjournal_events", "stored_snapshots": "mentoringjournal_snapshots"}


HUGE = 2 * 1024 * 1024


def sqlite_schema() -> dict[str, list[tuple[str, str]]]:
    """Every table of a freshly created store and its columns with their declared types."""
    from journal.app import JournalApp
    from journal.config import StoreLocation
    from journal.identity import new_identity

    with tempfile.TemporaryDirectory() as scratch:
        place = Path(scratch)
        identity = new_identity(place / "identity.json", name="Schema", role="mentee", journal_id=uuid4())
        JournalApp(StoreLocation(path=place / "journal.db"), identity, create=True).close()
        connection = sqlite3.connect(place / "journal.db")
        try:
            tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: [(c[1], c[2].upper()) for c in connection.execute(f"PRAGMA table_info({t})")]
                    for t in sorted(tables)}
        finally:
            connection.close()


def kinds_for(declared: str) -> list[str]:
    """The damage a column of this declared type meets: NULL, the wrong type, huge, random."""
    if "INT" in declared:
        return ["null", "text", "negative", "huge", "random"]
    if "BLOB" in declared:
        return ["null", "text", "huge", "random"]
    return ["null", "bytes", "huge", "random"]


@dataclass
class Story:
    rows: dict[str, tuple[list[str], list[tuple]]]  # table (as on SQLite) -> its columns and rows
    types: dict[str, dict[str, str]]  # table -> column -> declared type on this backend
    files: dict[Path, bytes]
    entries: list[dict]
    shareable: list[str]
    goal: str


def physical(table: str, store) -> str:
    return POSTGRES_NAMES.get(table, table) if store.is_postgres else table


def declared_types(store) -> dict[str, dict[str, str]]:
    """The store's own tables and columns, with each column's declared type."""
    with raw_store(store) as db:
        if not store.is_postgres:
            tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
            return {t: {c[1]: c[2].upper() for c in db.execute(f"PRAGMA table_info({t})").fetchall()}
                    for t in tables}
        back = {postgres: sqlite for sqlite, postgres in POSTGRES_NAMES.items()}
        types: dict[str, dict[str, str]] = {}
        for table, column, kind in db.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position").fetchall():
            types.setdefault(back.get(table, table), {})[column] = kind.upper()
        return types


def read_rows(store, types) -> dict[str, tuple[list[str], list[tuple]]]:
    rows = {}
    with raw_store(store) as db:
        for table, columns in types.items():
            names = list(columns)
            if not store.is_postgres and rowid_table(db, table):
                names = ["rowid", *names]  # kept, since readers page through some tables by rowid
            rows[table] = (names, [tuple(r) for r in db.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()])
    return rows


def rowid_table(db, table: str) -> bool:
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    return "WITHOUT ROWID" not in sql.upper()


def write_story(run, home: Path, store) -> Story:
    """Ada with check-ins, a goal and a meeting, released to Grace, who sent feedback and is her
    mentor, with Ada's completion statement waiting for her countersignature; an unsolicited
    message from Alan waiting; a programme of Morgan's with Sam as its steward, which
    Ada and four other mentees joined in January and sent their months to. Its January to March
    were batched, aggregated and released on 5 May; April settled on 8 May and is left for the
    swept commands to batch, aggregate and release, so that they do work on the damaged store."""
    from journal import app as journal_app
    from journal import view_cache
    from journal.app import JournalApp
    from journal.enrolment import enrol
    from journal.identity import unlock_identity
    from journal.programmes import join_programme
    from domain import clock
    from domain.journal import MenteeJournal
    from projections.member_months import contribute_closed_periods

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout.strip()

    grace, alan, morgan, sam = (["--identity", str(home / f"{name}.json")]
                                for name in ("grace", "alan", "morgan", "sam"))
    ok("init", "--name", "Ada Lovelace")
    ok(*grace, "init", "--name", "Grace Hopper", "--role", "mentor")
    ok(*alan, "init", "--name", "Alan Turing", "--role", "mentor")
    ok(*morgan, "init", "--name", "Morgan Reid", "--role", "manager")
    ok(*sam, "init", "--name", "Sam Steward", "--role", "steward")
    with time_machine.travel(datetime(2026, 1, 19, 12).astimezone(), tick=False):  # before Ada joins it
        ok(*morgan, "program", "create", "Spring", "--helper", "sam", "--k", "5")
    joined = datetime(2026, 1, 20, 12).astimezone()
    for n in range(1, 5):  # k = 5: four more members, so that a month can be released
        enrol(home / f"member{n}.json", store, name=f"Member {n}", role="mentee", passphrase=PASSPHRASE)
        member = JournalApp(store, unlock_identity(home / f"member{n}.json", PASSPHRASE))
        try:
            join_programme(member, "Spring", at=joined)
            member.update(MenteeJournal.check_in, f"MEMBER{n}-SECRET", mood=3,
                          at=datetime(2026, 3, 2 + n, 12).astimezone())
            contribute_closed_periods(member, clock.today())
        finally:
            member.close()
    # A snapshot and a view cache only come after 50 records: lowered while the story is written,
    # so that their tables have rows to damage without fifty records in every example.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journal_app.JournalApp, "snapshot_interval", 4)
        patch.setattr(view_cache, "REFRESH_AFTER", 4)
        app = JournalApp(store, unlock_identity(home / "identity.json", PASSPHRASE))
        try:
            join_programme(app, "Spring", at=joined)
            for month in (2, 3, 4):
                for day in (3, 10):
                    app.update(MenteeJournal.check_in, f"ADA-SECRET {month}/{day}", mood=1 + day % 5, confidence=3,
                               tags=["work"], at=datetime(2026, month, day, 12).astimezone())
        finally:
            app.close()
        goal = ok("goal", "add", "give a talk", "--measure", "talks", "--due", "2026-09-30", "--target", "1")
        meeting = ok("meeting", "log", "--minutes", "30", "--focus", "talk prep", "--action", "draft outline")
        first = json.loads(ok("entries", "--json"))[1]["id"]
        ok("share", first[:12], "--with", "grace")
        ok(*grace, "feedback", "send", "--to", "ada", "well done")
        ok(*alan, "feedback", "send", "--to", "ada", "unsolicited")
        ok("entries")  # imports Grace's feedback; Alan's waits in the inbox
        ok("mentor", "add", "grace", "--from", "2026-02-01", "--months", "3")
        statement = json.loads(ok("completion", "--json"))["statement_id"]
        ok("completion", "send", statement, "--to", "grace")  # waiting for her countersignature
        ok("program", "contribute")
        with time_machine.travel(datetime(2026, 5, 5, 12).astimezone(), tick=False):  # April not yet settled
            ok(*morgan, "program", "report", "Spring")  # batches January to March
            ok(*sam, "program", "aggregate", "Spring")
            released = json.loads(ok(*morgan, "program", "report", "Spring", "--json"))
        assert [row["period"] for row in released["periods"]] == ["2026-01", "2026-02", "2026-03"], released
        assert released["waiting"] == [{"period": "2026-04", "reason": "settles on 2026-05-08"}], released
        ok("verify")
    types = declared_types(store)
    entries = json.loads(ok("entries", "--json"))
    shareable = [e["id"] for e in entries if e["kind"] in ("checkin", "goal", "meeting")][:3] + [goal, meeting]
    return Story(rows=read_rows(store, types), types=types, files=home_files(home), entries=entries,
                 shareable=shareable, goal=goal)


def home_files(home: Path) -> dict[Path, bytes]:
    """The identities, anchors and lists in the home; not the SQLite store, whose rows are put back."""
    return {p: p.read_bytes() for p in home.rglob("*") if p.is_file() and not p.name.startswith("journal.db")}


def put_back(story: Story, home: Path, store) -> None:
    """Every row and every file of the home as the story left them (anchors included)."""
    for path in [p for p in home_files(home) if p not in story.files]:
        path.unlink()
    for path, data in story.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    with raw_store(store) as db:
        for table, (names, rows) in story.rows.items():
            db.execute(f"DELETE FROM {table}")
            if rows:
                db.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                               rows)


class Impossible(Exception):
    """The column's declared type on this backend cannot hold the value."""


def bad_value(kind: str, declared: str, backend: str, seed: str) -> Any:
    """The damaging value, or Impossible when PostgreSQL's typed column cannot hold it (SQLite
    stores any value in any column). Decided by the declared type alone."""
    rng = random.Random(zlib.crc32(seed.encode()))
    postgres = backend == "postgres"
    binary = "BLOB" in declared or "BYTEA" in declared
    integer = "INT" in declared
    uuid = declared == "UUID"
    if kind == "null":
        return None
    if kind in ("text", "bytes"):
        if postgres and not binary:  # text in an integer or uuid column, bytes in a text one
            raise Impossible(f"a {declared} column on PostgreSQL holds no {kind}")
        return "seven" if kind == "text" else b"\xff\xfe\x00not text"
    if kind == "negative":
        return -1
    if kind == "huge":
        if integer:
            return 2 ** 31 - 1 if postgres and declared == "INTEGER" else 2 ** 62  # the largest each holds
        if uuid:
            raise Impossible("a UUID column on PostgreSQL holds no 2 MB value")
        return rng.randbytes(HUGE) if binary else "x" * HUGE
    if kind == "random":
        if integer:
            return rng.randrange(2 ** 31)
        if uuid:
            return uuid4().hex
        if binary:
            return rng.randbytes(rng.choice((1, 16, 32, 48, 64, 200)))
        # PostgreSQL's text holds no NUL; SQLite's does, and it is a byte a reader may trip on.
        alphabet = "abcxyz019 -:{}[]\"'\\\u202e\u00e9\U0001f600" + ("" if postgres else "\x00")
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 80)))
    raise AssertionError(kind)


def is_same(store) -> str:
    return "IS NOT DISTINCT FROM" if store.is_postgres else "IS"


def set_cell(store, table: str, names: list[str], row: tuple, column: str, old: Any, new: Any) -> int:
    """Sets `column` of the row that is exactly `row` except for that column holding `old`."""
    same = is_same(store)
    where = " AND ".join(f"{n} {same} ?" for n in names)
    values = [old if n == column else v for n, v in zip(names, row, strict=True)]
    with raw_store(store) as db:
        return db.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (new, *values)).rowcount


def delete_row(store, table: str, names: list[str], row: tuple, column: str, value: Any) -> None:
    same = is_same(store)
    where = " AND ".join(f"{n} {same} ?" for n in names)
    with raw_store(store) as db:
        db.execute(f"DELETE FROM {table} WHERE {where}",
                   [value if n == column else v for n, v in zip(names, row, strict=True)])


def column_is_a_key(store, table: str, column: str) -> bool:
    with raw_store(store) as db:
        return db.execute("SELECT 1 FROM information_schema.key_column_usage WHERE table_schema = 'public' "
                          "AND table_name = ? AND column_name = ?", (physical(table, store), column)).fetchone() \
            is not None


def column_is_not_null(store, table: str, column: str) -> bool:
    with raw_store(store) as db:
        if not store.is_postgres:
            return any(c[1] == column and c[3] for c in db.execute(f"PRAGMA table_info({table})").fetchall())
        (nullable,) = db.execute("SELECT is_nullable FROM information_schema.columns WHERE table_schema = 'public' "
                                 "AND table_name = ? AND column_name = ?", (physical(table, store), column)).fetchone()
    return nullable == "NO"


def damage(store, backend: str, table: str, column: str, kind: str, declared: str) -> Any:
    """The value this kind of damage writes into this column, or Impossible when the backend
    refuses it: SQLite's rowid holds only integers; a NOT NULL column no NULL; PostgreSQL's
    index on a key column no 2 MB value; its typed columns what `bad_value` says."""
    if column == "rowid" and kind in ("null", "text"):
        raise Impossible("SQLite's rowid holds only integers")
    if kind == "null" and column_is_not_null(store, table, column):
        raise Impossible(f"{table}.{column} is declared NOT NULL: the database refuses the damage")
    if kind == "huge" and store.is_postgres and "INT" not in declared and column_is_a_key(store, table, column):
        raise Impossible(f"{table}.{column} is a key on PostgreSQL, whose index holds no 2 MB value")
    return bad_value(kind, declared, backend, f"{table}.{column}-{kind}")
