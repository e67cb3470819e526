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

from journal.rotation_files import side_path
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


def put_back(db, copy: dict) -> None:
    """Rows copied earlier, put back beside what is there now (a store writer's replay)."""
    for table, rows in copy.items():
        for row in rows:
            db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))}) ON CONFLICT DO NOTHING", row)


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
        put_back(db, copy)
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
        "now finds": DirectoryStore.successor_entry(earlier, mallory),
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
    assert listed.exit_code == 0 and "kept" in listed.stdout, listed.output
    [aside] = home.glob("identity.json.next.unused-*")  # moved aside, never deleted on the store's word
    assert f"Note: an interrupted key rotation never reached this store: its unused keys are kept in {aside.name}" \
        in listed.stderr
    assert fingerprint(run) == old and not side_path(home / "identity.json").exists()
    ok(run("keys", "rotate", "--identity"))  # the honest path beside it: nothing was left locked or half-done
    assert fingerprint(run) != old and "kept" in ok(run("entries"))


@pytest.mark.backends("sqlite", "postgres")
def test_killed_after_the_store_committed_the_next_command_puts_the_new_keys_in_place(real_kdf, run, mentee, home,
                                                                                       store):
    ok(run("checkin", "kept"))
    old = fingerprint(run)
    killed_at("put_in_place", home, store)  # committed: the store's keys are the new ones, the file the old
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


def interleave(monkeypatch, meanwhile) -> None:
    """Runs `meanwhile()` once, after the rotation has read her journal and before its transaction."""
    from journal import identity_rotation

    original, calls = identity_rotation.write_sealed, []

    def write_then(*args, **kwargs):
        if not calls:
            calls.append(meanwhile())
        return original(*args, **kwargs)

    monkeypatch.setattr(identity_rotation, "write_sealed", write_then)


def test_a_journal_key_rotated_by_another_process_meanwhile_is_carried_over(run, mentee, home, store, monkeypatch):
    from journal.rotation import rotate_journal_key

    ok(run("checkin", "kept"))
    other = own_app(home)
    try:
        interleave(monkeypatch, lambda: rotate_journal_key(other))  # `mj keys rotate` in a second terminal
        ok(run("keys", "rotate", "--identity"))
    finally:
        other.close()
    with raw_store(store) as db:
        wrapped = {k for (k,) in db.execute("SELECT jk_id FROM mj_data_keys WHERE kind = 'e'")}
        held = {k for (k,) in db.execute("SELECT jk_id FROM mj_journal_keys")}
    assert wrapped <= held and "kept" in ok(run("entries")) and ok(run("verify")).startswith("ok:")


def test_feedback_arriving_meanwhile_undoes_the_rotation_and_the_next_run_imports_it(run, mentee, home, store,
                                                                                      monkeypatch):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run("share", ok(run("checkin", "for Grace"))[:8], "--with", "grace"))
    old = fingerprint(run)
    before = store_state(store)

    def send():
        from journal.app import JournalApp
        from journal.directory import by_fingerprint
        from journal.identity import unlock_identity
        from journal.sharing import send_feedback

        mentor = JournalApp(store, unlock_identity(home / "grace.json", PASSPHRASE))
        try:
            send_feedback(mentor, by_fingerprint(mentor.recorder.datastore, old), "sent during the rotation", None)
        finally:
            mentor.close()

    interleave(monkeypatch, send)
    assert "arrived while they were being rotated" in refused(run("keys", "rotate", "--identity"))
    after = dict(store_state(store))  # only Grace's message and her copy of it are new
    assert {t: rows for t, rows in after.items() if t not in ("mj_inbox", "mj_sent")} == {
        t: rows for t, rows in before if t not in ("mj_inbox", "mj_sent")}
    assert fingerprint(run) == old and not side_path(home / "identity.json").exists()
    ok(run("keys", "rotate", "--identity"))  # the honest path beside it: imported first, then rotated
    assert "sent during the rotation" in ok(run("entries"))


