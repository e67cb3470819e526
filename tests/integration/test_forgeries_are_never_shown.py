"""Forged, moved and readdressed grants, altered or misattributed feedback, and directory entries
that do not verify: each is rejected with a message that names it, and never shown as content.

(tests/test_forged_grants_and_feedback.py holds the first cases of each kind; these are the
ones a determined writer to the store would try next.)"""

import json
from pathlib import Path

import pytest
from eventsourcing.persistence import PersistenceError

from journal import crypto, directory, sealed_format
from journal.app import JournalApp
from journal.config import store_location
from journal.identity import Identity, unlock_identity
from journal.sharing import _grant_info, _grant_message, import_feedback, released_to_me
from tests.conftest import PASSPHRASE, raw_store, store_state
from domain import clock


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def sql(store: Path, statement: str, params: tuple = ()) -> list[tuple]:
    with raw_store(store) as db:
        return db.execute(statement, params).fetchall()


@pytest.fixture
def exchange(run, mentee, home):
    """Ada releases check-in 0 to Grace and check-in 1 to Alan; check-in 2 stays hers. Mallory
    is a mentee with a journal of her own; Mary manages a programme, and Sam is its steward."""
    files = {who: home / f"{who}.json" for who in ("grace", "alan", "mallory", "mary", "sam")}
    for who, name, role in (("grace", "Grace Hopper", "mentor"), ("alan", "Alan Turing", "mentor"),
                            ("mallory", "Mallory Mallet", "mentee"), ("mary", "Mary Manager", "manager"),
                            ("sam", "Sam Steward", "steward")):
        ok(run("--identity", str(files[who]), "init", "--name", name, "--role", role))
    entries = [ok(run("checkin", f"ADA-CHECKIN-{n}")) for n in range(3)]
    grants = {"grace": ok(run("share", entries[0][:10], "--with", "grace")),
              "alan": ok(run("share", entries[1][:10], "--with", "alan"))}
    files["ada"] = home / "identity.json"
    return {"files": files, "entries": entries, "grants": grants, "store": store_location()}


def identity(exchange, who: str) -> Identity:
    return unlock_identity(exchange["files"][who], PASSPHRASE)


def seen_by(exchange, who: str) -> tuple[list, list[str]]:
    app = JournalApp(exchange["store"], identity(exchange, who))
    try:
        return released_to_me(app)
    finally:
        app.close()


def grant_row(exchange, who: str) -> tuple:
    [row] = sql(exchange["store"], "SELECT * FROM mj_grants WHERE grant_id = ?", (exchange["grants"][who],))
    return row


def insert_grant(exchange, row: tuple) -> None:
    sql(exchange["store"], "INSERT INTO mj_grants VALUES (?,?,?,?,?,?,?,?)", row)


def version_of(exchange, entry_id: str) -> int:
    app = JournalApp(exchange["store"], identity(exchange, "ada"))
    try:
        return next(e.version for e in app.history() if e.id == entry_id)
    finally:
        app.close()


def assert_rejected_and_not_shown(run, exchange, reason: str, *never: str) -> None:
    """Grace's `mj inbox` names the rejected grant and fails; no text in `never` is printed."""
    result = run("--identity", str(exchange["files"]["grace"]), "inbox")
    assert result.exit_code == 1
    assert f"Rejected: {reason}" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert [text for text in never if text in result.stdout + result.stderr] == []


# -- grants -------------------------------------------------------------------------------


