"""Completion against a hostile store and dishonest parties, on both backends: a statement
altered in the store or after the mentor signed it, one from a mentee the mentor never knew, a
forged countersignature, and certificates altered, forged, unsigned or signed by a stranger. Each
is refused in one line while the honest path beside it goes through."""

import json
import random
from types import SimpleNamespace
from datetime import date
from uuid import uuid4

import pytest

from domain import clock
from journal import completion, crypto
from journal.app import JournalApp
from journal.completion_store import CompletionStore, send_statement
from journal.config import StoreLocation, store_location
from journal.directory import by_fingerprint
from journal.identity import new_identity, unlock_identity
from projections.certificate import render_html
from tests.cli import test_completion as story
from tests.cli.test_completion import certificate, countersigned, statement
from tests.conftest import PASSPHRASE, ok, raw_store, refused, store_state

people = story.people  # the same fixture: Ada, her mentor Grace, Morgan's programme, on each backend


def error_line(result) -> str:
    """Refused while the rows not believed are each one line before it: exit 1, nothing on stdout."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and result.stdout == "" and "Traceback" not in result.output, result.output
    assert lines[-1].startswith("Error: ") and all(line.startswith("Rejected: ") for line in lines[:-1]), lines
    return lines[-1]


def app_of(home, name):
    return JournalApp(store_location(), unlock_identity(home / f"{name}.json", PASSPHRASE))


def post(app, recipient, body, *, sender=None):
    """What a modified client (or anyone holding the sender's keys) can post: any body, sealed to
    `recipient` and signed by the sender as mj signs a document."""
    me = sender or app.identity
    document_id, sent_at = uuid4().hex, clock.now().isoformat()
    body = {"document_id": document_id, "sent_at": sent_at} | body
    sealed = crypto.hpke_seal(recipient.encryption_key, crypto.pad(completion.canonical(body)),
                              crypto.lp("mj/v1/completion-document", document_id, recipient.fingerprint,
                                        me.fingerprint))
    signature = crypto.sign(me.signing_key, crypto.lp("mj/v1/completion-document-signature", document_id,
                                                      recipient.fingerprint, me.fingerprint, sent_at, sealed))
    with app.recorder.datastore.transaction(commit=True) as c:
        CompletionStore.insert(c, (document_id, recipient.fingerprint, me.fingerprint, sent_at, sealed, signature))


def person(app, identity):
    return by_fingerprint(app.recorder.datastore, identity.fingerprint)


def test_a_document_altered_in_the_store_is_refused_and_the_true_one_signed(run, people, home, store):
    sid, _ = statement(run)
    ok(run("completion", "send", sid, "--to", "grace"))
    with raw_store(store) as db:
        (sealed,) = db.execute("SELECT sealed FROM mj_completions").fetchone()
        db.execute("UPDATE mj_completions SET sealed = ?", (bytes(sealed[:50]) + bytes([sealed[50] ^ 1])
                                                           + bytes(sealed[51:]),))
    listed = run(*people["grace"], "completion")
    assert listed.exit_code == 0 and "is not signed by them: not shown" in listed.stderr, listed.output
    assert sid not in listed.stdout
    assert "was presented to you" in run(*people["grace"], "completion", "sign", sid).stderr
    with raw_store(store) as db:
        db.execute("UPDATE mj_completions SET sealed = ?", (sealed,))
    ok(run(*people["grace"], "completion", "sign", sid))


def test_facts_altered_after_the_mentor_signed_get_no_certificate(run, people, home, store, tmp_path):
    sid = countersigned(run, people)
    ada = app_of(home, "identity")
    try:
        [sent] = [e for e in ada.history() if e.kind == "countersigned"]
        true = next(e for e in ada.history() if e.kind == "completion").fields["statement"]
        better = true | {"months_meeting_norm": 4, "minutes": 400}
        morgan = person(ada, unlock_identity(home / "morgan.json", PASSPHRASE))
        post(ada, morgan, {"statement": better, "statement_id": completion.statement_id(better),
                           "mentee_signature": completion.sign_hex(ada.identity.signing_key,
                                                                   completion.mentee_message(better)),
                           "mentor_signature": sent.fields["signature"]})  # Grace signed the true facts
    finally:
        ada.close()
    listed = run(*people["morgan"], "completion", "--json")
    assert "the mentor's signature does not hold" in listed.stderr and json.loads(listed.stdout) == []
    before = store_state(store)
    forged = run(*people["morgan"], "certificate", "issue", completion.statement_id(better), "--html",
                 str(tmp_path / "c.html"), *issue_options(run, people))
    assert forged.exit_code == 1 and "was presented to you" in forged.stderr and not (tmp_path / "c.html").exists()
    assert store_state(store) == before
    ok(run("completion", "send", sid, "--to", "Spring cohort"))  # the true one, honestly presented
    ok(run(*people["morgan"], "certificate", "issue", sid, "--html", str(tmp_path / "c.html"), *issue_options(
        run, people)))


def issue_options(run, people):
    grace = json.loads(ok(run(*people["grace"], "whoami", "--json")))["fingerprint"]
    return ("--programme", "Spring cohort", "--confirm-mentor", grace)


def test_a_stranger_or_another_mentees_statement_is_not_countersigned(run, people, home, store):
    bea_file = home / "bea.json"
    ok(run("--identity", str(bea_file), "init", "--name", "Bea Stranger"))
    sid, s = statement(run)
    bea = app_of(home, "bea")
    try:
        grace = person(bea, unlock_identity(home / "grace.json", PASSPHRASE))
        hers = s | {"mentee": {"name": "Bea Stranger", "fingerprint": bea.identity.fingerprint}}
        send_statement(bea, hers, grace, "countersign")  # a modified client: Grace was never her mentor
        ada_file = unlock_identity(home / "identity.json", PASSPHRASE)
        post(bea, grace, {"statement": s, "statement_id": sid, "mentor_signature": None,  # Ada's, sent by Bea
                          "mentee_signature": completion.sign_hex(ada_file.signing_key, completion.mentee_message(s))})
    finally:
        bea.close()
    listed = run(*people["grace"], "completion")
    assert "its statement is another mentee's: not shown" in listed.stderr
    before = store_state(store)
    assert "is not a mentee you know by these keys" in error_line(
        run(*people["grace"], "completion", "sign", completion.statement_id(hers)))
    assert "was presented to you" in error_line(run(*people["grace"], "completion", "sign", sid))
    assert store_state(store) == before
    ok(run("completion", "send", sid, "--to", "grace"))  # Ada, who agreed with Grace: signed
    ok(run(*people["grace"], "completion", "sign", sid))


def countersignature(run, home, sender, sid, signature):
    """A countersignature message from `sender`, with any signature, as a modified client sends it."""
    from journal.inbox import InboxStore, feedback_body, feedback_info, feedback_signed_part

    app = app_of(home, sender)
    try:
        me = app.identity
        ada = by_fingerprint(app.recorder.datastore, unlock_identity(home / "identity.json", PASSPHRASE).fingerprint)
        message_id, sent_at = uuid4().hex, clock.now().isoformat()
        body = feedback_body(message_id, "", None, sent_at, me.name, me.fingerprint,
                             countersignature={"statement_id": sid, "signature": signature})
        sealed = crypto.hpke_seal(ada.encryption_key, crypto.pad(body), feedback_info(message_id, ada.fingerprint,
                                                                                      me.fingerprint))
        InboxStore(app.recorder.datastore).post(message_id, ada.fingerprint, me.fingerprint, sent_at, sealed,
                                                crypto.sign(me.signing_key, feedback_signed_part(
                                                    message_id, ada.fingerprint, me.fingerprint, sent_at, sealed)))
    finally:
        app.close()


def test_a_forged_countersignature_is_refused_once_and_the_true_one_imported(run, people, home, store):
    sid, s = statement(run)
    ok(run("completion", "send", sid, "--to", "grace"))
    ok(run("inbox", "accept", "alan"))  # she takes Alan's feedback, but he is not the mentor the statement names
    alan = unlock_identity(home / "alan.json", PASSPHRASE)
    countersignature(run, home, "alan", sid, completion.sign_hex(alan.signing_key, completion.mentor_message(s)))
    grace = unlock_identity(home / "grace.json", PASSPHRASE)
    other = s | {"minutes": 999}
    countersignature(run, home, "grace", sid, completion.sign_hex(grace.signing_key, completion.mentor_message(other)))
    first = run("entries")
    assert "Alan Turing is not the mentor statement" in first.stderr, first.output
    assert "the mentor's signature does not hold" in first.stderr
    assert "countersigned" not in [e["kind"] for e in json.loads(ok(run("entries", "--json")))]
    again = run("entries")
    assert "not imported" not in again.stderr  # refused once, recorded
    ok(run(*people["grace"], "completion", "sign", sid))
    assert [e["kind"] for e in json.loads(ok(run("entries", "--json")))].count("countersigned") == 1


def flip_hex(value: str) -> str:
    return ("1" if value[0] == "0" else "0") + value[1:]


def stranger_manager(tmp_path):
    """A manager's keys that no directory of this store has ever held."""
    elsewhere = tmp_path / "elsewhere"
    identity = new_identity(elsewhere / "m.json", name="Morgan Reid", role="manager", journal_id=uuid4())
    JournalApp(StoreLocation(path=elsewhere / "j.db"), identity, create=True).close()
    return identity


@pytest.mark.parametrize("alteration, why", [
    ("text", "the file is not the certificate it carries"),
    ("facts", "the mentee's signature does not hold; the mentor's signature does not hold; the issuer's"),
    ("issuer signature", "the issuer's signature does not hold"),
    ("no mentor signature", "the mentor's signature is missing"),
    ("stranger", "is not in this store's directory: unknown signer"),
    ("a mentor as issuer", "is a mentor's, not a manager's"),
    ("issuer renamed", "it names the issuer 'The Dean', but that key is 'Morgan Reid''s"),
    ("pdf", "the file is not the certificate it carries"),
    ("not one", "it carries no certificate"),
])
def test_a_certificate_altered_forged_unsigned_or_from_a_stranger_does_not_verify(run, people, home, store, tmp_path,
                                                                                  alteration, why):
    code, html, pdf = certificate(run, people, tmp_path)
    page = html.read_bytes()
    carried = json.loads(page.split(b'id="mj-certificate">')[1].split(b"</script>")[0])
    forged = tmp_path / "forged.html"
    if alteration == "text":
        forged.write_bytes(page.replace(b"2 of them meeting the norm", b"4 of them meeting the norm"))
    elif alteration == "facts":
        carried["statement"] |= {"months_meeting_norm": 4}
        carried["statement_id"] = completion.statement_id(carried["statement"])
        forged.write_bytes(render_html(carried))
    elif alteration == "issuer signature":
        forged.write_bytes(render_html(carried | {"signature": flip_hex(carried["signature"])}))
    elif alteration in ("no mentor signature", "stranger", "a mentor as issuer", "issuer renamed"):
        morgan = unlock_identity(home / "morgan.json", PASSPHRASE)
        issuer = {"stranger": lambda: stranger_manager(tmp_path),
                  "issuer renamed": lambda: SimpleNamespace(name="The Dean", fingerprint=morgan.fingerprint,
                                                            signing_key=morgan.signing_key),
                  "a mentor as issuer": lambda: unlock_identity(home / "alan.json", PASSPHRASE),
                  "no mentor signature": lambda: morgan}[alteration]()
        mentor = "" if alteration == "no mentor signature" else carried["signatures"]["mentor"]
        forged.write_bytes(render_html(completion.issue(carried["statement"], carried["signatures"]["mentee"], mentor,
                                                        issuer, date(2026, 5, 13), "Spring cohort")))
    elif alteration == "pdf":
        data = pdf.read_bytes()
        at = data.index(b"Verification code") + len(b"Verification code ") + random.randrange(4)
        forged = tmp_path / "forged.pdf"
        forged.write_bytes(data[:at] + (b"Z" if data[at:at + 1] != b"Z" else b"Y") + data[at + 1:])
    else:
        forged.write_bytes(b"<!DOCTYPE html><p>Certificate of completion: Ada Lovelace</p>")
    ok(run("entries"))
    before = store_state(store)
    assert why in refused(run("certificate", "verify", str(forged)))
    assert store_state(store) == before
    for honest in (html, pdf):  # the honest certificate beside it
        assert ok(run("certificate", "verify", str(honest))).startswith(f"Verified: certificate {code}")


def sockpuppets(run, home):
    """What Ada can do alone: publish a second "Grace Hopper" (a mentor) and a second "Morgan Reid"
    (a manager), whose keys she holds."""
    for file, name, role in (("fake-grace", "Grace Hopper", "mentor"), ("fake-morgan", "Morgan Reid", "manager")):
        ok(run("--identity", str(home / f"{file}.json"), "init", "--name", name, "--role", role))
    return unlock_identity(home / "fake-grace.json", PASSPHRASE), unlock_identity(home / "fake-morgan.json",
                                                                                 PASSPHRASE)


def inflated(run, home, mentor):
    """Her statement with better facts, signed by her and countersigned by `mentor`'s keys."""
    ada = unlock_identity(home / "identity.json", PASSPHRASE)
    s = statement(run)[1] | {"mentor": {"name": "Grace Hopper", "fingerprint": mentor.fingerprint},
                             "months_meeting_norm": 4, "meetings": 24, "minutes": 2400, "goals_achieved": 9}
    return s, completion.sign_hex(ada.signing_key, completion.mentee_message(s)), completion.sign_hex(
        mentor.signing_key, completion.mentor_message(s))


def test_a_certificate_from_her_own_second_manager_does_not_verify(run, people, home, tmp_path):
    _, html, _ = certificate(run, people, tmp_path)  # the honest one beside them
    fake_grace, fake_morgan = sockpuppets(run, home)
    s, mentee, mentor = inflated(run, home, fake_grace)
    forged = tmp_path / "forged.html"
    forged.write_bytes(render_html(completion.issue(s, mentee, mentor, fake_morgan, date(2026, 5, 13),
                                                    "Spring cohort")))
    for who in ((), people["grace"], people["alan"]):  # every signature holds: the issuer is the lie
        assert "is not the manager of 'Spring cohort'" in refused(run(*who, "certificate", "verify", str(forged)))
    ok(run("--identity", str(home / "fake-morgan.json"), "program", "create", "Spring cohort II", "--no-helper"))
    forged.write_bytes(render_html(completion.issue(s, mentee, mentor, fake_morgan, date(2026, 5, 13),
                                                    "Spring cohort II")))  # a programme of her own
    for who in ((), people["grace"], people["alan"]):
        assert "is not one you know" in refused(run(*who, "certificate", "verify", str(forged)))
    assert ok(run("certificate", "verify", str(html))).startswith("Verified")


def test_the_manager_certifies_no_countersignature_from_a_key_she_never_confirmed(run, people, home, store, tmp_path):
    _, html, _ = certificate(run, people, tmp_path)  # Morgan confirmed the real Grace once: remembered
    fake_grace, _ = sockpuppets(run, home)
    s, mentee, mentor = inflated(run, home, fake_grace)
    ada = app_of(home, "identity")
    try:
        morgan = person(ada, unlock_identity(home / "morgan.json", PASSPHRASE))
        post(ada, morgan, {"statement": s, "statement_id": completion.statement_id(s), "mentee_signature": mentee,
                           "mentor_signature": mentor})
    finally:
        ada.close()
    before = store_state(store)
    issue = (*people["morgan"], "certificate", "issue", completion.statement_id(s), "--programme", "Spring cohort",
             "--html", str(tmp_path / "forged.html"))
    assert "a key you have not certified with before" in refused(run(*issue))
    real = json.loads(ok(run(*people["grace"], "whoami", "--json")))["fingerprint"]
    assert "is not the fingerprint of the mentor who countersigned" in refused(run(*issue, "--confirm-mentor", real))
    assert store_state(store) == before and not (tmp_path / "forged.html").exists()


def test_a_statement_from_someone_outside_the_programme_is_not_certified(run, people, home, store, tmp_path):
    ok(run("--identity", str(home / "bea.json"), "init", "--name", "Bea Outside"))
    bea, grace = app_of(home, "bea"), unlock_identity(home / "grace.json", PASSPHRASE)
    try:
        s = statement(run)[1] | {"mentee": {"name": "Bea Outside", "fingerprint": bea.identity.fingerprint}}
        morgan = person(bea, unlock_identity(home / "morgan.json", PASSPHRASE))
        post(bea, morgan, {"statement": s, "statement_id": completion.statement_id(s),
                           "mentee_signature": completion.sign_hex(bea.identity.signing_key,
                                                                   completion.mentee_message(s)),
                           "mentor_signature": completion.sign_hex(grace.signing_key, completion.mentor_message(s))})
    finally:
        bea.close()
    before = store_state(store)
    assert "is not a member of Spring cohort" in refused(run(
        *people["morgan"], "certificate", "issue", completion.statement_id(s), "--html", str(tmp_path / "c.html"),
        *issue_options(run, people)))
    assert store_state(store) == before
    certificate(run, people, tmp_path)  # Ada, a member: certified


def test_unreadable_text_and_escapes_from_a_modified_client_are_one_line(run, people, home, tmp_path):
    _, html, _ = certificate(run, people, tmp_path)
    page = html.read_bytes()
    for name, damaged in (("surrogate", page.replace(b'"name":"Ada Lovelace"', b'"name":"Ada \\ud800"')),
                          ("programme", page.replace(b'"programme":"Spring', b'"programme":"\\udc00Spring')),
                          ("many", page.replace(b"<main>", b'<script type="application/json" id="mj-certificate">'
                                                           * 5000))):
        forged = tmp_path / f"{name}.html"
        forged.write_bytes(damaged)
        assert "does not verify" in refused(run("certificate", "verify", str(forged))), name
    sid, s = statement(run)
    ada = app_of(home, "identity")
    try:
        grace = person(ada, unlock_identity(home / "grace.json", PASSPHRASE))
        signed = completion.sign_hex(ada.identity.signing_key, completion.mentee_message(s))
        post_raw(ada, grace, {"statement": s, "statement_id": sid, "mentee_signature": signed,  # all true but the time
                              "mentor_signature": None}, "\x1b[2J\x1b]0;owned\x07" + clock.now().isoformat())
        post_raw(ada, grace, {"statement": s | {"mentee": s["mentee"] | {"name": "Ada \ud800"}}, "statement_id": sid,
                              "mentee_signature": signed, "mentor_signature": None}, None)
    finally:
        ada.close()
    listed = run(*people["grace"], "completion")
    assert listed.exit_code == 0 and "\x1b" not in listed.output, repr(listed.output)
    assert listed.stderr.count("Rejected: ") == 2 and "Traceback" not in listed.output


def post_raw(app, recipient, body, sent_at):
    """As `post`, but with the row's own sent_at and JSON that may hold what canonical bytes cannot."""
    me = app.identity
    document_id, sent_at = uuid4().hex, sent_at or clock.now().isoformat()
    data = json.dumps({"document_id": document_id, "sent_at": sent_at} | body, sort_keys=True).encode()
    sealed = crypto.hpke_seal(recipient.encryption_key, crypto.pad(data), crypto.lp(
        "mj/v1/completion-document", document_id, recipient.fingerprint, me.fingerprint))
    signature = crypto.sign(me.signing_key, crypto.lp("mj/v1/completion-document-signature", document_id,
                                                      recipient.fingerprint, me.fingerprint, sent_at, sealed))
    with app.recorder.datastore.transaction(commit=True) as c:
        CompletionStore.insert(c, (document_id, recipient.fingerprint, me.fingerprint, sent_at, sealed, signature))
