"""The shared PostgreSQL store: clear errors for every way of pointing at it wrongly (never
showing the password), a server restart or stop during a run, a process killed in the middle of a
batch, a read-only role, and no plaintext in any file of the server's data directory.

Everything here runs on the session's throwaway server (tests/conftest.py, scripts/pgserver.py);
the tests shared by both backends live in the other modules."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from journal.app import JournalApp
from journal.config import StoreLocation
from journal.errors import StoreUnavailable
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, files_at_rest, raw_store, store_state, store_url
from tests.cli.test_cli_bad_input import assert_refused
from tests.integration.test_no_plaintext_at_rest import MARKERS, write_every_kind_of_record_through_the_cli

pytestmark = pytest.mark.backends("postgres")
ROOT = Path(__file__).resolve().parents[2]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_the_store_is_chosen_by_url_and_a_path_still_means_sqlite(run, mentee, store, tmp_path):
    entry = ok(run("checkin", "on the shared server"))
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM stored_events").fetchone() == (2,)
        assert db.execute("SELECT COUNT(*) FROM mj_data_keys").fetchone() == (2,)
    assert not (mentee / "journal.db").exists()
    assert [e["id"] for e in json.loads(ok(run("entries", "--json")))] == [entry]
    local = tmp_path / "local.db"
    assert_refused(run("--store", str(local), "entries"), 1, "no journal store", str(local))


@pytest.mark.parametrize("change,fragments", [
    ({"password": "not-the-password"}, ["refused user mj", "wrong password"]),
    ({"user": "nobody"}, ["refused user nobody"]),
    ({"dbname": "no_such_db"}, ["database 'no_such_db' does not exist"]),
    ({"port": "1"}, ["cannot reach the PostgreSQL server at 127.0.0.1:1"]),
])
def test_wrong_credentials_a_missing_database_and_an_unreachable_server_are_one_line_each(
        run, mentee, pg_server, store, change, fragments):
    before = store_state(store)
    url = pg_server.url_with(**{"dbname": store.dbname, **change})
    result = run("--store", url, "checkin", "never written")
    assert_refused(result, 1, *fragments)
    assert pg_server.password not in result.output and change.get("password", "@@") not in result.output
    assert store_state(store) == before


@pytest.mark.parametrize("url,fragment", [
    ("postgresql://mj@127.0.0.1:99999/mj", "port is not a number"),
    ("postgresql://127.0.0.1/mj", "needs a user, a host and a database name"),
    ("postgresql://mj:secret-pw@127.0.0.1:5432/", "needs a user, a host and a database name"),
    ("postgresql://mj:secret-pw@127.0.0.1/mj?sslmode=disable", "takes no ?options"),
    ("mysql://mj:secret-pw@127.0.0.1/mj", "unsupported store URL scheme 'mysql'"),
])
def test_a_malformed_store_url_is_a_clear_error_before_anything_is_opened(run, mentee, url, fragment):
    result = run("--store", url, "entries")
    assert_refused(result, 1, fragment)
    assert "secret-pw" not in result.output


def test_the_password_never_appears_in_what_the_store_location_prints():
    location = StoreLocation.parse("postgresql://ada:p%40ss-word@db.example.org:6543/programme")
    assert (location.user, location.password, location.host, location.port, location.dbname) == (
        "ada", "p@ss-word", "db.example.org", 6543, "programme")
    assert str(location) == "postgresql://ada@db.example.org:6543/programme"
    assert "p@ss-word" not in repr(location) and location.redact("x p@ss-word y") == "x *** y"


def test_a_database_without_journal_tables_says_to_run_init(run, mentee, pg_server, store):
    with psycopg.connect(pg_server.url_with(dbname="postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE mj_empty")
    try:
        assert_refused(run("--store", pg_server.url_with(dbname="mj_empty"), "entries"), 1,
                       "holds no journal store yet", "mj init")
    finally:
        with psycopg.connect(pg_server.url_with(dbname="postgres"), autocommit=True) as admin:
            admin.execute("DROP DATABASE mj_empty WITH (FORCE)")


def test_a_role_that_may_only_read_is_refused_writes_in_one_line_and_still_reads(run, mentee, pg_server, store):
    ok(run("checkin", "written by the owner"))
    with raw_store(store) as db:
        db.connection.autocommit = True
        db.execute("DROP ROLE IF EXISTS reader")
        db.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
        db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    before = store_state(store)
    as_reader = pg_server.url_with(user="reader", password="reader-pw", dbname=store.dbname)
    assert_refused(run("--store", as_reader, "checkin", "not allowed"), 1, "not allowed")
    assert store_state(store) == before
    assert [e["text"] for e in json.loads(ok(run("--store", as_reader, "entries", "--json")))] == [
        "written by the owner"]


def test_a_server_restart_during_a_run_is_a_clear_error_and_the_next_write_works(mentee, pg_server, store):
    app = JournalApp(store, unlock_identity(mentee / "identity.json", PASSPHRASE))
    app.update(lambda j: j.check_in("before the restart"))
    pg_server.restart()
    with pytest.raises(StoreUnavailable, match="closed the connection"):
        app.update(lambda j: j.check_in("while the server was away"))
    app.update(lambda j: j.check_in("after the restart"))  # a new connection, no new process
    assert [e.fields["text"] for e in app.entries()] == ["before the restart", "after the restart"]
    assert app.verify().records == 3
    app.close()


def test_a_stopped_server_is_a_clear_error_and_the_next_command_works(run, mentee, pg_server, store):
    ok(run("checkin", "before the stop"))
    pg_server.server_stop()
    try:
        result = run("checkin", "while stopped")
        assert_refused(result, 1, "cannot reach the PostgreSQL server")
        assert pg_server.password not in result.output
    finally:
        pg_server.server_start()
    ok(run("checkin", "after the start"))
    assert [e["text"] for e in json.loads(ok(run("entries", "--json")))] == ["before the stop", "after the start"]
    assert "ok" in ok(run("verify"))


def test_no_marker_reaches_any_file_of_the_servers_data_directory(run, mentee, store):
    write_every_kind_of_record_through_the_cli(run)
    written = ok(run("entries", "--json"))
    assert all(marker in written for marker in MARKERS.values())  # the markers did go in
    with raw_store(store) as db:  # and a scan would see plaintext if there were any
        db.execute("CREATE TABLE canary (t TEXT)")
        db.execute("INSERT INTO canary VALUES (?)", ("canary-plaintext-marker",))
    files = files_at_rest(mentee, store)
    assert any("pg_wal" in str(p) for p in files) and any("/base/" in str(p) for p in files)
    canary_seen = False
    for path in files:
        data = path.read_bytes()
        canary_seen |= b"canary-plaintext-marker" in data
        assert not [m for m in MARKERS.values() if m.encode() in data], path
    assert canary_seen


KILLED_WORKER = """
import sys
from pathlib import Path
from journal import data_key_store
from journal.app import JournalApp
from journal.identity import unlock_identity

