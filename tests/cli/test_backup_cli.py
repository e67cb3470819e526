"""`mj backup FILE`: a consistent 0600 copy; refuses an existing FILE and a PostgreSQL store."""

import sqlite3
import stat


def test_backup_makes_a_private_consistent_copy(run, mentee, store, tmp_path):
    target = tmp_path / "copy.db"
    if store.path is None:
        result = run("backup", str(target))
        assert result.exit_code == 1 and "pg_dump" in result.output and not target.exists()
        return
    holder = sqlite3.connect(store.path)
    holder.execute("BEGIN IMMEDIATE")  # another connection holds an open write transaction
    try:
        result = run("backup", str(target))
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_refuses_an_existing_file(run, mentee, store, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"keep me")
    before = store.path.read_bytes() if store.path else None
    result = run("backup", str(target))
    assert result.exit_code == 1
    assert target.read_bytes() == b"keep me"
    if store.path:
        assert store.path.read_bytes() == before
        assert "already exists" in result.output


def test_the_copy_is_a_journal_that_reads_back(run, mentee, store, tmp_path):
    if store.path is None:
        return  # a PostgreSQL store is refused above
    assert run("checkin", "written before the backup", "--at", "2026-05-12").exit_code == 0
    target = tmp_path / "copy.db"
    assert run("backup", str(target)).exit_code == 0
    copied = run("--store", str(target), "entries", "--json")
    assert copied.exit_code == 0 and "written before the backup" in copied.output, copied.output
    # Once the journal moves on, this device refuses the older copy as a rollback (by name), while
    # the store itself reads on: restoring it is `mj verify --accept-rollback`, on purpose.
    assert run("checkin", "written after the backup", "--at", "2026-05-12").exit_code == 0
    older = run("--store", str(target), "entries")
    assert older.exit_code == 1 and "rolled back" in older.output, older.output
    assert "written after the backup" in run("entries").output

def test_backup_into_a_missing_directory_is_one_line(run, mentee, store, tmp_path):
    if store.path is None:
        return
    target = tmp_path / "no such dir" / "copy.db"
    before = store.path.read_bytes()
    result = run("backup", str(target))
    assert result.exit_code == 1 and result.output.count("Error:") == 1, result.output
    assert "Traceback" not in result.output and not target.parent.exists()
    assert store.path.read_bytes() == before