def test_a_grant_forged_in_adas_name_by_a_third_person_is_rejected_though_its_key_would_open(run, exchange):
    """Mallory seals the key of one of her own records to Grace and signs the grant herself, in
    Ada's name: only the signature check stands between Grace and a fabricated record from 'Ada'."""
    mallory, grace, ada = identity(exchange, "mallory"), identity(exchange, "grace"), identity(exchange, "ada")
    app = JournalApp(exchange["store"], mallory)
    fabricated = app.update(lambda j: j.check_in("FABRICATED-BY-MALLORY"))
    version = next(e.version for e in app.history() if e.id == fabricated)
    [stored] = app.recorder.select_events(app.journal_id, gt=version - 1, lte=version)
    dek = sealed_format.unwrap_data_key(stored.dek_wrap, journal_key=app.keyring.key(app.journal_id, 1), jk_id=1,
                                        stream_id=app.journal_id, version=version, topic=stored.topic)
    journal = app.journal_id.hex
    app.close()
    forged, granted_at = "f0" * 16, clock.now().isoformat()
    sealed = crypto.hpke_seal(grace.encryption_key.public_key(), dek,
                              _grant_info(journal, version, grace.fingerprint, forged))
    # the key inside does open the record, for whoever holds Grace's key:
    opened = crypto.hpke_open(grace.encryption_key, sealed, _grant_info(journal, version, grace.fingerprint, forged))
    assert b"FABRICATED-BY-MALLORY" in sealed_format.open_with_data_key(
        stored.state, opened, stream_id=stored.originator_id, version=version, topic=stored.topic)
    signature = crypto.sign(mallory.signing_key, _grant_message(forged, journal, version, ada.fingerprint,
                                                                grace.fingerprint, granted_at, sealed))
    insert_grant(exchange, (forged, journal, version, ada.fingerprint, grace.fingerprint, granted_at, sealed,
                            signature))

    released, rejected = seen_by(exchange, "grace")
    assert rejected == [f"grant {forged[:8]} claims to come from Ada Lovelace but is not signed by them"]
    assert [r.grant_id for r in released] == [exchange["grants"]["grace"]]
    assert_rejected_and_not_shown(run, exchange, rejected[0], "FABRICATED-BY-MALLORY")
    shown = run("--identity", str(exchange["files"]["grace"]), "show", forged[:8])
    assert shown.exit_code == 1 and "no released entry" in shown.stderr and "FABRICATED" not in shown.stdout


def test_a_grant_the_mentor_signs_herself_to_keep_a_revoked_release_is_rejected(run, exchange):
    """Grace kept the data key she was given; after Ada revokes, she writes a grant of her own
    making, in Ada's name, so that her inbox would go on showing the entry as released."""
    grace, row = identity(exchange, "grace"), grant_row(exchange, "grace")
    grant_id, journal, version, ada_fp, _, granted_at, sealed, _ = row
    kept_key = crypto.hpke_open(grace.encryption_key, sealed, _grant_info(journal, version, grace.fingerprint,
                                                                           grant_id))
    ok(run("revoke", grant_id[:8]))
    forged = "e1" * 16
    resealed = crypto.hpke_seal(grace.encryption_key.public_key(), kept_key,
                                _grant_info(journal, version, grace.fingerprint, forged))
    signature = crypto.sign(grace.signing_key, _grant_message(forged, journal, version, ada_fp, grace.fingerprint,
                                                              granted_at, resealed))
    insert_grant(exchange, (forged, journal, version, ada_fp, grace.fingerprint, granted_at, resealed, signature))

    released, rejected = seen_by(exchange, "grace")
    assert released == []
    assert rejected == [f"grant {forged[:8]} claims to come from Ada Lovelace but is not signed by them"]
    assert_rejected_and_not_shown(run, exchange, rejected[0], "ADA-CHECKIN-0")


def test_a_grant_moved_to_an_unreleased_entry_is_rejected_and_neither_entry_is_shown(run, exchange):
    grant = exchange["grants"]["grace"]
    unreleased = version_of(exchange, exchange["entries"][2])
    sql(exchange["store"], "UPDATE mj_grants SET version = ? WHERE grant_id = ?", (unreleased, grant))
    released, rejected = seen_by(exchange, "grace")
    assert released == []
    assert rejected == [f"grant {grant[:8]} claims to come from Ada Lovelace but is not signed by them"]
    assert_rejected_and_not_shown(run, exchange, rejected[0], "ADA-CHECKIN-0", "ADA-CHECKIN-2")
    for entry in (exchange["entries"][0], exchange["entries"][2]):
        assert run("--identity", str(exchange["files"]["grace"]), "show", entry[:10]).exit_code == 1


