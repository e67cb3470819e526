"""`mj keys rotate --identity`: new identity keys for the mentee, her journal keys, directory entry,
grants, memberships and recovery code moved to them in one transaction; mentors follow her because
her old key signed the change, and believe nothing under the old keys again once they have."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from journal.identity_rotation import side_path
from tests.conftest import PASSPHRASE, files_at_rest, ok, own_app, raw_store, refused, store_state, store_url

ROOT = Path(__file__).resolve().parents[2]


def fingerprint(run, *who: str) -> str:
    return json.loads(ok(run(*who, "whoami", "--json")))["fingerprint"]


def released_texts(run, grace) -> list[str]:
    return [r["entry"]["text"] for r in json.loads(ok(run(*grace, "inbox", "--json")))]


def test_everything_of_hers_moves_to_the_new_keys_and_her_mentor_follows(run, mentee, home, store):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    entry = ok(run("checkin", "MARKER-released"))
    ok(run("share", entry[:8], "--with", "grace"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "before the change"))  # pins Ada's old keys on her device
    assert released_texts(run, grace) == ["MARKER-released"]
    old = fingerprint(run)
    shutil.copy(home / "identity.json", home / "old-copy.json")
    with raw_store(store) as db:
        old_seals = [bytes(s) for (s,) in db.execute("SELECT sealed FROM mj_journal_keys")]

    done = run("keys", "rotate", "--identity", "--json")
    moved = json.loads(ok(done))
    new = fingerprint(run)
    assert (moved["old_fingerprint"], moved["fingerprint"], moved["grants"]) == (old, new, 1) and new != old
    assert "Your recovery code" in done.stderr and not side_path(home / "identity.json").exists()
    with raw_store(store) as db:
        assert [f for (f,) in db.execute("SELECT fingerprint FROM mj_directory") if f == old] == []
        assert not {bytes(s) for (s,) in db.execute("SELECT sealed FROM mj_journal_keys")} & set(old_seals)
        assert {f for (f,) in db.execute("SELECT mentee_fingerprint FROM mj_grants")} == {new}
    # Her old identity file (a backup, say) opens nothing of the store now.
    assert "no journal key of yours" in refused(run("--identity", str(home / "old-copy.json"), "entries"))

    assert released_texts(run, grace) == ["MARKER-released"]  # the grant, signed again, still opens
    assert f"(new keys, signed by the old: {old})" in ok(run(*grace, "directory"))
    # Grace's device pinned "ada" to the old keys; the old key signed the new ones, so it follows.
    ok(run(*grace, "feedback", "send", "--to", "ada", "after the change"))
    texts = [e["text"] for e in json.loads(ok(run("entries", "--json"))) if e["kind"] == "mentor-feedback"]
    assert texts == ["before the change", "after the change"]
    later = ok(run("checkin", "written with the new keys"))
    ok(run("share", later[:8], "--with", "grace"))
    assert released_texts(run, grace) == ["MARKER-released", "written with the new keys"]
    assert ok(run("verify")).startswith("ok:")
    if not store.is_postgres:  # the old seals are gone from the file and its WAL too
        assert [s for s in old_seals for p in files_at_rest(home, store) if s in p.read_bytes()] == []

    # The new recovery code rebuilds the new keys on another device; a second rotation extends the chain.
    recovered = home / "new-device" / "identity.json"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MJ_RECOVERY_CODE", " ".join(re.findall(r"\b\d+\. +([a-z]+)", done.stderr)))
        env.setenv("MJ_NEW_PASSPHRASE", "violet anchor marble stove")
        assert ok(run("--identity", str(recovered), "recover")) == new
    ok(run("keys", "rotate", "--identity"))
    assert f"(new keys, signed by the old: {old}, {new})" in ok(run(*grace, "directory"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "after the second change"))
    assert "after the second change" in ok(run("entries"))


def test_her_old_keys_releases_put_back_are_not_believed_by_a_mentor_who_followed(run, mentee, home, store):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    entry = ok(run("checkin", "MARKER-revoked-after-the-change"))
    grant = ok(run("share", entry[:8], "--with", "grace"))
    assert released_texts(run, grace) == ["MARKER-revoked-after-the-change"]
    with raw_store(store) as db:  # a copy of the store as it was, taken by someone who can write it
        copy = {table: db.execute(f"SELECT * FROM {table}").fetchall()
                for table in ("mj_grants", "mj_live_grants", "mj_directory")}

    ok(run("keys", "rotate", "--identity"))
    assert released_texts(run, grace) == ["MARKER-revoked-after-the-change"]  # followed to the new keys
    ok(run("revoke", grant[:8]))
    assert released_texts(run, grace) == []

    with raw_store(store) as db:  # her old entry, grant and list put back beside the new: all validly signed
        db.execute("DELETE FROM mj_live_grants")
        for table, rows in copy.items():
            for row in rows:
                db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))}) ON CONFLICT DO NOTHING", row)
    shown = run(*grace, "inbox", "--json")  # a rejected release fails the command, after what it shows
    assert shown.exit_code == 1 and json.loads(shown.stdout) == [], shown.output
    assert "Ada Lovelace's releases under keys they have since replaced are ignored" in shown.stderr


def test_a_succession_not_signed_by_her_old_key_is_not_followed(run, mentee, home, store):
    from journal.directory import DirectoryStore
    from journal.identity import new_identity

    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "pins her"))  # her device now pins "ada" to Ada's keys
    ok(run("inbox", "accept", "grace"))
    ada = fingerprint(run)
    with raw_store(store) as db:
        [real] = db.execute("SELECT * FROM mj_directory WHERE fingerprint = ?", (ada,)).fetchall()
    x25519, ed25519 = json.loads(bytes(real[1]))["x25519"], json.loads(bytes(real[1]))["ed25519"]
    mallory, earlier = (new_identity(home / f"{n}.json", name="Ada Lovelace", role="mentee", journal_id=None)
                        for n in ("mallory", "earlier"))
    forged = {  # a link naming Ada's keys that Ada's key never signed, and a chain of Mallory's own keys
        "signature does not verify": DirectoryStore.signed_entry(mallory, [[x25519, ed25519, "00" * 64]]),
        "now finds": DirectoryStore.successor_entry(earlier, mallory, []),
    }
    for refusal, row in forged.items():
        with raw_store(store) as db:
            db.execute("DELETE FROM mj_directory WHERE fingerprint IN (?, ?)", (ada, mallory.fingerprint))
            db.execute("INSERT INTO mj_directory VALUES (?, ?, ?)", row)
        before = store_state(store)
        assert refusal in refused(run(*grace, "feedback", "send", "--to", "Ada Lovelace", "meant for Ada"))
        assert store_state(store) == before
    with raw_store(store) as db:  # the honest path beside it: her real entry back, and her own rotation
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (mallory.fingerprint,))
        db.execute("INSERT INTO mj_directory VALUES (?, ?, ?)", real)
    ok(run("keys", "rotate", "--identity"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "meant for Ada"))
    assert "meant for Ada" in ok(run("entries"))


def test_a_process_that_read_her_old_keys_before_the_rotation_signs_nothing_after_it(run, mentee, home, store):
    from journal.directory import by_fingerprint
    from journal.sharing import release_entry

    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    entry = ok(run("checkin", "released by a stale process?"))
    stale = own_app(home)
    try:
        assert [e.fields["text"] for e in stale.history()] == ["released by a stale process?"]  # her old keys, read
        mentor = by_fingerprint(stale.recorder.datastore, fingerprint(run, *grace))
        ok(run("keys", "rotate", "--identity"))
        before = store_state(store)
        try:
            release_entry(stale, entry, mentor)
            raised = None
        except Exception as error:  # noqa: BLE001 (the error a command would print in one line)
            raised = error
    finally:
        stale.close()
    # Her journal key was rotated too, and its rows re-signed: the old keys open nothing to sign with.
    assert raised is not None and "nothing was read or written" in str(raised)
    assert store_state(store) == before
    ok(run("share", entry[:8], "--with", "grace"))  # the honest path beside it: her new keys release it
    assert released_texts(run, grace) == ["released by a stale process?"]


def test_a_mentor_identity_or_feedback_waiting_for_consent_is_refused_with_nothing_written(run, mentee, home, store):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    before = store_state(store)
    assert "only a mentee's identity keys can be rotated" in refused(run(*grace, "keys", "rotate", "--identity"))
    assert store_state(store) == before
    ok(run(*grace, "feedback", "send", "--to", "ada", "unasked"))  # she never released to Grace
    ok(run("entries"))  # her next command says it waits
    before = store_state(store)
    assert "wait for your consent" in refused(run("keys", "rotate", "--identity"))
    assert store_state(store) == before
    ok(run("inbox", "accept", "grace"))
    ok(run("keys", "rotate", "--identity"))  # the honest path beside it
    assert "unasked" in ok(run("entries"))


KILLED_ROTATION = """
import sys
from pathlib import Path
from journal import identity_rotation
from journal.app import JournalApp
from journal.identity import PendingUnlock