def test_a_second_rotation_while_one_runs_is_refused_with_nothing_written(run, mentee, store, home):
    from journal.rotation_files import rotation_lock

    before = store_state(store)
    with rotation_lock(home / "identity.json", wait=True):  # another process's rotation, holding the lock
        assert "is running" in refused(run("keys", "rotate", "--identity"))
    assert store_state(store) == before
    ok(run("keys", "rotate", "--identity"))


def test_after_a_crash_past_the_commit_no_store_and_no_deletion_makes_her_lose_the_new_keys(real_kdf, run, mentee,
                                                                                             home, store, tmp_path):
    ok(run("checkin", "PRECIOUS"))
    old = fingerprint(run)
    killed_at("put_in_place", home, store)
    other = ("--store", str(tmp_path / "other.db"))
    ok(run(*other, "--identity", str(home / "someone.json"), "init", "--name", "Someone Else"))
    elsewhere = run(*other, "entries")  # a shell whose MJ_STORE points elsewhere: the new file is not touched
    assert "holds the new keys of an interrupted rotation for" in elsewhere.stderr
    assert side_path(home / "identity.json").exists() and fingerprint(run) == old
    with raw_store(store) as db:  # and a store writer deletes her new directory entry meanwhile
        db.execute("DELETE FROM mj_directory WHERE fingerprint <> ?", (old,))
    listed = run("entries")
    assert listed.exit_code == 0 and "PRECIOUS" in listed.stdout, listed.output
    assert "finished the identity rotation" in listed.stderr and fingerprint(run) != old


def test_a_withheld_entry_between_two_rotations_leaves_the_chain_whole(run, mentee, home, store):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    grant = ok(run("share", ok(run("checkin", "MARKER-REVOKED"))[:8], "--with", "grace"))
    assert released_texts(run, grace) == ["MARKER-REVOKED"]  # Grace's device knows her first keys only
    with raw_store(store) as db:
        copy = {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in ("mj_grants", "mj_live_grants", "mj_directory")}
    ok(run("keys", "rotate", "--identity"))
    ok(run("revoke", grant[:8]))
    middle = fingerprint(run)
    with raw_store(store) as db:  # her second keys' entry withheld
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (middle,))
    ok(run("keys", "rotate", "--identity"))
    ok(run("share", ok(run("checkin", "shared under the third keys"))[:8], "--with", "grace"))
    assert released_texts(run, grace) == ["shared under the third keys"]  # followed from the first to the third
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_live_grants")
        put_back(db, copy)
    shown = run(*grace, "inbox", "--json")
    assert "MARKER-REVOKED" not in shown.stdout
    assert "under keys they have since replaced are ignored" in shown.stderr


def test_a_revoked_grant_put_back_before_a_rotation_is_not_signed_again(run, mentee, home, store):
    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    grant = ok(run("share", ok(run("checkin", "MARKER-REVOKED"))[:8], "--with", "grace"))
    with raw_store(store) as db:
        copy = {t: db.execute(f"SELECT * FROM {t}").fetchall() for t in ("mj_grants", "mj_live_grants")}
    ok(run("revoke", grant[:8]))
    with raw_store(store) as db:  # the revoked grant and the list that named it, put back
        db.execute("DELETE FROM mj_live_grants")
        put_back(db, copy)
    assert json.loads(ok(run("keys", "rotate", "--identity", "--json")))["grants"] == 0
    (home / "grace.seen-lists.json").unlink(missing_ok=True)  # a device of Grace's that never saw anything
    shown = run(*grace, "inbox", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout) == [], shown.output
    with raw_store(store) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_grants").fetchone()[0] == 0


def test_a_rival_successor_signed_by_her_old_key_is_not_followed_by_a_device_that_saw_the_new(run, mentee, home,
                                                                                                store):
    from journal.directory import DirectoryStore
    from journal.identity import new_identity, unlock_identity

    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "first keys"))
    ok(run("inbox", "accept", "grace"))
    leaked = unlock_identity(home / "identity.json", PASSPHRASE)  # a copy of her first keys, in other hands
    ok(run("keys", "rotate", "--identity"))
    ok(run(*grace, "feedback", "send", "--to", "ada", "second keys"))  # Grace's device follows, and pins them
    mallory = new_identity(home / "mallory.json", name="Ada Lovelace", role="mentee", journal_id=None)
    with raw_store(store) as db:  # a rival successor of the leaked keys; her real entry withheld
        db.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (fingerprint(run),))
        db.execute("INSERT INTO mj_directory VALUES (?, ?, ?)", DirectoryStore.successor_entry(leaked, mallory))
    before = store_state(store)
    assert "now finds" in refused(run(*grace, "feedback", "send", "--to", "ada", "for Mallory?"))
    assert store_state(store) == before
    assert [e["text"] for e in json.loads(ok(run("entries", "--json")))] == ["first keys", "second keys"]


