"""`mj verify --backup FILE` (of SQLite stores; PostgreSQL's are pg_dumps): a backup older than
this device's anchor is checked and said to be N records behind, never refused, never written,
and the anchor stays; a fork or a damaged copy is one line."""

import hashlib
import shutil
import sqlite3
from tests.conftest import ok, refused




def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_older_backup_is_checked_and_said_to_be_behind(run, mentee, store, tmp_path):
    ok(run("checkin", "before the backup"))
    backup = tmp_path / "backup.db"
    ok(run("backup", str(backup)))
    for n in range(3):
        ok(run("checkin", f"after the backup {n}"))
    assert "rolled back" in refused(run("--store", str(backup), "entries"))  # as a store, it is refused
    anchors = {p.name: digest(p) for p in (mentee / "anchors").iterdir()}
    before = digest(backup)
    line = ok(run("verify", "--backup", str(backup)))
    assert line.startswith("ok: backup") and "3 records behind the journal" in line, line
    assert digest(backup) == before  # never written, not even its tables
    assert {p.name: digest(p) for p in (mentee / "anchors").iterdir()} == anchors  # nor the anchor moved back
    assert ok(run("verify")).startswith("ok: journal")  # and the store still reads on
    ok(run("backup", str(tmp_path / "now.db")))
    assert "up to date" in ok(run("verify", "--backup", str(tmp_path / "now.db")))


def test_a_copy_with_another_history_is_a_fork_not_a_backup(run, mentee, store, tmp_path):
    ok(run("checkin", "shared past"))
    fork = tmp_path / "fork.db"
    ok(run("backup", str(fork)))
    ok(run("checkin", "the journal's own next record"))
    elsewhere = tmp_path / "other-device"  # the same keys on a device that never saw the journal move on
    elsewhere.mkdir()
    shutil.copy(mentee / "identity.json", elsewhere / "identity.json")
    ok(run("--identity", str(elsewhere / "identity.json"), "--store", str(fork), "checkin", "a different next record"))
    assert "another history" in refused(run("verify", "--backup", str(fork)))


def test_a_damaged_or_foreign_file_is_one_line(run, mentee, store, tmp_path):
    ok(run("checkin", "to be damaged"))
    backup = tmp_path / "backup.db"
    ok(run("backup", str(backup)))
    with sqlite3.connect(backup) as db:
        state = db.execute("SELECT state FROM stored_events WHERE originator_version = 2").fetchone()[0]
        db.execute("UPDATE stored_events SET state = ? WHERE originator_version = 2",
                   (state[:-1] + bytes([state[-1] ^ 1]),))
    assert "record 2" in refused(run("verify", "--backup", str(backup)))
    assert "not a backup" in refused(run("verify", "--backup", str(mentee / "identity.json")))
    ok(run("backup", str(tmp_path / "good.db")))
    assert ok(run("verify", "--backup", str(tmp_path / "good.db"))).startswith("ok: backup")  # the honest path