store, identity, passphrase = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
app = JournalApp(store, unlock_identity(identity, passphrase))
write_keys = data_key_store.write_keys

def write_keys_then_wait(c, kind, checkpointer, stored_events, changes):
    write_keys(c, kind, checkpointer, stored_events, changes)
    if kind == "e" and len(stored_events) > 1:
        print("inside the transaction", len(stored_events), flush=True)
        sys.stdin.read()  # until killed

data_key_store.write_keys = write_keys_then_wait

def batch(journal):
    for n in range(100):
        journal.check_in(f"batch item {n}")

app.update(batch)
"""


@pytest.mark.backends("sqlite", "postgres")
def test_a_process_killed_in_the_middle_of_a_batch_leaves_all_or_nothing_and_a_store_that_verifies(
        real_kdf, run, mentee, store):  # real KDF parameters: the worker process checks the real floor
    ok(run("checkin", "before the batch"))
    worker = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, store_url(store), str(mentee / "identity.json"),
                               PASSPHRASE], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ})
    assert worker.stdout.readline().strip() == "inside the transaction 100"  # events and keys sent, not committed
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    texts = [e["text"] for e in json.loads(ok(run("entries", "--json")))]
    assert texts == ["before the batch"]  # wholly absent: the transaction never committed
    assert "ok" in ok(run("verify"))
    ok(run("checkin", "after the kill"))  # no lock or half-written row is left behind
    assert [e["text"] for e in json.loads(ok(run("entries", "--json")))] == ["before the batch", "after the kill"]


def test_people_running_init_at_the_same_moment_on_a_new_database_all_get_a_journal(real_kdf, home, store):
    """The first `mj init` makes the tables; several at once must not trip over each other."""
    homes = [home.parent / f"person{n}" for n in range(6)]
    people = [subprocess.Popen([sys.executable, "-c", "from cli.main import main; main()",
                                "init", "--name", f"Person {n}"], cwd=ROOT,
                               env={**os.environ, "MJ_HOME": str(h)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for n, h in enumerate(homes)]
    outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in people]
    assert [code for code, _ in outcomes] == [0] * 6, outcomes
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(DISTINCT originator_id) FROM stored_events").fetchone() == (6,)
    for h in homes:
        app = JournalApp(store, unlock_identity(h / "identity.json", PASSPHRASE))
        assert app.verify().records == 1
        app.close()


def test_init_and_whoami_name_the_shared_store_without_its_password(run, mentee, pg_server, store):
    shown = json.loads(ok(run("whoami", "--json")))["store"]
    assert shown == str(store) and shown.startswith("postgresql://mj@127.0.0.1:")
    assert pg_server.password not in shown


def test_an_init_the_server_refuses_leaves_no_identity_behind(run, home, pg_server, store):
    result = run("--store", pg_server.url_with(password="not-the-password", dbname=store.dbname),
                 "init", "--name", "Ada")
    assert_refused(result, 1, "refused user mj")
    assert not (home / "identity.json").exists()
    assert "not-the-password" not in result.output