def rotate_elsewhere(home: Path, store) -> None:
    """`mj keys rotate --identity` in another process, finished."""
    from journal import identity_rotation
    from journal.app import JournalApp
    from journal.identity import PendingUnlock

    unlock = PendingUnlock(home / "identity.json", PASSPHRASE, background=False)
    app = JournalApp(store, unlock.finish())
    try:
        identity_rotation.rotate_identity(app, unlock.header["kdf"], unlock.sealing_key)
    finally:
        app.close()


def test_a_journal_key_rotation_by_a_process_holding_the_old_identity_is_refused(run, mentee, home, store):
    from journal.rotation import rotate_journal_key

    ok(run("checkin", "kept"))
    stale = own_app(home)
    try:
        stale.history()  # her old keys read
        rotate_elsewhere(home, store)
        before = store_state(store)
        with pytest.raises(Exception, match="your keys changed while this command ran"):
            rotate_journal_key(stale)  # it would seal a new journal key to keys she no longer has
        assert store_state(store) == before
    finally:
        stale.close()
    assert "kept" in ok(run("entries"))
    ok(run("keys", "rotate"))  # the honest path beside it, under her new keys
    assert "kept" in ok(run("entries")) and ok(run("verify")).startswith("ok:")


@pytest.mark.parametrize("command", [("passphrase", "change"), ("keys", "recovery-code")])
def test_a_command_that_rewrites_her_identity_file_refuses_keys_a_rotation_replaced_meanwhile(
        run, mentee, home, store, monkeypatch, command):
    from journal import recovery

    ok(run("checkin", "kept"))
    monkeypatch.setenv("MJ_NEW_PASSPHRASE", "violet anchor marble stove")
    original = recovery.new_code if command[0] == "keys" else None

    done = []

    def meanwhile(*args, **kwargs):  # the other terminal's rotation finishes while this one runs
        if not done:
            done.append(True)
            rotate_elsewhere(home, store)
        return original(*args, **kwargs) if original else real_check(*args, **kwargs)

    if original:
        monkeypatch.setattr(recovery, "new_code", meanwhile)
    else:
        from journal import passphrases

        real_check = passphrases.check_new_passphrase
        monkeypatch.setattr(passphrases, "check_new_passphrase", meanwhile)
    rotated = fingerprint(run)  # not yet: the rotation runs inside the command
    assert "changed while this command ran" in refused(run(*command))
    assert fingerprint(run) != rotated and "kept" in ok(run("entries"))  # her file holds the new keys, and they work


