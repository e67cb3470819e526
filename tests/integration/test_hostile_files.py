"""Files a hostile neighbour on the same machine could read or redirect: reports land in a fresh
0600 file renamed into place (never through a planted link, never keeping an old file's mode),
drafts for $EDITOR live in a private directory and are removed, a steward's memory of aggregates
is private and a write of it that fails publishes nothing, SQLite distrusts the schema, and
background duties that meet a malformed row never stop the user's command."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from tests.cli.test_cli_bad_input import assert_refused


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    return result.stdout.strip()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# --- Reports -----------------------------------------------------------------------------------------------------

@pytest.fixture(params=["report", "program report"])
def write_page(request, run, home):
    """`mj report --html PATH` for a mentee, or `mj program report NAME --html PATH` for a manager."""
    if request.param == "report":
        ok(run("init", "--name", "Ada Lovelace"))
        ok(run("checkin", "a day worth a report", "--mood", "4"))
        return lambda path: run("report", "--html", str(path))
    manager = str(home / "morgan.json")
    ok(run("--identity", manager, "init", "--name", "Morgan", "--role", "manager"))
    ok(run("--identity", str(home / "sam.json"), "init", "--name", "Sam", "--role", "steward"))
    ok(run("--identity", manager, "program", "create", "Autumn", "--helper", "Sam", "--k", "5"))
    return lambda path: run("--identity", manager, "program", "report", "Autumn", "--html", str(path))


def leftovers(directory: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


@pytest.mark.sqlite_only
def test_a_report_over_a_world_readable_file_leaves_a_file_only_its_owner_can_read(write_page, tmp_path):
    page = tmp_path / "out" / "report.html"
    page.parent.mkdir()
    page.write_text("an old page")
    page.chmod(0o644)
    ok(write_page(page))
    assert mode(page) == 0o600
    assert "<html" in page.read_text().lower()
    assert leftovers(page.parent, {"report.html"}) == []


@pytest.mark.sqlite_only
def test_a_new_report_is_private_to_its_owner_whatever_the_umask(write_page, tmp_path):
    page = tmp_path / "report.html"
    old = os.umask(0o002)
    try:
        ok(write_page(page))
    finally:
        os.umask(old)
    assert mode(page) == 0o600


@pytest.mark.sqlite_only
def test_a_report_onto_a_planted_symlink_replaces_the_link_and_never_writes_its_target(write_page, tmp_path):
    target = tmp_path / "someone-elses.html"
    target.write_text("the target's own content")
    target.chmod(0o644)
    link = tmp_path / "report.html"
    link.symlink_to(target)
    ok(write_page(link))
    assert not link.is_symlink() and mode(link) == 0o600
    assert "<html" in link.read_text().lower()
    assert target.read_text() == "the target's own content" and mode(target) == 0o644


@pytest.mark.sqlite_only
def test_a_link_to_a_file_that_does_not_exist_yet_is_not_followed(write_page, tmp_path):
    link = tmp_path / "report.html"
    link.symlink_to(tmp_path / "elsewhere" / "planted.html")
    (tmp_path / "elsewhere").mkdir()
    ok(write_page(link))
    assert not link.is_symlink() and mode(link) == 0o600
    assert not (tmp_path / "elsewhere" / "planted.html").exists()


@pytest.mark.sqlite_only
def test_a_write_that_fails_half_way_leaves_the_old_page_whole_and_no_temporary_file(write_page, tmp_path,
                                                                                     monkeypatch):
    page = tmp_path / "out" / "report.html"
    page.parent.mkdir()
    page.write_text("the page from last week")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as disk:
        disk.setattr(os, "fsync", disk_full)
        assert_refused(write_page(page), 1, "cannot write", "report.html", "No space left on device")
    assert page.read_text() == "the page from last week"
    assert leftovers(page.parent, {"report.html"}) == []
    # the honest path: the same command, with room on the disk
    ok(write_page(page))
    assert "<html" in page.read_text().lower() and leftovers(page.parent, {"report.html"}) == []


@pytest.mark.sqlite_only
def test_a_report_into_a_directory_that_does_not_exist_is_one_error_line(write_page, tmp_path):
    assert_refused(write_page(tmp_path / "no-such-dir" / "report.html"), 1, "cannot write", "No such file")
    assert not (tmp_path / "no-such-dir").exists()


@pytest.mark.sqlite_only
def test_a_report_under_a_path_that_is_a_file_is_one_error_line(write_page, tmp_path):
    (tmp_path / "a-file").write_text("")
    assert_refused(write_page(tmp_path / "a-file" / "report.html"), 1, "cannot write", "Not a directory")


# --- The steward's memory of aggregates -------------------------------------------------------------------------

@pytest.fixture
def steward(run, home):
    """Sam, the steward of Morgan's programme Autumn; returns Sam's --identity options."""
    manager, sam = str(home / "morgan.json"), ["--identity", str(home / "sam.json")]
    ok(run("--identity", manager, "init", "--name", "Morgan", "--role", "manager"))
    ok(run(*sam, "init", "--name", "Sam", "--role", "steward"))
    ok(run("--identity", manager, "program", "create", "Autumn", "--helper", "Sam", "--k", "5"))
    return sam


@pytest.mark.sqlite_only
def test_a_memory_of_aggregates_that_cannot_be_written_is_one_error_line_and_nothing_is_aggregated(
        run, home, steward, monkeypatch):
    from tests.conftest import store_state

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    before = store_state(home / "journal.db")
    with monkeypatch.context() as disk:
        disk.setattr(os, "fsync", disk_full)
        assert_refused(run(*steward, "program", "aggregate", "Autumn"), 1, "cannot write this device's memory of "
                       "aggregates", "sam.aggregates.json", "No space left on device", "nothing was aggregated")
    assert store_state(home / "journal.db") == before
    assert [p.name for p in home.iterdir() if "aggregates" in p.name] == []  # no memory, no temporary file
    # the honest path: with room on the disk, the memory is written, private to the steward
    assert ok(run(*steward, "program", "aggregate", "Autumn")) == ""
    assert mode(home / "sam.aggregates.json") == 0o600


# --- Background duties -------------------------------------------------------------------------------------------

@pytest.fixture
def joined_mentee(run, home):
    """Ada, a mentee who joined Morgan's programme Autumn (Sam its steward) in February, so that
    every command of hers has closed months to send; returns her fingerprint."""
    manager = str(home / "morgan.json")
    ok(run("--identity", manager, "init", "--name", "Morgan", "--role", "manager"))
    ok(run("--identity", str(home / "sam.json"), "init", "--name", "Sam", "--role", "steward"))
    ok(run("--identity", manager, "program", "create", "Autumn", "--helper", "Sam", "--start", "2026-02", "--k", "5"))
    ok(run("init", "--name", "Ada Lovelace"))
    ok(run("program", "join", "Autumn", "--at", "2026-02-01"))
    return json.loads(ok(run("whoami", "--json")))["fingerprint"]


def warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def test_a_malformed_programme_row_and_inbox_row_never_stop_the_mentees_command(run, joined_mentee, store):
    from tests.conftest import raw_store

    with raw_store(store) as db:
        db.execute("UPDATE mj_programme_terms SET rho = ? WHERE name = ?", ("a\x1b[2Jlot", "Autumn"))
        db.execute("INSERT INTO mj_inbox VALUES (?, ?, ?, ?, NULL, NULL)",
                   ("m-planted", joined_mentee, "f" * 64, "2026-05-13T12:00:00+00:00"))
    result = run("checkin", "recorded all the same")
    entry = ok(result)
    # The inbox row names no sender she consented to, so it is never fetched: nothing to say.
    assert [w.split(":")[1].strip() for w in warnings(result)] == ["could not send programme months"], result.stderr
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    assert "Recorded check-in" in result.stderr
    listed = run("entries", "--json")
    assert [e["id"] for e in json.loads(ok(listed)) if e["kind"] == "checkin"] == [entry]
    assert len(warnings(listed)) == 1  # each command says it once, and goes on


def test_a_well_formed_programme_and_inbox_send_and_import_without_a_word(run, joined_mentee, store):
    from tests.conftest import raw_store

    result = run("checkin", "an ordinary day")
    ok(result)
    assert warnings(result) == [] and "could not" not in result.stderr
    with raw_store(store) as db:  # February to April, sent in the background of her command
        assert sorted(r[0] for r in db.execute("SELECT period FROM mj_shares").fetchall()) == [
            "2026-02", "2026-03", "2026-04"]


# --- SQLite distrusts its schema ---------------------------------------------------------------------------------

@pytest.fixture
def connections_with_an_extension_function(monkeypatch):
    """Every SQLite connection the app opens also has `leak()`, as a loaded extension or an
    application-defined function would: what a planted trigger would call. Returns its calls."""
    from eventsourcing.sqlite import SQLiteConnectionPool

    calls: list[object] = []
    create = SQLiteConnectionPool._create_connection

    def with_leak(self):
        connection = create(self)
        connection._sqlite_conn.create_function("leak", 1, calls.append)
        return connection

    monkeypatch.setattr(SQLiteConnectionPool, "_create_connection", with_leak)
    return calls


@pytest.mark.sqlite_only
def test_a_trigger_planted_in_the_store_never_runs_a_function_on_the_owners_connection(
        run, mentee, connections_with_an_extension_function):
    import sqlite3

    calls = connections_with_an_extension_function
    store = mentee / "journal.db"
    with sqlite3.connect(store) as attacker:
        attacker.execute("CREATE TRIGGER planted AFTER INSERT ON mj_data_keys BEGIN SELECT leak(new.wrap); END")
    result = run("checkin", "a day the trigger would see")
    assert calls == []
    assert_refused(result, 1, "unsafe use of leak()")
    with sqlite3.connect(store) as owner:  # the honest path: without the planted trigger, she writes
        owner.execute("DROP TRIGGER planted")
    ok(run("checkin", "a day nobody else sees"))
    assert calls == []


@pytest.mark.sqlite_only
def test_every_connection_of_the_app_runs_with_trusted_schema_off_and_secure_delete_on(unlocked, tmp_path):
    from journal.app import JournalApp

    app = unlocked()
    checked = []
    for datastore in {id(r.datastore): r.datastore for r in (app.recorder, app.snapshots.recorder)}.values():
        with datastore.transaction(commit=False) as c:
            c.execute("PRAGMA trusted_schema")
            trusted = c.fetchone()[0]
            c.execute("PRAGMA secure_delete")
            checked.append((trusted, c.fetchone()[0]))
    assert checked and set(checked) == {(0, 1)}
    app.close()
    app.store.path.chmod(0o444)  # a store opened read-only gets the same connections
    try:
        reader = JournalApp(app.store, app.identity)
        with reader.recorder.datastore.transaction(commit=False) as c:
            c.execute("PRAGMA trusted_schema")
            assert c.fetchone()[0] == 0
        reader.close()
    finally:
        app.store.path.chmod(0o600)


# --- PostgreSQL errors by SQLSTATE -------------------------------------------------------------------------------

def wrapped_server_error(sqlstate: str, message: str) -> Exception:
    """A server error as the app meets it: psycopg's error for `sqlstate`, wrapped by eventsourcing."""
    import psycopg
    from eventsourcing.persistence import OperationalError, ProgrammingError

    server_error = psycopg.errors.lookup(sqlstate)(message)
    wrapper = ProgrammingError if isinstance(server_error, psycopg.ProgrammingError) else OperationalError
    try:
        try:
            raise server_error
        except psycopg.Error as error:
            raise wrapper(str(error)) from error
    except Exception as error:  # noqa: B902
        return error


