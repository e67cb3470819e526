"""`mj keys rotate`: every data key wrapped again under a new journal key and the replaced keys
deleted, in one transaction; releases keep working; a kill in the middle leaves the old key
working; a writer holding a key rotated away meanwhile writes under the new one; a key number
changed by a store writer opens nothing."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from domain.journal import MenteeJournal
from tests.conftest import PASSPHRASE, files_at_rest, ok, own_app, raw_store, store_state, store_url

ROOT = Path(__file__).resolve().parents[2]




def key_rows(store) -> list[int]:
    with raw_store(store) as db:
        return sorted(k for (k,) in db.execute("SELECT jk_id FROM mj_journal_keys"))


def test_rotation_rewraps_every_data_key_and_deletes_the_keys_it_replaces(run, mentee, home, store):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    ids = [ok(run("checkin", f"MARKER-{n}")) for n in range(3)]
    ok(run("share", ids[0][:8], "--with", "grace"))
    listed = ok(run("entries", "--json"))
    with raw_store(store) as db:
        old_wraps = [bytes(w) for (w,) in db.execute("SELECT wrap FROM mj_data_keys WHERE kind = 'e'")]

    first = json.loads(ok(run("keys", "rotate", "--json")))
    assert (first["journal_key"], first["deleted"]) == (2, []) and key_rows(store) == [1, 2]
    second = json.loads(ok(run("keys", "rotate", "--json")))
    assert (second["journal_key"], second["deleted"]) == (3, [2]) and key_rows(store) == [1, 3]
    with raw_store(store) as db:
        assert {k for (k,) in db.execute("SELECT jk_id FROM mj_data_keys WHERE kind = 'e'")} == {3}
        new_wraps = {bytes(w) for (w,) in db.execute("SELECT wrap FROM mj_data_keys WHERE kind = 'e'")}
    assert not new_wraps & set(old_wraps)
    if not store.is_postgres:  # the old wraps are gone from the file and its WAL too
        found = [w for w in old_wraps for p in files_at_rest(home, store) if w in p.read_bytes()]
        assert found == []

    assert ok(run("entries", "--json")) == listed  # every record reads as before
    assert "MARKER-0" in ok(run(*grace, "inbox", "--json"))  # the release still opens
    later = ok(run("checkin", "after the rotation"))
    assert later in ok(run("entries", "--json"))
    assert ok(run("verify")).startswith("ok:")


KILLED_ROTATION = """
import sys
from pathlib import Path
from journal import rotation
from journal.app import JournalApp
from journal.identity import unlock_identity

store, identity, passphrase = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
app = JournalApp(store, unlock_identity(identity, passphrase))
rewrap, calls = rotation._rewrap, []

def rewrap_then_wait(*args):
    calls.append(1)
    if len(calls) == 5:
        print("in the middle of the rotation", flush=True)
        sys.stdin.read()  # until killed
    return rewrap(*args)

rotation._rewrap = rewrap_then_wait
rotation.rotate_journal_key(app)
"""


@pytest.mark.backends("sqlite", "postgres")
def test_a_rotation_killed_in_the_middle_leaves_the_old_key_working(real_kdf, run, mentee, store):
    for n in range(8):
        ok(run("checkin", f"entry {n}"))
    before = store_state(store)
    worker = subprocess.Popen([sys.executable, "-c", KILLED_ROTATION, store_url(store), str(mentee / "identity.json"),
                               PASSPHRASE], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ})
    assert worker.stdout.readline().strip() == "in the middle of the rotation"  # the new key row sent, not committed
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert store_state(store) == before and key_rows(store) == [1]
    assert len(json.loads(ok(run("entries", "--json")))) == 8 and ok(run("verify")).startswith("ok:")
    ok(run("keys", "rotate"))  # the honest path beside it: nothing was left locked or half-written
    assert key_rows(store) == [1, 2] and len(json.loads(ok(run("entries", "--json")))) == 8


def test_a_writer_holding_a_key_rotated_away_meanwhile_writes_under_the_new_one(run, mentee, home, store):
    ok(run("keys", "rotate"))  # jk 2 is current
    writer = own_app(home)
    writer.update(MenteeJournal.check_in, "read jk 2 into memory")
    ok(run("keys", "rotate"))  # another process: jk 3 replaces jk 2, which is deleted
    writer.update(MenteeJournal.check_in, "written by the process that still held jk 2")
    with raw_store(store) as db:
        assert {k for (k,) in db.execute("SELECT jk_id FROM mj_data_keys WHERE kind = 'e'")} == {3}
    texts = [e["text"] for e in json.loads(ok(run("entries", "--json")))]
    assert texts[-1] == "written by the process that still held jk 2"
    assert ok(run("verify")).startswith("ok:")


def test_a_key_number_changed_by_a_store_writer_opens_nothing(run, mentee, home, store):
    ok(run("checkin", "first"))
    ok(run("keys", "rotate"))
    with raw_store(store) as db:
        db.execute("UPDATE mj_data_keys SET jk_id = 1 WHERE kind = 'e' AND version = 2")
    result = run("entries")
    assert result.exit_code == 1 and "record 2" in result.stderr and "does not open" in result.stderr, result.output
    with raw_store(store) as db:
        db.execute("UPDATE mj_data_keys SET jk_id = 2 WHERE kind = 'e' AND version = 2")
    assert "first" in ok(run("entries"))  # the honest path beside it


def test_rows_past_her_checkpoint_or_of_the_wrong_type_neither_stop_nor_crash_a_rotation(run, mentee, store):
    ok(run("checkin", "hers"))
    with raw_store(store) as db:
        size = db.execute("SELECT MAX(originator_version) FROM stored_events").fetchone()[0]
        journal = db.execute("SELECT originator_id FROM stored_events").fetchone()[0]
        topic, state = db.execute("SELECT topic, state FROM stored_events WHERE originator_version = ?",
                                  (size,)).fetchone()
        db.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) VALUES (?,?,?,?)",
                   (journal, size + 1, topic, state))  # planted past her signed checkpoint
        db.execute("INSERT INTO mj_data_keys VALUES (?,?,?,?,?)", (journal, "e", size + 1, 1, b"\x01junk"))
    assert ok(run("keys", "rotate")) == ""
    assert "hers" in ok(run("entries"))
    if store.is_postgres:
        return  # its columns are typed: the wrong type cannot be stored there
    with raw_store(store) as db:
        db.execute("UPDATE mj_data_keys SET jk_id = 'two' WHERE kind = 'e' AND version = ?", (size,))
    result = run("keys", "rotate")
    assert result.exit_code == 1 and "Traceback" not in result.output and "does not open" in result.stderr, \
        result.output