def test_a_rival_successor_claiming_her_journal_is_not_believed_by_a_device_that_follows_her(run, mentee, home,
                                                                                               store):
    from journal import crypto
    from journal.directory import DirectoryStore
    from journal.grants import signed_live_list
    from journal.identity import new_identity, unlock_identity
    from journal.sharing import _grant_message

    grace = ("--identity", str(home / "grace.json"))
    ok(run(*grace, "init", "--name", "Grace Hopper", "--role", "mentor"))
    grant = ok(run("share", ok(run("checkin", "MARKER-REVOKED-LATER"))[:8], "--with", "grace"))
    leaked = unlock_identity(home / "identity.json", PASSPHRASE)
    ok(run("keys", "rotate", "--identity"))
    assert released_texts(run, grace) == ["MARKER-REVOKED-LATER"]  # Grace's device follows her second keys
    with raw_store(store) as db:
        [row] = db.execute("SELECT * FROM mj_grants WHERE grant_id = ?", (grant,)).fetchall()
    ok(run("revoke", grant[:8]))
    assert released_texts(run, grace) == []
    mallory = new_identity(home / "mallory.json", name="Ada Lovelace", role="mentee", journal_id=leaked.journal_id)
    with raw_store(store) as db:  # the leaked key signs Mallory in; the revoked grant comes back under Mallory
        db.execute("INSERT INTO mj_directory VALUES (?, ?, ?)", DirectoryStore.successor_entry(leaked, mallory))
        parts, after = row[:3], (row[4], row[5], bytes(row[6]))
        signature = crypto.sign(mallory.signing_key, _grant_message(*parts, mallory.fingerprint, *after))
        db.execute("INSERT INTO mj_grants VALUES (?,?,?,?,?,?,?,?)", (*parts, mallory.fingerprint, *after, signature))
        db.execute("DELETE FROM mj_live_grants")
        db.execute("INSERT INTO mj_live_grants VALUES (?,?,?,?)",
                   signed_live_list(mallory.signing_key, leaked.journal_id.hex, 10**6, [grant]))
    shown = run(*grace, "inbox", "--json")
    assert "MARKER-REVOKED-LATER" not in shown.stdout
    assert "without being signed by them: not shown" in shown.stderr


def test_if_the_journal_key_step_fails_she_still_gets_the_new_code_and_is_told_what_to_run(run, mentee,
                                                                                          monkeypatch):
    from journal import rotation
    from journal.errors import JournalError

    old = fingerprint(run)

    def failing(app):
        raise JournalError("the store is busy")

    monkeypatch.setattr(rotation, "rotate_journal_key", failing)
    result = run("keys", "rotate", "--identity")
    assert result.exit_code == 1 and "Your recovery code" in result.stderr, result.output
    assert "your identity keys were rotated, but the journal key was not (the store is busy): run `mj keys " \
           "rotate`" in result.stderr
    assert fingerprint(run) != old


@pytest.mark.backends("sqlite")
def test_an_unsigned_key_row_sealed_to_the_unused_new_keys_does_not_put_them_in_place(real_kdf, run, mentee, home,
                                                                                      store):
    import base64

    from journal import crypto, sealed_format

    ok(run("checkin", "kept"))
    old = fingerprint(run)
    killed_at("_sign_memberships_again", home, store)  # never committed: the new keys are unused
    header = json.loads(side_path(home / "identity.json").read_text())
    new_public = crypto.x25519_public(base64.b64decode(header["public"]["x25519"]))
    with raw_store(store) as db:  # a store writer who read the side file's public key plants a row for it
        saved = db.execute("SELECT * FROM mj_journal_keys").fetchall()
        journal = saved[0][0]
        from uuid import UUID

        chosen = crypto.new_key()  # the row a journal made before rows were signed would have, and its checkpoint
        planted = sealed_format.seal_journal_key(chosen, new_public, journal_id=UUID(journal), jk_id=1)
        db.execute("DELETE FROM mj_journal_keys")
        db.execute("INSERT INTO mj_journal_keys VALUES (?, ?, ?, NULL)", (journal, 1, planted))
        checkpoints = db.execute("SELECT * FROM mj_checkpoints").fetchall()
        [(stream, size, head, _)] = checkpoints
        forged = crypto.sign(crypto.legacy_checkpoint_key(chosen), crypto.lp("mj/v1/checkpoint", stream, size,
                                                                            bytes(head)))
        db.execute("UPDATE mj_checkpoints SET signature = ?", (forged,))
    result = run("entries")
    assert result.exit_code == 1 and fingerprint(run) == old and side_path(home / "identity.json").exists()
    with raw_store(store) as db:  # her own rows back: her old keys open them, and the unused file is moved aside
        db.execute("DELETE FROM mj_journal_keys")
        for row in saved:
            db.execute("INSERT INTO mj_journal_keys VALUES (?, ?, ?, ?)", row)
        db.execute("DELETE FROM mj_checkpoints")
        db.executemany("INSERT INTO mj_checkpoints VALUES (?, ?, ?, ?)", checkpoints)
    assert "kept" in ok(run("entries")) and fingerprint(run) == old
    assert list(home.glob("identity.json.next.unused-*"))