SHARED = "postgresql://ada:s3cret-pw@db.example.org:6543/programme"


@pytest.mark.sqlite_only  # no server needed: the translation of an error the server sent
@pytest.mark.parametrize("sqlstate,message,sentence", [
    ("28P01", "authentification par mot de passe échouée pour l'utilisateur « ada »", "refused user ada"),
    ("28000", "aucune entrée dans pg_hba.conf", "refused user ada"),
    ("3D000", "la base de données « programme » n'existe pas", "database 'programme' does not exist"),
    ("42P01", "la relation « mentoringjournal_events » n'existe pas", "holds no journal store yet"),
    ("42501", "droit refusé pour la table mj_data_keys", "user ada is not allowed"),
    ("25006", "ne peut pas exécuter INSERT dans une transaction en lecture seule", "is read-only"),
    ("55P03", "annulation de la requête à cause du délai d'attente d'un verrou", "busy with other writers"),
    ("40P01", "interblocage détecté", "busy with other writers"),
    ("40001", "n'a pas pu sérialiser un accès", "busy with other writers"),
    ("57P01", "arrêt de la connexion suite à la demande de l'administrateur", "closed the connection"),
    ("57P02", "arrêt de la connexion à cause de l'arrêt brutal d'un autre processus", "closed the connection"),
    ("08006", "échec de la connexion", "closed the connection"),
])
def test_a_server_error_in_another_language_is_translated_by_its_sqlstate(sqlstate, message, sentence):
    from journal.config import StoreLocation
    from journal.store_errors import store_failure

    failure = store_failure(wrapped_server_error(sqlstate, message), StoreLocation.parse(SHARED))
    assert failure is not None and sentence in str(failure), failure
    assert "s3cret-pw" not in str(failure)


