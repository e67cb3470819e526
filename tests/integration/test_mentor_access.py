"""A mentor, holding the whole store and his own identity, opens exactly what was released to him."""

import json
from itertools import product
from uuid import UUID

import pytest

from journal import crypto, sealed_format
from journal.config import store_location
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store


def ids_of(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


@pytest.fixture
def exchange(run, mentee, home):
    """Ada writes records (enough for a snapshot and a view cache) and releases two entries and a
    summary to Grace; a second mentor, Alan, gets one other entry."""
    grace, alan = home / "grace.json", home / "alan.json"
    ids_of(run("--identity", str(grace), "init", "--name", "Grace Hopper", "--role", "mentor"))
    ids_of(run("--identity", str(alan), "init", "--name", "Alan Turing", "--role", "mentor"))
    goal = ids_of(run("goal", "add", "Give a talk", "--measure", "talks", "--due", "in 6 weeks"))
    written = [ids_of(run("checkin", f"Day {n}: SECRET-{n}", "--mood", "3")) for n in range(52)]
    meeting = ids_of(run("meeting", "log", "--minutes", "60", "--focus", "MEETING-SECRET"))
    assert run("entries").exit_code == 0  # writes the view cache
    to_grace = [ids_of(run("share", written[3][:10], "--with", "grace")),
                ids_of(run("share", meeting[:10], "--with", "Grace Hopper")),
                ids_of(run("share", "--summary", "--with", "grace"))]
    to_alan = [ids_of(run("share", written[7][:10], "--with", "alan"))]
    return {"grace": grace, "alan": alan, "goal": goal, "written": written, "meeting": meeting,
            "to_grace": to_grace, "to_alan": to_alan}


def released_versions(home, grant_ids) -> set[tuple[str, int]]:
    with raw_store(store_location()) as db:
        return {(r[0], r[1]) for r in db.execute(
            f"SELECT journal_id, version FROM mj_grants WHERE grant_id IN ({','.join('?' * len(grant_ids))})",
            grant_ids)}


def everything_a_mentor_can_open(home, identity_file) -> set[tuple[str, int]]:
    """Tries every key in the store with everything the mentor holds, then every blob with every
    key obtained. Returns the (journal, version) of every record that opened."""
    me = unlock_identity(identity_file, PASSPHRASE)
    keys: set[bytes] = set()
    with raw_store(store_location()) as db:
        grants = db.execute("SELECT grant_id, journal_id, version, sealed FROM mj_grants").fetchall()
        journal_keys = db.execute("SELECT journal_id, jk_id, sealed FROM mj_journal_keys").fetchall()
        wraps = db.execute("SELECT stream_id, kind, version, jk_id, wrap FROM mj_data_keys").fetchall()
        inbox = db.execute(
            "SELECT message_id, recipient_fingerprint, sender_fingerprint, sealed FROM mj_inbox").fetchall()
        blobs = [("e", *r) for r in db.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events")]
        blobs += [("s", *r) for r in db.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_snapshots")]
        blobs += [("c", r[0], r[1], "mj:view-cache/1", r[2]) for r in db.execute(
            "SELECT journal_id, version, blob FROM mj_view_cache")]
    assert grants and journal_keys and wraps and len(blobs) > 50
    for grant_id, journal, version, sealed in grants:  # every grant, whoever it is addressed to
        for mentor_fp in {me.fingerprint, *(r[1] for r in inbox)}:
            try:
                keys.add(crypto.hpke_open(me.encryption_key, bytes(sealed), crypto.lp(
                    "mj/v1/grant", journal, journal, version, mentor_fp, grant_id)))
            except crypto.Unopenable:
                pass
    for journal, jk_id, sealed in journal_keys:
        try:
            keys.add(sealed_format.open_journal_key(bytes(sealed), me.encryption_key,
                                                    journal_id=UUID(journal), jk_id=jk_id))
        except crypto.Unopenable:
            pass
    for (stream, kind, version, jk_id, wrap), key in product(wraps, list(keys)):
        topic = sealed_format.EVENT_TOPIC if kind == "e" else sealed_format.SNAPSHOT_TOPIC
        try:
            keys.add(sealed_format.unwrap_data_key(bytes(wrap), journal_key=key, jk_id=jk_id,
                                                   stream_id=UUID(stream), version=version,
                                                   topic=topic))
        except crypto.Unopenable:
            pass
    opened = set()
    for (_, stream, version, topic, blob), key in product(blobs, list(keys)):
        try:
            sealed_format.open_with_data_key(bytes(blob), key, stream_id=UUID(stream),
                                             version=version, topic=topic)
            opened.add((stream, version))
        except crypto.Unopenable:
            pass
    return opened


def test_with_the_whole_store_a_mentor_opens_exactly_what_was_released_to_him(exchange, home):
    assert everything_a_mentor_can_open(home, exchange["grace"]) == released_versions(home, exchange["to_grace"])
    assert everything_a_mentor_can_open(home, exchange["alan"]) == released_versions(home, exchange["to_alan"])


def test_each_mentor_sees_only_his_own_releases_in_his_inbox(run, exchange):
    grace = json.loads(run("--identity", str(exchange["grace"]), "inbox", "--json").stdout)
    alan = json.loads(run("--identity", str(exchange["alan"]), "inbox", "--json").stdout)
    assert sorted(r["grant"] for r in grace) == sorted(exchange["to_grace"])
    assert [r["grant"] for r in alan] == exchange["to_alan"]
    texts = {r["entry"].get("text") or r["entry"].get("focus") or r["entry"]["kind"] for r in grace}
    assert texts == {"Day 3: SECRET-3", "MEETING-SECRET", "summary"}
    assert {r["mentee"] for r in grace} == {"Ada Lovelace"}
    summary = next(r["entry"] for r in grace if r["entry"]["kind"] == "summary")
    assert summary["summary"]["checkins"] == 52  # the summary travels, its check-ins do not


def test_a_mentor_can_show_a_released_entry_but_not_another(run, exchange):
    grace = str(exchange["grace"])
    shown = run("--identity", grace, "show", exchange["written"][3][:10], "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["text"] == "Day 3: SECRET-3"
    hidden = run("--identity", grace, "show", exchange["written"][4][:10])
    assert hidden.exit_code == 1 and "no released entry" in hidden.stderr


def test_after_revocation_the_mentor_cannot_open_the_entry(run, exchange, home):
    grant = exchange["to_grace"][0]
    assert run("revoke", grant[:8]).exit_code == 0
    grace = json.loads(run("--identity", str(exchange["grace"]), "inbox", "--json").stdout)
    assert grant not in [r["grant"] for r in grace] and len(grace) == 2
    opened = everything_a_mentor_can_open(home, exchange["grace"])
    assert opened == released_versions(home, exchange["to_grace"][1:])
    shares = {s["grant"]: s["revoked"] for s in json.loads(run("shares", "--json").stdout)}
    assert shares[grant] is not None and shares[exchange["to_grace"][1]] is None
    again = run("revoke", grant[:8])
    assert again.exit_code == 1 and again.stderr.strip() == f"Error: release {grant[:8]} is already revoked"


def test_feedback_from_the_mentor_becomes_the_mentees_record(run, exchange, home):
    about = exchange["written"][3]
    sent = run("--identity", str(exchange["grace"]), "feedback", "send", "--to", "ada", "FEEDBACK-SECRET well done",
               "--about", about[:10])
    assert sent.exit_code == 0, sent.output
    inbox = run("inbox", "--json")
    assert inbox.exit_code == 0 and "Imported 1 feedback" in inbox.stderr
    [feedback] = json.loads(inbox.stdout)
    assert (feedback["from_name"], feedback["text"], feedback["about"]) == \
        ("Grace Hopper", "FEEDBACK-SECRET well done", about)
    with raw_store(store_location()) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_inbox").fetchone()[0] == 0
    assert len(json.loads(run("inbox", "--json").stdout)) == 1  # imported once
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for marker in (b"FEEDBACK-SECRET", b"SECRET-3", b"MEETING-SECRET"):
                assert marker not in data, (path, marker)


def test_releasing_to_a_mentee_is_refused(run, exchange):
    result = run("share", exchange["written"][5][:10], "--with", "ada")
    assert result.exit_code == 1 and result.stderr.strip() == "Error: Ada Lovelace is a mentee, not a mentor"


def test_releasing_to_an_unknown_mentor_lists_who_is_known(run, exchange):
    result = run("share", exchange["written"][5][:10], "--with", "nobody")
    assert result.exit_code == 1
    assert "no mentor 'nobody'" in result.stderr and "Grace Hopper" in result.stderr and "Alan Turing" in result.stderr


def test_releasing_a_retracted_entry_is_refused(run, exchange, home):
    from journal.app import JournalApp

    app = JournalApp(store_location(), unlock_identity(home / "identity.json", PASSPHRASE))
    entry = exchange["written"][9]
    app.update(lambda j: j.retract(entry))
    app.close()
    result = run("share", entry[:10], "--with", "grace")
    assert result.exit_code == 1 and "was retracted" in result.stderr


def test_an_ambiguous_mentor_lists_the_candidates(run, exchange):
    result = run("share", exchange["written"][5][:10], "--with", "")
    assert result.exit_code == 1
    assert "ambiguous" in result.stderr and "Grace Hopper" in result.stderr and "Alan Turing" in result.stderr


def test_a_refused_release_leaves_no_grant_behind(run, exchange, home):
    from journal.app import JournalApp
    from journal.directory import find
    from journal.errors import RuleBroken
    from journal.sharing import release_entry

    app = JournalApp(store_location(), unlock_identity(home / "identity.json", PASSPHRASE))
    entry = exchange["written"][11]
    app.update(lambda j: j.retract(entry))
    with raw_store(store_location()) as db:
        before = db.execute("SELECT COUNT(*) FROM mj_grants").fetchone()[0]
    with pytest.raises(RuleBroken, match="retracted"):
        release_entry(app, entry, find(app.recorder.datastore, "grace", role="mentor"))
    with raw_store(store_location()) as db:
        assert db.execute("SELECT COUNT(*) FROM mj_grants").fetchone()[0] == before
    assert not any(e.kind == "release" and e.fields["target_id"] == entry for e in app.history())
    app.close()


def test_no_directory_key_verifies_a_journal_checkpoint(exchange, home):
    """Checkpoints are signed with a key derived from the journal key, not the owner's identity
    key, so the operator cannot match journals to names by trying the directory's keys."""
    from journal.app import JournalApp
    from journal.checkpoint_store import checkpoint_message
    from journal.directory import people

    app = JournalApp(store_location(), unlock_identity(home / "identity.json", PASSPHRASE))
    everyone = people(app.recorder.datastore)
    with raw_store(store_location()) as db:
        checkpoints = db.execute("SELECT stream_id, size, head, signature FROM mj_checkpoints").fetchall()
    assert checkpoints and len(everyone) == 3
    for stream, size, head, signature in checkpoints:
        message = checkpoint_message(UUID(stream), size, bytes(head))
        assert not any(crypto.signature_holds(p.signing_key, bytes(signature), message) for p in everyone)
    assert app.verify().checkpoint_size == checkpoints[0][1]  # while the owner still verifies it
    app.close()
