"""Every cell of every table, damaged in turn by a writer of the store (NULL, the wrong type, huge,
random): every command of every role exits 0 or 1 with one line, never a traceback, and once the
cell is put back the owner's records are exactly what they were and `mj verify` passes.

The tables and columns are discovered from a fresh store (eventsourcing's own tables included),
so a table added later is swept without touching this file. Each (table, column) meets every
kind of damage its type allows; each example runs a rotating share of the commands, so that each
command meets each column once across its kinds (less those PostgreSQL's typed columns cannot
hold) and the module stays within three minutes on both backends. MJ_SWEEP_ALL=1 runs every
command in every example.
"""

from __future__ import annotations

import json
import os
import traceback
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_database, raw_store, use_home
from tests.integration.store_sweep import (Impossible, Story, damage, delete_row, kinds_for, physical, put_back,
                                          set_cell, sqlite_schema, write_story)


KNOWN_TABLES = {
    "stored_events", "stored_snapshots", "mj_checkpoints", "mj_data_keys", "mj_directory", "mj_grants", "mj_inbox",
    "mj_journal_keys", "mj_live_grants", "mj_view_cache", "mj_view_pages",
    # a programme: its terms and members, and its aggregation (shares, batches, aggregates, releases)
    "mj_programme_terms", "mj_memberships", "mj_shares", "mj_batches", "mj_aggregates", "mj_releases",
    "mj_completions",  # a completion statement on its way to be countersigned
}


SCHEMA = sqlite_schema()


# Row numbers that readers page through: a column on PostgreSQL, the rowid on SQLite. Each is
# swept too, as the column it is on PostgreSQL.
ROW_NUMBERS = {("stored_events", "notification_id")}


for table, column in sorted(ROW_NUMBERS):
    SCHEMA[table].append((column, "BIGINT"))


CASES = [pytest.param(table, column, kind, id=f"{table}.{column}-{kind}")
         for table, columns in SCHEMA.items() for column, declared in columns for kind in kinds_for(declared)]


def test_the_sweep_covers_every_known_table():
    assert KNOWN_TABLES <= set(SCHEMA)
    assert all(SCHEMA[table] for table in KNOWN_TABLES)


_PLACES: dict[str, tuple[Path, Any]] = {}


_STORIES: dict[str, Story] = {}


@pytest.fixture(scope="module")
def module_database(pg_server):
    with fresh_database(pg_server) as location:
        yield location


@pytest.fixture
def store(backend, request, tmp_path_factory):
    """One store per backend for the whole module (overrides conftest's store per test): the
    story is written once, and each example puts every row back as it was."""
    if backend not in _PLACES:
        home = tmp_path_factory.mktemp(f"every-column-{backend}") / "home"
        if backend == "sqlite":
            from journal.config import StoreLocation

            _PLACES[backend] = (home, StoreLocation(path=home / "journal.db"))
        else:
            _PLACES[backend] = (home, request.getfixturevalue("module_database"))
    return _PLACES[backend][1]


@pytest.fixture
def home(backend, store, monkeypatch):
    """As conftest's home, but the module's one home per backend."""
    return use_home(monkeypatch, _PLACES[backend][0], store)


@pytest.fixture
def story(backend, run, home, store) -> Story:
    if backend not in _STORIES:
        _STORIES[backend] = write_story(run, home, store)
    put_back(_STORIES[backend], home, store)
    return _STORIES[backend]


def test_every_table_has_a_row_and_every_column_is_swept(story, backend):
    assert {t for t, (_, rows) in story.rows.items() if not rows} == set()
    assert KNOWN_TABLES <= set(story.types)
    swept = {(t, c) for t, columns in SCHEMA.items() for c, _ in columns}
    here = {(t, c) for t, columns in story.types.items() for c in columns}
    if backend == "sqlite":
        here |= ROW_NUMBERS  # SQLite's rowid
    assert here == swept