@pytest.mark.sqlite_only
def test_the_sqlstate_wins_over_english_words_in_the_message():
    from journal.config import StoreLocation
    from journal.store_errors import store_failure

    where = StoreLocation.parse(SHARED)
    failure = store_failure(wrapped_server_error("42P01", 'relation "password authentication failed" does not exist'),
                            where)
    assert "holds no journal store yet" in str(failure) and "refused" not in str(failure)
    unknown = store_failure(wrapped_server_error("22012", "permission denied to divide by zero"), where)
    assert "not allowed" not in str(unknown) and "failed" in str(unknown)


@pytest.mark.sqlite_only
def test_a_connection_failure_with_no_sqlstate_is_still_read_from_its_text():
    import psycopg
    from eventsourcing.persistence import OperationalError

    from journal.config import StoreLocation
    from journal.store_errors import store_failure

    try:
        try:
            raise psycopg.OperationalError('connection failed: FATAL:  password authentication failed for user "ada"')
        except psycopg.Error as error:
            raise OperationalError(str(error)) from error
    except OperationalError as error:
        failure = store_failure(error, StoreLocation.parse(SHARED))
    assert "refused user ada" in str(failure)


# --- Drafts for $EDITOR ------------------------------------------------------------------------------------------

EDITOR = """
import json, os, stat, sys
path = sys.argv[-1]
seen = {"path": path, "mode": stat.S_IMODE(os.lstat(path).st_mode),
        "directory_mode": stat.S_IMODE(os.lstat(os.path.dirname(path)).st_mode),
        "directory_owner": os.lstat(os.path.dirname(path)).st_uid}
with open(os.environ["EDITOR_LOG"], "w") as log:
    json.dump(seen, log)
with open(path, "w") as draft:
    draft.write("Written in a private draft\\n# a comment line\\n")
sys.exit(int(os.environ.get("EDITOR_EXIT", "0")))
"""