def test_a_grant_moved_to_another_mentees_journal_is_rejected(run, exchange):
    grant = exchange["grants"]["grace"]
    ok(run("--identity", str(exchange["files"]["mallory"]), "checkin", "MALLORY-OWN-SECRET"))
    mallorys = identity(exchange, "mallory").journal_id.hex
    sql(exchange["store"], "UPDATE mj_grants SET journal_id = ? WHERE grant_id = ?", (mallorys, grant))
    released, rejected = seen_by(exchange, "grace")
    assert released == [] and rejected == [
        f"grant {grant[:8]} claims to come from Ada Lovelace but is not signed by them"]
    assert_rejected_and_not_shown(run, exchange, rejected[0], "MALLORY-OWN-SECRET", "ADA-CHECKIN-0")


def test_a_grant_readdressed_in_place_to_another_mentor_is_rejected_by_her_and_shown_to_no_one(run, exchange):
    alans, grace = exchange["grants"]["alan"], identity(exchange, "grace")
    sql(exchange["store"], "UPDATE mj_grants SET mentor_fingerprint = ? WHERE grant_id = ?", (grace.fingerprint, alans))
    released, rejected = seen_by(exchange, "grace")
    assert [r.grant_id for r in released] == [exchange["grants"]["grace"]]
    assert rejected == [f"grant {alans[:8]} claims to come from Ada Lovelace but is not signed by them"]
    assert_rejected_and_not_shown(run, exchange, rejected[0], "ADA-CHECKIN-1")
    assert seen_by(exchange, "alan") == ([], [])


def test_a_grant_whose_mentee_has_no_verified_directory_entry_is_rejected(run, exchange):
    ada = identity(exchange, "ada")
    [(entry,)] = sql(exchange["store"], "SELECT entry FROM mj_directory WHERE fingerprint = ?", (ada.fingerprint,))
    document = json.loads(entry)
    document["name"] = "Ada Lovelace, altered"
    sql(exchange["store"], "UPDATE mj_directory SET entry = ? WHERE fingerprint = ?",
        (json.dumps(document).encode(), ada.fingerprint))
    released, rejected = seen_by(exchange, "grace")
    assert released == []
    assert rejected == [(f"grant {exchange['grants']['grace'][:8]}: its mentee {ada.fingerprint} has no verified "
                         "directory entry")]
    assert_rejected_and_not_shown(run, exchange, rejected[0], "ADA-CHECKIN-0")


# -- feedback -----------------------------------------------------------------------------


def send(run, exchange, text: str, sender: str = "grace", to: str = "ada") -> str:
    return ok(run("--identity", str(exchange["files"][sender]), "feedback", "send", "--to", to, text))


def events_in(store: Path) -> int:
    return sql(store, "SELECT COUNT(*) FROM stored_events")[0][0]


def assert_not_imported(run, exchange, message: str, reason: str, *, who: str = "ada", text: str) -> None:
    """The mentee's next command says why the message was rejected; no record is written (only her
    note that it was refused, so that it is never opened again; no view shows it)."""
    before = events_in(exchange["store"])
    result = run("--identity", str(exchange["files"][who]), "inbox", "--json")
    assert result.exit_code == 0, result.output
    assert f"Rejected: feedback {message[:8]} {reason}" in result.stderr
    assert json.loads(result.stdout) == [] and text not in result.stdout + result.stderr
    assert events_in(exchange["store"]) == before + 1
    app = JournalApp(exchange["store"], identity(exchange, who))
    assert [e for e in app.history() if e.kind == "mentor-feedback"] == []
    app.close()


def test_feedback_with_a_flipped_byte_in_its_sealed_text_is_rejected_and_creates_no_record(run, exchange):
    message = send(run, exchange, "FEEDBACK-SECRET one")
    [(sealed,)] = sql(exchange["store"], "SELECT sealed FROM mj_inbox")
    sql(exchange["store"], "UPDATE mj_inbox SET sealed = ?", (sealed[:40] + bytes([sealed[40] ^ 0x20]) + sealed[41:],))
    assert_not_imported(run, exchange, message, "is not signed by a mentor in the directory: not imported",
                        text="FEEDBACK-SECRET")


