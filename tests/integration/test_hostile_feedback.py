"""Feedback only with her consent: unsolicited, oversized and rejected messages cost her nothing.

Each refusal stands beside the honest path it must not break: a mentor she released to, or one
she accepted, is imported once and the inbox copy deleted; one she blocked never is.
"""

import json

import pytest

from journal import crypto
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store
from domain import clock


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def people(run, mentee, home):
    """Ada released one check-in to Grace; Alan is a mentor she never released anything to."""
    files = {"ada": home / "identity.json", "grace": home / "grace.json", "alan": home / "alan.json"}
    ok(run("--identity", str(files["grace"]), "init", "--name", "Grace Hopper", "--role", "mentor"))
    ok(run("--identity", str(files["alan"]), "init", "--name", "Alan Turing", "--role", "mentor"))
    entry = ok(run("checkin", "a note for Grace"))
    ok(run("share", entry[:10], "--with", "grace"))
    return files


def who(people, name):
    return unlock_identity(people[name], PASSPHRASE)


def send(run, people, sender, text):
    return ok(run("--identity", str(people[sender]), "feedback", "send", "--to", "ada", text))


def inbox_ids(store):
    with raw_store(store) as db:
        return [r[0] for r in db.execute("SELECT message_id FROM mj_inbox").fetchall()]


def mentor_feedback(run):
    return [(f["from_name"], f["text"]) for f in json.loads(ok(run("inbox", "--json")))]


def post(store, sender, recipient, message, *, body=None, sealed=None):
    """A message signed by `sender` exactly as send_feedback signs one, around any sealed bytes."""
    sent_at = clock.now().isoformat()
    if sealed is None:
        sealed = crypto.hpke_seal(recipient.encryption_key.public_key(), crypto.pad(body),
                                  crypto.lp("mj/v1/feedback", message, recipient.fingerprint, sender.fingerprint))
    signature = crypto.sign(sender.signing_key, crypto.lp("mj/v1/feedback-signature", message,
                                                          recipient.fingerprint, sender.fingerprint, sent_at, sealed))
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_inbox VALUES (?,?,?,?,?,?)",
                   (message, recipient.fingerprint, sender.fingerprint, sent_at, sealed, signature))


FEEDBACK_SIZE = 200  # a feedback message is padded to 256 bytes at least; a sealed journal key is far smaller


@pytest.fixture
def crypto_calls(monkeypatch):
    """The size of every blob the client verifies or opens (the commands run in this process)."""
    from journal import crypto as module

    seen = []
    verify, open_ = module.signature_holds, module.hpke_open

    def counting_verify(key, signature, message):
        seen.append(("verify", len(message)))
        return verify(key, signature, message)

    def counting_open(key, sealed, info):
        seen.append(("open", len(sealed)))
        return open_(key, sealed, info)

    monkeypatch.setattr(module, "signature_holds", counting_verify)
    monkeypatch.setattr(module, "hpke_open", counting_open)
    return seen


# -- (a) a mentor she never released to ------------------------------------------------------


def test_hostile_feedback_from_a_mentor_she_never_released_to_waits_unopened(run, people, store, crypto_calls):
    message = send(run, people, "alan", "UNSOLICITED advice")
    crypto_calls.clear()
    result = run("inbox")
    assert result.exit_code == 0, result.output
    assert "UNSOLICITED" not in result.stdout + result.stderr
    assert "1 message waiting from Alan Turing (" in result.stderr and "mj inbox accept" in result.stderr
    assert [c for c in crypto_calls if c[0] == "open" and c[1] > FEEDBACK_SIZE] == []
    assert inbox_ids(store) == [message]
    assert mentor_feedback(run) == []


def test_hostile_feedback_from_a_mentor_she_released_to_is_imported_once_and_the_copy_deleted(run, people, store):
    send(run, people, "grace", "Well done on the talk")
    first = run("entries")
    assert "Imported 1 feedback message" in first.stderr
    assert inbox_ids(store) == []
    assert mentor_feedback(run) == [("Grace Hopper", "Well done on the talk")]
    assert "Imported" not in run("entries").stderr


def test_hostile_feedback_from_a_mentor_she_accepts_is_imported(run, people, store):
    send(run, people, "alan", "Try the other approach")
    accepted = run("inbox", "accept", "alan")
    assert accepted.exit_code == 0, accepted.output
    assert "Alan Turing" in accepted.stderr
    assert mentor_feedback(run) == [("Alan Turing", "Try the other approach")]
    assert inbox_ids(store) == []