@pytest.fixture
def editor(tmp_path, monkeypatch):
    """$EDITOR is a small program that writes the entry and records where its file was and its
    mode; stdin is a terminal, so that `mj checkin` with no text opens it. Returns what it saw."""
    program = tmp_path / "editor.py"
    program.write_text(EDITOR)
    log = tmp_path / "editor-log.json"
    monkeypatch.setenv("EDITOR", f"{os.sys.executable} {program}")
    monkeypatch.setenv("EDITOR_LOG", str(log))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr("cli.records.stdin_is_terminal", lambda: True)
    return lambda: json.loads(log.read_text())


def tmpfs_mounts() -> set[str]:
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return set()
    return {line.split()[1] for line in lines if line.split()[2] in ("tmpfs", "ramfs")}


def entry_texts(run) -> list[str]:
    return [e["text"] for e in json.loads(ok(run("entries", "--json")))]


@pytest.mark.sqlite_only
def test_the_draft_is_a_private_file_in_a_private_directory_in_ram_and_is_removed(run, mentee, editor):
    ok(run("checkin"))
    seen = editor()
    draft = Path(seen["path"])
    assert (seen["mode"], seen["directory_mode"], seen["directory_owner"]) == (0o600, 0o700, os.getuid())
    assert not draft.exists()
    assert draft.parent.parent != Path("/tmp") and not str(draft).startswith("/tmp/")
    if "/dev/shm" in tmpfs_mounts():
        assert draft.parent == Path("/dev/shm") / f"mj-drafts-{os.getuid()}"
    else:
        assert draft.parent == mentee / "tmp"
    assert entry_texts(run) == ["Written in a private draft"]


@pytest.mark.sqlite_only
def test_without_a_file_system_in_ram_the_draft_lives_in_the_homes_own_private_directory(run, mentee, editor,
                                                                                          monkeypatch, tmp_path):
    monkeypatch.setattr("cli.drafts.ram_backed_directories", lambda: [])
    ok(run("checkin"))
    seen = editor()
    assert Path(seen["path"]).parent == mentee / "tmp" and seen["directory_mode"] == 0o700
    assert seen["mode"] == 0o600 and list((mentee / "tmp").iterdir()) == []


@pytest.mark.sqlite_only
def test_a_runtime_directory_on_disk_is_not_taken_for_ram(run, mentee, editor, monkeypatch, tmp_path):
    runtime = tmp_path / "run-user"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))  # on the disk the tests run on, not in RAM
    ok(run("checkin"))
    assert not str(editor()["path"]).startswith(str(runtime))
    assert list(runtime.iterdir()) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize("planted", ["symlink", "someone else's"])