def test_feedback_with_a_flipped_byte_in_its_signature_is_rejected_and_creates_no_record(run, exchange):
    message = send(run, exchange, "FEEDBACK-SECRET two")
    [(signature,)] = sql(exchange["store"], "SELECT signature FROM mj_inbox")
    sql(exchange["store"], "UPDATE mj_inbox SET signature = ?", (bytes([signature[0] ^ 1]) + signature[1:],))
    assert_not_imported(run, exchange, message, "is not signed by a mentor in the directory: not imported",
                        text="FEEDBACK-SECRET")


def test_feedback_moved_to_another_mentors_name_is_rejected_and_never_attributed_to_him(run, exchange):
    message, alan = send(run, exchange, "FEEDBACK-SECRET three"), identity(exchange, "alan")
    sql(exchange["store"], "UPDATE mj_inbox SET sender_fingerprint = ?", (alan.fingerprint,))
    assert_not_imported(run, exchange, message, "is not signed by a mentor in the directory: not imported",
                        text="FEEDBACK-SECRET")


def test_feedback_readdressed_to_another_mentee_is_rejected_by_her(run, exchange):
    message, mallory = send(run, exchange, "FEEDBACK-SECRET four"), identity(exchange, "mallory")
    ok(run("--identity", str(exchange["files"]["mallory"]), "inbox", "accept", "grace"))  # else it waits unopened
    sql(exchange["store"], "UPDATE mj_inbox SET recipient_fingerprint = ?", (mallory.fingerprint,))
    assert_not_imported(run, exchange, message, "is not signed by a mentor in the directory: not imported",
                        who="mallory", text="FEEDBACK-SECRET")


def post(exchange, sender: Identity, recipient: Identity, body: bytes, message: str) -> None:
    """A message built and signed by hand, exactly as send_feedback builds one."""
    sent_at = clock.now().isoformat()
    sealed = crypto.hpke_seal(recipient.encryption_key.public_key(), crypto.pad(body),
                              crypto.lp("mj/v1/feedback", message, recipient.fingerprint, sender.fingerprint))
    signature = crypto.sign(sender.signing_key, crypto.lp("mj/v1/feedback-signature", message, recipient.fingerprint,
                                                          sender.fingerprint, sent_at, sealed))
    sql(exchange["store"], "INSERT INTO mj_inbox VALUES (?,?,?,?,?,?)",
        (message, recipient.fingerprint, sender.fingerprint, sent_at, sealed, signature))


def body(sender: Identity, message: str, text: str) -> bytes:
    return json.dumps({"message_id": message, "text": text, "about": None,
                       "sent_at": clock.now().isoformat(), "from_name": sender.name,
                       "from_fingerprint": sender.fingerprint}).encode()