def test_hostile_feedback_from_a_blocked_mentor_is_never_imported_even_after_a_release(run, people, store):
    blocked = run("inbox", "block", "grace")
    assert blocked.exit_code == 0, blocked.output
    message = send(run, people, "grace", "BLOCKED text")
    entry = ok(run("checkin", "another note"))
    ok(run("share", entry[:10], "--with", "grace"))
    result = run("inbox")
    assert "BLOCKED" not in result.stdout + result.stderr and "waiting from Grace" not in result.stderr
    assert mentor_feedback(run) == [] and inbox_ids(store) == [message]
    ok(run("inbox", "accept", "grace"))  # she changes her mind: the later decision counts
    assert mentor_feedback(run) == [("Grace Hopper", "BLOCKED text")]


def test_hostile_accept_and_block_name_mentors_only(run, people):
    result = run("inbox", "accept", "ada")
    assert result.exit_code == 1 and "Traceback" not in result.output


# -- (b) oversized ---------------------------------------------------------------------------


def test_hostile_an_oversized_message_is_never_downloaded_or_opened(run, people, store, crypto_calls):
    grace, ada = who(people, "grace"), who(people, "ada")
    post(store, grace, ada, "e" * 32, sealed=b"\x01" * (5 * 1024 * 1024))
    crypto_calls.clear()
    warnings = []
    for _ in range(3):
        result = run("entries")
        assert result.exit_code == 0, result.output
        warnings += [line for line in result.stderr.splitlines() if "eeeeeeee" in line]
    assert [c for c in crypto_calls if c[1] > 64 * 1024] == []
    assert len(warnings) == 1 and "too large" in warnings[0]
    send(run, people, "grace", "After the big one")  # the honest path still works
    assert mentor_feedback(run) == [("Grace Hopper", "After the big one")]


# -- (c) rejected once -----------------------------------------------------------------------


def test_hostile_a_rejected_message_is_recorded_once_and_never_processed_again(run, people, store, crypto_calls):
    grace, ada = who(people, "grace"), who(people, "ada")
    post(store, grace, ada, "d" * 32, body=b"this is not json")
    crypto_calls.clear()
    warnings = []
    for _ in range(3):
        result = run("entries")
        assert result.exit_code == 0, result.output
        warnings += [line for line in result.stderr.splitlines() if "dddddddd" in line]
    assert len(warnings) == 1 and "malformed" in warnings[0]
    assert len([c for c in crypto_calls if c[0] == "open" and c[1] > FEEDBACK_SIZE]) == 1
    assert run("verify").exit_code == 0  # her note of the refusal is an ordinary, chained event
    send(run, people, "grace", "A good one")
    assert mentor_feedback(run) == [("Grace Hopper", "A good one")]


def test_hostile_a_forged_message_is_reported_once(run, people, store):
    """Signed by Alan but claiming to be Grace's: refused once, then left alone."""
    alan, ada, grace = who(people, "alan"), who(people, "ada"), who(people, "grace")
    sealed = crypto.hpke_seal(ada.encryption_key.public_key(), crypto.pad(b"{}"), b"x")
    post(store, alan, ada, "c" * 32, sealed=sealed)
    with raw_store(store) as db:
        db.execute("UPDATE mj_inbox SET sender_fingerprint = ?", (grace.fingerprint,))
    lines = [line for _ in range(3) for line in run("entries").stderr.splitlines() if "cccccccc" in line]
    assert len(lines) == 1 and "not signed" in lines[0]


def test_hostile_imported_feedback_is_an_ordinary_entry_with_its_own_data_key(run, people, store):
    """So a later `mj forget` can shred it like any entry: its own record, its own wrapped key."""
    send(run, people, "grace", "Shreddable")
    [entry] = json.loads(ok(run("entries", "--kind", "mentor-feedback", "--json")))
    with raw_store(store) as db:
        keys = db.execute("SELECT COUNT(*) FROM mj_data_keys WHERE version = ?", (entry["version"],)).fetchone()[0]
    assert keys >= 1


@pytest.mark.parametrize("message_id", ["m-planted", "a" * 32], ids=["odd-id", "mj-id"])
def test_hostile_a_row_of_nulls_from_her_mentor_is_refused_once_and_her_command_goes_on(run, people, store,
                                                                                        message_id):
    grace, ada = who(people, "grace"), who(people, "ada")
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_inbox VALUES (?, ?, ?, NULL, NULL, NULL)",
                   (message_id, ada.fingerprint, grace.fingerprint))
    results = [run("checkin", f"day {n}") for n in range(3)]
    assert all(r.exit_code == 0 and "Traceback" not in r.output for r in results)
    refusals = [line for r in results for line in r.stderr.splitlines() if line.startswith("Rejected:")]
    assert len(refusals) == 1 and ("malformed" in refusals[0] or "not one mj writes" in refusals[0])
    send(run, people, "grace", "Still arrives")
    assert mentor_feedback(run) == [("Grace Hopper", "Still arrives")]