def test_a_directory_planted_where_drafts_go_is_not_used(run, mentee, editor, monkeypatch, tmp_path, planted):
    shared = tmp_path / "shm"
    shared.mkdir()
    monkeypatch.setattr("cli.drafts.ram_backed_directories", lambda: [shared])
    where = shared / f"mj-drafts-{os.getuid()}"
    attacker = tmp_path / "attacker"
    attacker.mkdir(mode=0o777)
    if planted == "symlink":
        where.symlink_to(attacker)
    else:
        if os.geteuid() != 0:
            pytest.skip("needs root to give a directory away")
        where.mkdir(mode=0o777)
        os.chown(where, 65534, 65534)
    ok(run("checkin"))
    assert Path(editor()["path"]).parent == mentee / "tmp"
    assert list(attacker.iterdir()) == [] and (not where.is_dir() or list(where.iterdir()) == [])


@pytest.mark.sqlite_only
def test_an_editor_that_fails_leaves_no_draft_and_no_record(run, mentee, editor, monkeypatch):
    monkeypatch.setenv("EDITOR_EXIT", "3")
    assert_refused(run("checkin"), 1, "Editing failed")
    assert not Path(editor()["path"]).exists()
    monkeypatch.setenv("EDITOR_EXIT", "0")
    assert entry_texts(run) == []


@pytest.mark.sqlite_only
def test_drafts_older_than_a_day_are_removed_at_the_next_edit_and_fresh_ones_kept(run, mentee, editor,
                                                                                  monkeypatch):
    monkeypatch.setattr("cli.drafts.ram_backed_directories", lambda: [])
    drafts = mentee / "tmp"
    drafts.mkdir(mode=0o700)
    stale, fresh = drafts / "draft-stale.txt", drafts / ".draft-crashed.txt.swp"
    for path, hours in ((stale, 25), (fresh, 2)):
        path.write_text("an old draft")
        moment = path.stat().st_mtime - hours * 3600  # the file system's time: real, not the test's calendar
        os.utime(path, (moment, moment))
    ok(run("checkin"))
    assert not stale.exists() and fresh.exists()
    assert sorted(p.name for p in drafts.iterdir()) == [fresh.name]


@pytest.mark.backends("postgres")
def test_the_real_servers_errors_are_read_by_sqlstate_with_no_english_words_to_match(run, mentee, pg_server, store,
                                                                                     monkeypatch):
    import psycopg

    from tests.conftest import raw_store, store_state

    ok(run("checkin", "written by the owner"))
    with raw_store(store) as db:
        db.connection.autocommit = True
        db.execute("DROP ROLE IF EXISTS sqlstate_reader")
        db.execute("CREATE ROLE sqlstate_reader LOGIN PASSWORD 'reader-pw'")
        db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO sqlstate_reader")
    monkeypatch.setattr("journal.store_errors._CLIENT_TEXTS", [])  # only the SQLSTATE is left to go by
    before = store_state(store)
    as_reader = pg_server.url_with(user="sqlstate_reader", password="reader-pw", dbname=store.dbname)
    assert_refused(run("--store", as_reader, "checkin", "not allowed"), 1, "user sqlstate_reader is not allowed")
    assert store_state(store) == before
    with psycopg.connect(pg_server.url_with(dbname="postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE mj_no_tables_yet")
    try:
        assert_refused(run("--store", pg_server.url_with(dbname="mj_no_tables_yet"), "entries"), 1,
                       "holds no journal store yet")
    finally:
        with psycopg.connect(pg_server.url_with(dbname="postgres"), autocommit=True) as admin:
            admin.execute("DROP DATABASE mj_no_tables_yet WITH (FORCE)")


@pytest.mark.sqlite_only
def test_a_draft_that_is_not_utf8_is_kept_for_its_writer_and_nothing_is_recorded(run, mentee, editor, monkeypatch,
                                                                                 tmp_path):
    latin1 = tmp_path / "latin1-editor.sh"
    latin1.write_text('#!/bin/sh\nprintf "caf\\351 au lait\\n" > "$1"\n')
    latin1.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(latin1))
    monkeypatch.setattr("cli.drafts.ram_backed_directories", lambda: [])
    assert_refused(run("checkin"), 1, "not UTF-8", "nothing was written", str(mentee / "tmp"))
    [kept] = (mentee / "tmp").iterdir()
    assert kept.read_bytes() == b"caf\xe9 au lait\n" and mode(kept) == 0o600
    assert entry_texts(run) == []