def commands(story: Story, home: Path) -> list[tuple[str, list[str]]]:
    grace = ["--identity", str(home / "grace.json")]
    morgan = ["--identity", str(home / "morgan.json")]
    sam = ["--identity", str(home / "sam.json")]
    share = [entry[:12] for entry in story.shareable]
    names, grants = story.rows["mj_grants"]
    grant = grants[0][names.index("grant_id")]
    statement = next(e["statement_id"] for e in story.entries if e["kind"] == "completion")
    return [
        ("ada", ["entries"]),
        ("ada", ["entries", "--json"]),
        ("ada", ["timeline"]),
        ("ada", ["summary", "--from", "2026-01-01"]),
        ("ada", ["verify"]),
        ("ada", ["show", story.shareable[0][:12]]),
        ("ada", ["checkin", "written on a damaged store"]),
        ("ada", ["share", *share, "--with", "grace"]),
        ("ada", ["shares"]),
        ("ada", ["inbox"]),
        ("ada", ["directory"]),
        ("ada", ["progress"]),
        ("ada", ["goal", "progress", story.goal[:12], "1"]),
        ("ada", ["program", "contribute"]),
        ("ada", ["program", "status"]),
        ("ada", ["revoke", grant[:12]]),
        ("ada", ["report", "--html", str(home / "report.html")]),
        ("ada", ["inbox", "accept", "alan"]),
        ("ada", ["meeting", "log", "--minutes", "20", "--focus", "on a damaged store"]),
        ("ada", ["program", "leave", "Spring"]),
        ("morgan", [*morgan, "program", "create", "Autumn", "--helper", "sam", "--k", "5"]),
        ("grace", [*grace, "inbox"]),
        ("grace", [*grace, "inbox", "--json"]),
        ("grace", [*grace, "feedback", "send", "--to", "ada", "more, please"]),
        ("ada", ["completion"]),
        ("grace", [*grace, "completion"]),
        ("grace", [*grace, "completion", "sign", statement]),
        # In this order April is batched, aggregated and released by the same example, as it
        # would be on the honest store (see write_story).
        ("morgan", [*morgan, "program", "report", "Spring"]),
        ("sam", [*sam, "program", "aggregate", "Spring"]),
        ("morgan", [*morgan, "program", "report", "Spring", "--json"]),
    ]


def outcome_problem(run, args: list[str]) -> str | None:
    """None when the command exited 0, or 1 with one `Error:` line; else what went wrong."""
    try:
        result = run(*args)
    except Exception as error:  # catch_exceptions=False: a traceback the user would have seen
        frames = traceback.extract_tb(error.__traceback__)[-3:]
        where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
        return f"traceback: {type(error).__name__}: {str(error)[:200]} at {where}"
    if result.exit_code not in (0, 1) or "Traceback" in result.output:
        return f"exit {result.exit_code}: {result.output[-2000:]}"
    if result.exit_code == 1:
        # One `Error:` line, last; a command that went on past rows it refused has named each
        # of them above it on a line of its own ("Rejected: …"), as the inbox does.
        lines = result.stderr.strip().splitlines()
        errors = [n for n, line in enumerate(lines) if line.startswith("Error:")]
        if errors != [len(lines) - 1] or any(line[:1].isspace() for line in lines):
            return f"exit 1 without one last Error: line: {result.stderr[-2000:]!r}"
    return None


def test_every_swept_command_succeeds_on_the_honest_store(run, story, home, store):
    """The honest path beside the sweep: on the undamaged store each command exits 0, so none of
    them can pass the sweep by failing whatever the store holds."""
    failed = []
    for _, args in commands(story, home):
        put_back(story, home, store)
        result = run(*args)
        if result.exit_code != 0:
            failed.append(f"mj {' '.join(args)}: exit {result.exit_code}: {result.output[-500:]}")
    put_back(story, home, store)
    assert failed == []


def test_the_swept_programme_commands_release_april_on_the_honest_store(run, story, home, store):
    """The programme commands the sweep runs do their work on the honest store: the manager
    batches April, the steward adds its noise, the manager releases it; the mentee sees it final."""
    morgan, sam = ["--identity", str(home / "morgan.json")], ["--identity", str(home / "sam.json")]
    assert run(*morgan, "program", "report", "Spring").exit_code == 0
    aggregated = run(*sam, "program", "aggregate", "Spring", "--json")
    assert aggregated.exit_code == 0, aggregated.output
    assert [(o["period"], o["state"]) for o in json.loads(aggregated.stdout)] == [
        ("2026-01", "done"), ("2026-02", "done"), ("2026-03", "done"), ("2026-04", "aggregated")]
    report = run(*morgan, "program", "report", "Spring", "--json")
    assert report.exit_code == 0, report.output
    released = json.loads(report.stdout)
    assert [r["period"] for r in released["periods"]] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert released["waiting"] == [] and released["ignored"] == []
    status = json.loads(run("program", "status", "--json").stdout)
    assert [(m["period"], m["state"]) for m in status[0]["months"]] == [
        (p, "aggregated") for p in ("2026-01", "2026-02", "2026-03", "2026-04")]
    put_back(story, home, store)