store, path, passphrase, moment = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
unlock = PendingUnlock(path, passphrase, background=False)
app = JournalApp(store, unlock.finish())

def wait_at(name):
    original = getattr(identity_rotation, name)
    def waiting(*args):
        print(name, flush=True)
        sys.stdin.read()  # until killed
        return original(*args)
    setattr(identity_rotation, name, waiting)

wait_at(moment)
identity_rotation.rotate_identity(app, unlock.header["kdf"], unlock.sealing_key)
"""


def killed_at(moment: str, home: Path, store) -> None:
    worker = subprocess.Popen([sys.executable, "-c", KILLED_ROTATION, store_url(store), str(home / "identity.json"),
                               PASSPHRASE, moment], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env={**os.environ})
    assert worker.stdout.readline().strip() == moment
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)


@pytest.mark.backends("sqlite", "postgres")
def test_killed_before_the_store_commits_the_old_keys_stay_and_the_unused_file_goes(real_kdf, run, mentee, home,
                                                                                     store):
    ok(run("checkin", "kept"))
    old, before = fingerprint(run), store_state(store)
    killed_at("_sign_memberships_again", home, store)  # inside the transaction: the new file written, locked
    assert side_path(home / "identity.json").exists()
    assert store_state(store) == before
    listed = run("entries")
    assert listed.exit_code == 0 and "kept" in listed.stdout and "Note:" not in listed.stderr, listed.output
    assert fingerprint(run) == old and not side_path(home / "identity.json").exists()
    ok(run("keys", "rotate", "--identity"))  # the honest path beside it: nothing was left locked or half-done
    assert fingerprint(run) != old and "kept" in ok(run("entries"))


@pytest.mark.backends("sqlite", "postgres")
def test_killed_after_the_store_committed_the_next_command_puts_the_new_keys_in_place(real_kdf, run, mentee, home,
                                                                                       store):
    ok(run("checkin", "kept"))
    old = fingerprint(run)
    killed_at("_put_in_place", home, store)  # committed: the store's keys are the new ones, the file the old
    assert fingerprint(run) == old and side_path(home / "identity.json").exists()
    listed = run("entries")
    assert listed.exit_code == 0 and "kept" in listed.stdout, listed.output
    assert "Note: finished the identity rotation a crash interrupted" in listed.stderr
    assert fingerprint(run) != old and not side_path(home / "identity.json").exists()
    assert ok(run("verify")).startswith("ok:")


def test_her_programme_membership_moves_to_the_new_keys_and_still_counts(run, mentee, home, store):
    import time_machine

    from journal.app import JournalApp
    from journal.identity import unlock_identity
    from journal.programmes import find_programme, signed_memberships
    from tests.cli.test_programme_membership import CREATED

    morgan, sam = ("--identity", str(home / "morgan.json")), ("--identity", str(home / "sam.json"))
    ok(run(*morgan, "init", "--name", "Morgan Reid", "--role", "manager"))
    ok(run(*sam, "init", "--name", "Sam Steward", "--role", "steward"))
    with time_machine.travel(CREATED, tick=False):
        ok(run(*morgan, "program", "create", "Spring", "--helper", "Sam", "--k", "5"))
    ok(run("program", "join", "Spring"))

    def members() -> list[str]:
        manager = JournalApp(store, unlock_identity(home / "morgan.json", PASSPHRASE))
        try:
            return [row.fingerprint for row in signed_memberships(manager, find_programme(manager, "Spring"))]
        finally:
            manager.close()

    assert members() == [fingerprint(run)]
    moved = json.loads(ok(run("keys", "rotate", "--identity", "--json")))
    assert moved["memberships"] == 1 and members() == [moved["fingerprint"]]
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_memberships").fetchone()[0] == 1  # the old row is gone
