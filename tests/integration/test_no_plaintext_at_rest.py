"""Nothing a mentee writes is readable at rest: every file under the home — the store, its WAL
and shared memory, the identity — is scanned for marker strings, while the store is still open
and after it is closed."""

import json
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import raw_store
from domain import clock

MARKERS = {
    "checkin": "quokka-morning-pages",
    "tag": "tagwombatzeta",
    "aspiration": "aspire-narwhal-summit",
    "why": "because-pangolin-reasons",
    "goal": "goal-axolotl-keynote",
    "measure": "measured-in-capybaras",
    "milestone": "milestone-okapi-outline",
    "concern": "concern-tapir-deadline",
    "focus": "focus-ibis-public-speaking",
    "next_focus": "next-kinkajou-rehearsal",
    "action": "action-marmot-book-room",
    "feedback": "feedback-dugong-was-useful",
}


def scan(home: Path) -> dict[str, list[str]]:
    """Which markers each file under `home` contains, as UTF-8 or UTF-16-LE; every file is listed."""
    found = {}
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found[path.name] = [marker for marker in MARKERS.values()
                            if marker.encode() in data or marker.encode("utf-16-le") in data]
    return found


def assert_no_markers(found: dict[str, list[str]]) -> None:
    assert {name: markers for name, markers in found.items() if markers} == {}


def run_ok(run, *args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def write_every_kind_of_record_through_the_cli(run) -> None:
    m = MARKERS
    due = (clock.today() + timedelta(weeks=8)).isoformat()
    run_ok(run, "checkin", m["checkin"], "--mood", "4", "--tag", m["tag"])
    run_ok(run, "aspiration", "add", m["aspiration"], "--why", m["why"])
    goal = run_ok(run, "goal", "add", m["goal"], "--measure", m["measure"], "--due", due)
    run_ok(run, "milestone", "add", goal[:8], m["milestone"])
    run_ok(run, "meeting", "log", "--minutes", "60", "--concern", m["concern"], "--focus", m["focus"],
           "--next-focus", m["next_focus"], "--action", m["action"])
    run_ok(run, "feedback", "add", m["feedback"])


@pytest.fixture
def reader(home: Path):
    """Another connection holding the store open, as a second process would: when `mj` closes,
    it is not the last connection, so SQLite leaves the WAL in place for the scan."""
    connections = []

    def hold(store: Path) -> sqlite3.Connection:
        connections.append(sqlite3.connect(store))
        connections[-1].execute("SELECT count(*) FROM stored_events").fetchall()
        return connections[-1]

    yield hold
    for connection in connections:
        connection.close()


@pytest.mark.sqlite_only
def test_a_cli_session_leaves_no_marker_in_any_file_under_the_home(run, mentee, reader):
    store = mentee / "journal.db"
    holder = reader(store)
    write_every_kind_of_record_through_the_cli(run)

    written = json.dumps(json.loads(run_ok(run, "entries", "--json")), ensure_ascii=False)
    assert all(marker in written for marker in MARKERS.values())  # the markers did go in

    found = scan(mentee)
    assert {"journal.db", "journal.db-wal", "identity.json"} <= set(found)
    assert (mentee / "journal.db-wal").stat().st_size > 0
    assert_no_markers(found)

    holder.close()  # the last connection: SQLite checkpoints the WAL into the file and removes it
    found = scan(mentee)
    assert "journal.db" in found and "journal.db-wal" not in found
    assert_no_markers(found)


@pytest.mark.sqlite_only
def test_an_open_application_leaves_no_marker_in_the_store_or_its_wal(unlocked, home):
    app = unlocked()
    m = MARKERS
    app.update(lambda j: j.check_in(m["checkin"], tags=[m["tag"]]))
    aspiration = app.update(lambda j: j.state_aspiration(m["aspiration"], why=m["why"]))
    goal = app.update(lambda j: j.set_goal(m["goal"], measure=m["measure"], due=clock.today() + timedelta(days=30),
                                           aspiration_id=aspiration))
    app.update(lambda j: j.add_milestone(goal, m["milestone"]))
    app.update(lambda j: j.log_meeting(minutes=45, focus=m["focus"], concerns=[m["concern"]],
                                       next_focus=m["next_focus"], actions=[m["action"]]))
    app.update(lambda j: j.add_feedback(m["feedback"]))
    assert m["feedback"] in [e.fields.get("text") for e in app.entries()]

    found = scan(home)  # before close(): the WAL still holds the latest pages
    assert {"journal.db", "journal.db-wal", "identity.json"} <= set(found)
    assert (home / "journal.db-wal").stat().st_size > 0
    assert_no_markers(found)
    app.close()


def test_the_owner_name_is_sealed_in_the_journal_though_shown_in_the_identity_header(unlocked, home):
    # The identity header carries the display name in the clear (docs/THREAT_MODEL.md lists it as visible);
    # the journal's own copy of it, in its first event, is sealed.
    app = unlocked(name="Zebediah Quillfeather")
    with raw_store(app.store) as db:
        rows = db.execute("SELECT topic, state FROM stored_events").fetchall()
    assert rows and all(b"Quillfeather" not in state and "Quillfeather" not in topic for topic, state in rows)
    assert b"Quillfeather" in (home / "identity.json").read_bytes()


@pytest.mark.sqlite_only
def test_the_identity_file_and_every_store_file_are_private_to_their_owner(run, mentee, reader):
    holder = reader(mentee / "journal.db")
    run_ok(run, "checkin", "a check-in to make the store write")
    files = {path.name: stat.S_IMODE(path.stat().st_mode) for path in mentee.iterdir() if path.is_file()}
    assert {"identity.json", "journal.db", "journal.db-wal", "journal.db-shm"} <= set(files)
    assert files == dict.fromkeys(files, 0o600)
    assert stat.S_IMODE(mentee.stat().st_mode) == 0o700
    holder.close()