@pytest.mark.parametrize("table, column, kind", CASES)
def test_a_damaged_cell_is_at_most_one_line_and_her_records_survive(run, story, home, store, backend,
                                                                     table, column, kind):
    names, rows = story.rows[table]
    swept = column
    if backend == "sqlite" and (table, column) in ROW_NUMBERS:
        column = "rowid"
    declared = story.types[table].get(column, "INTEGER")

    def value_of(each: str) -> Any:
        return damage(store, backend, table, column, each, declared)

    # The kinds of damage this column can hold here take turns with a share of the commands, so
    # that across them every command meets the column (MJ_SWEEP_ALL=1: every command, every kind).
    possible = [each for each in kinds_for(dict(SCHEMA[table])[swept]) if _holds(value_of, each)]
    try:
        value = value_of(kind)
    except Impossible as impossible:
        pytest.skip(str(impossible))
    row = rows[zlib.crc32(f"{column}-{kind}".encode()) % len(rows)]
    old = row[names.index(column)]
    assert set_cell(store, physical(table, store), names, row, column, old, value) == 1
    turn = zlib.crc32(f"{table}.{swept}".encode())
    chosen = [c for n, c in enumerate(commands(story, home))
              if os.environ.get("MJ_SWEEP_ALL") or (n + turn) % len(possible) == possible.index(kind)]
    problems = [f"mj {' '.join(args)}: {problem}" for _, args in chosen
                if (problem := outcome_problem(run, args)) is not None]

    try:
        set_cell(store, physical(table, store), names, row, column, value, old)
    except Exception as error:  # a command wrote the row anew beside the damaged one: the damaged one goes
        assert "unique" in str(error).lower() or "duplicate" in str(error).lower(), error
        if (table, swept) in ROW_NUMBERS:  # a record written meanwhile took its number: it is her record
            with raw_store(store) as db:  # still, so it keeps a number of its own, never deleted by the test
                (top,) = db.execute(f"SELECT MAX({column}) FROM {physical(table, store)}").fetchone()
            set_cell(store, physical(table, store), names, row, column, value, top + 1)
        else:
            delete_row(store, physical(table, store), names, row, column, value)
    assert not problems, "\n".join(problems)
    after = run("entries", "--json")  # the cell put back: her records are exactly as they were
    assert after.exit_code == 0, after.output
    by_id = {entry["id"]: entry for entry in json.loads(after.stdout)}
    assert [by_id.get(entry["id"]) for entry in story.entries] == story.entries
    verified = run("verify")
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize("wrap", [None, "seven", b"\x01" + b"\x00" * 60], ids=["missing", "text", "altered"])
def test_releasing_an_entry_whose_data_key_row_is_damaged_is_one_line_and_writes_nothing(run, story, home, store,
                                                                                          wrap):
    entry = next(e for e in story.entries if e["id"] == story.shareable[0])
    ada = (json.loads((home / "identity.json").read_text())["journal_id"], entry["version"])  # her row, no member's
    with raw_store(store) as db:
        (before,) = db.execute("SELECT COUNT(*) FROM mj_grants").fetchone()
        (old,) = db.execute("SELECT wrap FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = ?",
                            ada).fetchone()
        db.execute("UPDATE mj_data_keys SET wrap = ? WHERE stream_id = ? AND kind = 'e' AND version = ?",
                   (wrap, *ada))
    refused = run("share", entry["id"][:12], "--with", "grace")
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert f"record {entry['version']} of journal" in refused.stderr
    assert "no data key" in refused.stderr or "does not open" in refused.stderr
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_grants").fetchone() == (before,)
        db.execute("UPDATE mj_data_keys SET wrap = ? WHERE stream_id = ? AND kind = 'e' AND version = ?",
                   (old, *ada))
    released = run("share", entry["id"][:12], "--with", "grace")  # the honest path, its key row put back
    assert released.exit_code == 0, released.output


def _holds(value_of, kind: str) -> bool:
    try:
        value_of(kind)
    except Impossible:
        return False
    return True

