"""Grants and feedback that were forged, moved, readdressed or altered are rejected, never shown."""

import json
import os

import pytest

from journal import crypto
from journal.app import JournalApp
from journal.config import store_location
from journal.identity import unlock_identity
from journal.sharing import _grant_info, _grant_message, import_feedback
from tests.conftest import PASSPHRASE, raw_store
from domain import clock


def out(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def shared(run, mentee, home):
    people = {name: home / f"{name}.json" for name in ("grace", "alan")}
    out(run("--identity", str(people["grace"]), "init", "--name", "Grace Hopper", "--role", "mentor"))
    out(run("--identity", str(people["alan"]), "init", "--name", "Alan Turing", "--role", "mentor"))
    entries = [out(run("checkin", f"note {n}")) for n in range(3)]
    grant = out(run("share", entries[0][:10], "--with", "grace"))
    alans = out(run("share", entries[1][:10], "--with", "alan"))
    return {"people": people, "entries": entries, "grant": grant, "alans": alans, "db": store_location()}


def unlocked(path):
    return unlock_identity(path, PASSPHRASE)


def grant_row(db, grant_id):
    with raw_store(db) as c:
        return c.execute("SELECT * FROM mj_grants WHERE grant_id = ?", (grant_id,)).fetchone()


def insert_grant(db, row):
    with raw_store(db) as c:
        c.execute("INSERT INTO mj_grants VALUES (?,?,?,?,?,?,?,?)", row)


def graces_inbox(run, shared):
    result = run("--identity", str(shared["people"]["grace"]), "inbox", "--json")
    return result, json.loads(result.stdout or "[]")


def test_a_grant_signed_by_someone_else_is_rejected(run, shared):
    grace, alan = unlocked(shared["people"]["grace"]), unlocked(shared["people"]["alan"])
    _, journal, version, ada_fp, _, granted_at, _, _ = grant_row(shared["db"], shared["grant"])
    forged_id = "f" * 32
    sealed = crypto.hpke_seal(grace.encryption_key.public_key(), os.urandom(32),
                              _grant_info(journal, version + 1, grace.fingerprint, forged_id))
    signature = crypto.sign(alan.signing_key, _grant_message(forged_id, journal, version + 1, ada_fp,
                                                             grace.fingerprint, granted_at, sealed))
    insert_grant(shared["db"], (forged_id, journal, version + 1, ada_fp, grace.fingerprint, granted_at, sealed,
                                signature))
    result, shown = graces_inbox(run, shared)
    assert result.exit_code == 1
    assert f"grant {forged_id[:8]} claims to come from Ada Lovelace but is not signed by them" in result.stderr
    assert [r["grant"] for r in shown] == [shared["grant"]]


def test_a_grant_moved_to_another_entry_is_rejected(run, shared):
    with raw_store(shared["db"]) as c:
        c.execute("UPDATE mj_grants SET version = version + 2 WHERE grant_id = ?", (shared["grant"],))
    result, shown = graces_inbox(run, shared)
    assert result.exit_code == 1 and shown == []
    assert f"grant {shared['grant'][:8]}" in result.stderr and "not signed" in result.stderr


def test_another_mentors_grant_readdressed_to_grace_is_rejected(run, shared):
    grace = unlocked(shared["people"]["grace"])
    row = list(grant_row(shared["db"], shared["alans"]))
    row[0], row[4] = "a" * 32, grace.fingerprint
    insert_grant(shared["db"], tuple(row))
    result, shown = graces_inbox(run, shared)
    assert result.exit_code == 1 and "not signed" in result.stderr
    assert [r["grant"] for r in shown] == [shared["grant"]]


def test_a_signed_grant_sealed_to_the_wrong_mentor_does_not_open(run, shared, home):
    """Even with the mentee's own signature, a key sealed to Alan does not open for Grace."""
    ada = unlocked(home / "identity.json")
    grace, alan = unlocked(shared["people"]["grace"]), unlocked(shared["people"]["alan"])
    _, journal, version, ada_fp, _, granted_at, _, _ = grant_row(shared["db"], shared["grant"])
    grant_id = "b" * 32
    sealed = crypto.hpke_seal(alan.encryption_key.public_key(), os.urandom(32),
                              _grant_info(journal, version, alan.fingerprint, grant_id))
    signature = crypto.sign(ada.signing_key, _grant_message(grant_id, journal, version, ada_fp, grace.fingerprint,
                                                            granted_at, sealed))
    insert_grant(shared["db"], (grant_id, journal, version, ada_fp, grace.fingerprint, granted_at, sealed, signature))
    result, shown = graces_inbox(run, shared)
    assert f"grant {grant_id[:8]} from Ada Lovelace does not open the record it names" in result.stderr
    assert [r["grant"] for r in shown] == [shared["grant"]]


def send(run, shared, sender="grace", text="Well done on the talk"):
    return out(run("--identity", str(shared["people"][sender]), "feedback", "send", "--to", "ada", text))


def inbox_rows(db):
    with raw_store(db) as c:
        return c.execute("SELECT * FROM mj_inbox").fetchall()


def test_tampered_feedback_is_rejected_and_not_imported(run, shared):
    message = send(run, shared)
    with raw_store(shared["db"]) as c:
        sealed = c.execute("SELECT sealed FROM mj_inbox").fetchone()[0]
        c.execute("UPDATE mj_inbox SET sealed = ?", (sealed[:-1] + bytes([sealed[-1] ^ 1]),))
    result = run("inbox", "--json")
    assert f"Rejected: feedback {message[:8]} is not signed by a mentor" in result.stderr
    assert json.loads(result.stdout) == [] and len(inbox_rows(shared["db"])) == 1


def test_feedback_re_signed_over_altered_bytes_still_does_not_open(run, shared):
    message = send(run, shared)
    grace = unlocked(shared["people"]["grace"])
    _, recipient, sender, sent_at, sealed, _ = inbox_rows(shared["db"])[0]
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    signature = crypto.sign(grace.signing_key, crypto.lp("mj/v1/feedback-signature", message, recipient, sender,
                                                         sent_at, altered))
    with raw_store(shared["db"]) as c:
        c.execute("UPDATE mj_inbox SET sealed = ?, signature = ?", (altered, signature))
    result = run("inbox", "--json")
    assert "does not open: altered, not imported" in result.stderr and json.loads(result.stdout) == []


def test_feedback_from_someone_who_is_not_a_mentor_is_not_imported(run, shared, home):
    """Bob, a mentee, writes a well-formed, well-signed message into Ada's inbox by hand."""
    bob_file = home / "bob.json"
    out(run("--identity", str(bob_file), "init", "--name", "Bob"))
    bob, ada = unlocked(bob_file), unlocked(home / "identity.json")
    message, sent_at = "c" * 32, clock.now().isoformat()
    body = json.dumps({"message_id": message, "text": "I am not your mentor", "about": None, "sent_at": sent_at,
                       "from_name": "Bob", "from_fingerprint": bob.fingerprint}).encode()
    sealed = crypto.hpke_seal(ada.encryption_key.public_key(), crypto.pad(body),
                              crypto.lp("mj/v1/feedback", message, ada.fingerprint, bob.fingerprint))
    signature = crypto.sign(bob.signing_key, crypto.lp("mj/v1/feedback-signature", message, ada.fingerprint,
                                                       bob.fingerprint, sent_at, sealed))
    with raw_store(shared["db"]) as c:
        c.execute("INSERT INTO mj_inbox VALUES (?,?,?,?,?,?)",
                  (message, ada.fingerprint, bob.fingerprint, sent_at, sealed, signature))
    result = run("inbox", "--json")  # Bob is no mentor she released to or accepted: never opened
    assert json.loads(result.stdout) == [] and "I am not your mentor" not in result.stdout + result.stderr
    assert "waiting from Bob" not in result.stderr and len(inbox_rows(shared["db"])) == 1


def test_an_interrupted_import_is_finished_without_a_second_record(run, shared, home):
    send(run, shared, text="Only once, please")
    [row] = inbox_rows(shared["db"])
    app = JournalApp(store_location(), unlocked(home / "identity.json"))
    imported, rejected = import_feedback(app)
    assert len(imported) == 1 and rejected == []
    with raw_store(shared["db"]) as c:  # as if the delete never happened
        c.execute("INSERT INTO mj_inbox VALUES (?,?,?,?,?,?)", row)
    assert import_feedback(app) == ([], [])
    assert inbox_rows(shared["db"]) == []
    assert [e.fields["text"] for e in app.entries() if e.kind == "mentor-feedback"] == ["Only once, please"]
    app.close()


def test_a_directory_entry_that_does_not_verify_is_shown_as_such_and_never_used(run, shared):
    grace = unlocked(shared["people"]["grace"])
    with raw_store(shared["db"]) as c:
        entry = json.loads(c.execute("SELECT entry FROM mj_directory WHERE fingerprint = ?",
                                     (grace.fingerprint,)).fetchone()[0])
        entry["name"] = "Grace Hopper (edited)"
        c.execute("UPDATE mj_directory SET entry = ? WHERE fingerprint = ?",
                  (json.dumps(entry, sort_keys=True, separators=(",", ":")).encode(), grace.fingerprint))
    listing = out(run("directory"))
    assert "Grace Hopper (edited)   SIGNATURE DOES NOT VERIFY: never used" in listing
    refused = run("share", shared["entries"][2][:10], "--with", "Grace Hopper (edited)")
    assert refused.exit_code == 1 and "signature does not verify" in refused.stderr


def test_only_mentors_send_feedback(run, shared):
    result = run("feedback", "send", "--to", "ada", "I am the mentee")
    assert result.exit_code == 1 and "only mentors send feedback" in result.stderr
    assert inbox_rows(shared["db"]) == []