@pytest.mark.parametrize("who, role", [("mary", "manager"), ("sam", "steward")])
def test_feedback_signed_by_a_programme_manager_or_steward_is_rejected_and_creates_no_record(run, exchange, who,
                                                                                            role):
    """Neither Mary (a manager) nor Sam (a programme's steward) is a mentor, so neither can be
    accepted: the message waits unopened, forever."""
    sender, message = identity(exchange, who), "a1" * 16
    post(exchange, sender, identity(exchange, "ada"), body(sender, message, f"{role.upper()}-SECRET"), message)
    before = events_in(exchange["store"])
    result = run("inbox", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert f"{role.upper()}-SECRET" not in result.stdout + result.stderr and sender.name not in result.stderr
    assert events_in(exchange["store"]) == before
    refused = run("inbox", "accept", sender.fingerprint)
    assert refused.exit_code == 1 and f"is a {role}, not a mentor" in refused.stderr


def test_a_well_formed_message_from_a_mentor_is_imported_so_the_rejections_above_are_not_vacuous(run, exchange):
    grace, message = identity(exchange, "grace"), "b2" * 16
    post(exchange, grace, identity(exchange, "ada"), body(grace, message, "HAND-BUILT-SECRET"), message)
    result = run("inbox", "--json")
    assert result.exit_code == 0 and "Rejected" not in result.stderr
    assert [(f["from_name"], f["text"]) for f in json.loads(result.stdout)] == [("Grace Hopper", "HAND-BUILT-SECRET")]


CRASH_ON_DELETE = {
    "sqlite": ["CREATE TRIGGER crash BEFORE DELETE ON mj_inbox BEGIN SELECT RAISE(ABORT, 'crash'); END"],
    "postgres": ["CREATE FUNCTION crash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'crash'; END $$",
                 "CREATE TRIGGER crash BEFORE DELETE ON mj_inbox FOR EACH ROW EXECUTE FUNCTION crash()"],
}
NO_CRASH = {"sqlite": "DROP TRIGGER crash", "postgres": "DROP TRIGGER crash ON mj_inbox"}


def test_an_import_interrupted_before_the_inbox_copy_is_deleted_is_finished_without_a_second_record(
        run, exchange, backend):
    send(run, exchange, "ONLY-ONCE please")
    # The crash: the record is written, then deleting the inbox copy fails.
    for statement in CRASH_ON_DELETE[backend]:
        sql(exchange["store"], statement)
    app = JournalApp(exchange["store"], identity(exchange, "ada"))
    with pytest.raises(PersistenceError, match="crash"):
        import_feedback(app)
    assert [e.fields["text"] for e in app.history() if e.kind == "mentor-feedback"] == ["ONLY-ONCE please"]
    assert len(sql(exchange["store"], "SELECT * FROM mj_inbox")) == 1
    app.close()

    sql(exchange["store"], NO_CRASH[backend])
    events = events_in(exchange["store"])
    result = run("inbox", "--json")  # the next command finishes the import
    assert result.exit_code == 0 and "Imported" not in result.stderr and "Rejected" not in result.stderr
    assert [f["text"] for f in json.loads(result.stdout)] == ["ONLY-ONCE please"]
    assert sql(exchange["store"], "SELECT * FROM mj_inbox") == []
    assert events_in(exchange["store"]) == events


# -- the directory --------------------------------------------------------------------------


def plant(exchange, name: str, role: str, *, signer: Identity | None = None, fingerprint: str | None = None) -> str:
    """A directory entry for fresh keys; signed by `signer` instead of them when given."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from journal.identity import fingerprint_of

    raw = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}
    x_key, ed_key = X25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    x25519, ed25519 = x_key.public_key().public_bytes(**raw), ed_key.public_key().public_bytes(**raw)
    entry = directory._entry_bytes(name, role, x25519, ed25519)
    signature = crypto.sign(signer.signing_key if signer else ed_key, crypto.lp("mj/v1/directory", entry))
    fingerprint = fingerprint or fingerprint_of(x25519, ed25519)
    sql(exchange["store"], "INSERT INTO mj_directory VALUES (?,?,?)", (fingerprint, entry, signature))
    return fingerprint


def test_a_directory_entry_signed_by_other_keys_is_marked_and_never_used(run, exchange):
    mallory = identity(exchange, "mallory")
    planted = plant(exchange, "Trusty Mentor", "mentor", signer=mallory)
    listing = ok(run("directory"))
    assert f"{planted}  mentor   Trusty Mentor   SIGNATURE DOES NOT VERIFY: never used" in listing.splitlines()
    assert {p["name"]: p["verified"] for p in json.loads(ok(run("directory", "--json")))}["Trusty Mentor"] is False
    before = store_state(exchange["store"])
    result = run("share", exchange["entries"][2][:10], "--with", "Trusty Mentor")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: no mentor 'Trusty Mentor' in this store's directory "
                                            "('Trusty Mentor' has an entry whose signature does not verify: not used)")
    assert run("share", exchange["entries"][2][:10], "--with", planted[:9]).exit_code == 1  # nor by fingerprint
    assert store_state(exchange["store"]) == before


def test_a_directory_entry_filed_under_a_fingerprint_not_its_own_is_marked_and_never_used(run, exchange):
    grace = identity(exchange, "grace")
    [(entry, signature)] = sql(exchange["store"], "SELECT entry, signature FROM mj_directory WHERE fingerprint = ?",
                               (grace.fingerprint,))
    elsewhere = "0000 " + grace.fingerprint[5:]
    sql(exchange["store"], "INSERT INTO mj_directory VALUES (?,?,?)", (elsewhere, entry, signature))
    assert f"{elsewhere}  mentor   Grace Hopper   SIGNATURE DOES NOT VERIFY: never used" in ok(run("directory"))
    app = JournalApp(exchange["store"], grace)
    assert directory.by_fingerprint(app.recorder.datastore, elsewhere) is None
    assert directory.by_fingerprint(app.recorder.datastore, grace.fingerprint).name == "Grace Hopper"
    app.close()
    grant = ok(run("share", exchange["entries"][2][:10], "--with", "Grace Hopper"))  # the genuine one, unambiguous
    assert sql(exchange["store"], "SELECT mentor_fingerprint FROM mj_grants WHERE grant_id = ?",
               (grant,)) == [(grace.fingerprint,)]


def test_an_impostor_who_signs_her_own_entry_under_a_mentors_name_makes_the_name_ambiguous(run, exchange):
    """A self-signature proves only that the keys are the writer's: two verified 'Grace Hopper'
    entries are both listed, and neither is chosen by name."""
    impostor = plant(exchange, "Grace Hopper", "mentor")
    before = store_state(exchange["store"])
    result = run("share", exchange["entries"][2][:10], "--with", "Grace Hopper")
    assert result.exit_code == 1
    assert "'Grace Hopper' is ambiguous" in result.stderr
    assert impostor in result.stderr and identity(exchange, "grace").fingerprint in result.stderr
    assert store_state(exchange["store"]) == before


# -- found while writing these: malformed feedback from a directory mentor ---------------------


@pytest.mark.parametrize("payload", [b"not json at all", b'{"sent_at": "2024-05-01T10:00:00+00:00"}', b"[1, 2]"],
                         ids=["not-json", "no-text", "not-an-object"])
def test_feedback_whose_opened_body_is_not_mjs_json_is_rejected_and_the_mentee_can_still_work(run, exchange,
                                                                                               payload):
    grace, message = identity(exchange, "grace"), "c3" * 16
    post(exchange, grace, identity(exchange, "ada"), payload, message)
    result = run("entries", "--json")
    assert result.exit_code == 0
    assert f"Rejected: feedback {message[:8]}" in result.stderr
    assert len(json.loads(result.stdout)) == 5  # three check-ins and two releases


def test_feedback_from_a_mentor_with_a_very_long_name_does_not_hold_back_other_feedback(run, exchange, home):
    # `mj init` refuses such a name; a modified client can still write the directory entry.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from journal.identity import save_identity

    long_named = home / "long.json"
    mentor = Identity(long_named, "L" * 600, "mentor", None, X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    save_identity(mentor, PASSPHRASE)
    app = JournalApp(exchange["store"], mentor)
    try:
        directory.publish(app.recorder.datastore, mentor)
    finally:
        app.close()
    exchange["files"]["long"] = long_named
    ok(run("inbox", "accept", mentor.fingerprint))  # never released to: accepted, or it would wait unopened
    first = send(run, exchange, "FROM-THE-LONG-NAME", sender="long")
    send(run, exchange, "FROM-GRACE-AFTERWARDS")
    result = run("inbox", "--json")
    assert result.exit_code == 0
    assert "FROM-GRACE-AFTERWARDS" in [f["text"] for f in json.loads(result.stdout)]
    assert first[:8] in result.stderr or "FROM-THE-LONG-NAME" in result.stdout  # imported, or said why not
