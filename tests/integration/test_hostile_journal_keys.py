"""A writer of the store plants a journal key: HPKE base mode authenticates no sender, so anyone
can seal a key they know to her public key and insert it as the next jk_id. It must buy them
nothing: not her next record, not the view cache, not her programme pseudonyms. Beside each
refusal, the honest path (her own next write, `mj verify`, a new journal on both backends)."""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from domain.journal import MenteeJournal
from journal import chain, crypto, sealed_format, view_cache
from journal.app import JournalApp
from journal.checkpoint_store import checkpoint_message
from journal.errors import TamperedRecord
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store, store_state

PLANTED = bytes(range(32))  # the attacker's key: all they hold


def journal_id_in(store) -> UUID:
    with raw_store(store) as db:
        return UUID(db.execute("SELECT journal_id FROM mj_journal_keys").fetchone()[0])


def plant_journal_key(store, home, jk_id: int = 2) -> UUID:
    """What a hostile writer does with sqlite3 or psql and her public key from the directory."""
    header = json.loads((home / "identity.json").read_text())
    public = X25519PublicKey.from_public_bytes(base64.b64decode(header["public"]["x25519"]))
    journal_id = journal_id_in(store)
    sealed = sealed_format.seal_journal_key(PLANTED, public, journal_id=journal_id, jk_id=jk_id)
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_journal_keys (journal_id, jk_id, sealed) VALUES (?,?,?)",
                   (journal_id.hex, jk_id, sealed))
    return journal_id


def last_record(store, journal_id: UUID) -> tuple[int, bytes, bytes]:
    with raw_store(store) as db:
        version, blob = db.execute("SELECT originator_version, state FROM stored_events WHERE originator_id = ? "
                                   "ORDER BY originator_version DESC LIMIT 1", (journal_id.hex,)).fetchone()
        wrap = db.execute("SELECT wrap FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = ?",
                          (journal_id.hex, version)).fetchone()[0]
    return version, bytes(blob), bytes(wrap)


def attacker_opens(blob: bytes, wrap: bytes, *, journal_id: UUID, version: int, topic: str) -> bool:
    try:
        sealed_format.open_event(blob, wrap, journal_key=PLANTED, stream_id=journal_id, version=version, topic=topic)
    except crypto.Unopenable:
        return False
    return True


def cache_topics(store, journal_id: UUID, version: int) -> list[str]:
    """Every topic the view cache at `version` may be sealed under: the old unbound one, and the
    one bound to the chain head it covers, which anyone can compute from the log."""
    with raw_store(store) as db:
        rows = db.execute("SELECT originator_version, topic, state FROM stored_events WHERE originator_id = ? "
                          "AND originator_version <= ? ORDER BY originator_version",
                          (journal_id.hex, version)).fetchall()
    head = chain.GENESIS
    for number, topic, state in rows:
        head = chain.link(head, journal_id, number, topic, bytes(state))
    return [view_cache.UNBOUND_CACHE_TOPIC, sealed_format.bound_topic(view_cache.CACHE_TOPIC, head)]


def cache_opens_with(store, journal_id: UUID, key: bytes) -> bool:
    with raw_store(store) as db:
        version, blob, wrap = db.execute("SELECT version, blob, wrap FROM mj_view_cache").fetchone()
    for topic in cache_topics(store, journal_id, version):
        try:
            sealed_format.open_event(bytes(blob), bytes(wrap), journal_key=key, stream_id=journal_id,
                                     version=version, topic=topic)
            return True
        except crypto.Unopenable:
            pass
    return False


def reopen(app: JournalApp) -> JournalApp:
    return JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))


# -- her next write --------------------------------------------------------------------


def test_a_planted_journal_key_is_not_used_for_her_next_write(run, mentee, store):
    assert run("checkin", "before the plant").exit_code == 0
    journal_id = plant_journal_key(store, mentee)
    result = run("checkin", "SECRET written after the plant")
    assert result.exit_code == 0, result.output  # the plant does not stop her using her journal
    version, blob, wrap = last_record(store, journal_id)
    assert not attacker_opens(blob, wrap, journal_id=journal_id, version=version, topic=sealed_format.EVENT_TOPIC)
    assert sealed_format.key_id_of(blob) == 1
    assert "journal key 2" in result.stderr and result.stderr.count("\n") == 2  # the warning, "Recorded ..."


def test_her_own_next_write_reads_back_and_an_untouched_journal_verifies(run, mentee):
    assert run("checkin", "an honest day").exit_code == 0
    result = run("entries", "--json")
    assert result.exit_code == 0 and "an honest day" in result.stdout and result.stderr == ""
    verified = run("verify")
    assert verified.exit_code == 0, verified.output


def test_verify_names_the_planted_key_and_reading_goes_on(run, mentee, store):
    assert run("checkin", "before the plant").exit_code == 0
    plant_journal_key(store, mentee)
    verified = run("verify")
    assert verified.exit_code == 1 and "journal key 2" in verified.stderr
    read = run("entries", "--json")
    assert read.exit_code == 0 and "before the plant" in read.stdout


# -- the view cache --------------------------------------------------------------------


@pytest.fixture
def many(unlocked):
    """A journal long enough to have a view cache, closed."""
    app = unlocked()
    for n in range(view_cache.REFRESH_AFTER + 5):
        app.update(MenteeJournal.check_in, f"CACHED day {n}", mood=3)
    assert len(app.entries()) == view_cache.REFRESH_AFTER + 5
    app.close()
    return app


def test_a_read_only_command_does_not_reseal_the_view_cache_under_a_planted_key(run, many, store, home):
    journal_id = plant_journal_key(store, home)
    with raw_store(store) as db:
        db.execute("DELETE FROM mj_view_cache")
        db.execute("DELETE FROM mj_view_pages")  # pages came later
    result = run("entries", "--json")
    assert result.exit_code == 0 and "CACHED day 54" in result.stdout
    assert not cache_opens_with(store, journal_id, PLANTED)
    with raw_store(store) as db:
        blob = db.execute("SELECT blob FROM mj_view_cache").fetchone()[0]
    assert sealed_format.key_id_of(bytes(blob)) == 1


def test_the_view_cache_is_not_sealed_under_the_journal_key_itself(many):
    app = reopen(many)
    _, journal_key = app.keyring.current(app.journal_id)
    assert not cache_opens_with(app.store, app.journal_id, journal_key)
    assert cache_opens_with(app.store, app.journal_id, app.keyring.view_cache_key(app.journal_id, 1))
    assert len(app.entries()) == view_cache.REFRESH_AFTER + 5  # and it still serves her reads
    app.close()


# -- programme pseudonyms --------------------------------------------------------------

# The suite's calendar is mid-May 2026: February, March and April are closed.
PROGRAMME_MONTHS = ["2026-02", "2026-03", "2026-04"]


def programme_member(home, store):
    """Morgan's programme Spring (from February, Sam its steward) and Mentee1, who joined it
    in February and wrote in each month since; returns (manager, steward, mentee)."""
    from datetime import datetime
    from fractions import Fraction

    from journal import directory
    from journal.enrolment import enrol
    from journal.programmes import create_programme, join_programme

    def person(name, role):
        enrol(home / f"{name}.json", store, name=name, role=role, passphrase=PASSPHRASE)
        return JournalApp(store, unlock_identity(home / f"{name}.json", PASSPHRASE))

    manager, steward = person("Morgan", "manager"), person("Sam", "steward")
    create_programme(manager, "Spring", helper=directory.find(manager.recorder.datastore, "Sam", role="steward"),
                     k=5, rho=Fraction(2), start=PROGRAMME_MONTHS[0], months=6, settle_days=7)
    app = person("Mentee1", "mentee")
    join_programme(app, "Spring", at=datetime(2026, 2, 1, 12).astimezone())
    for period in PROGRAMME_MONTHS:
        app.update(MenteeJournal.check_in, "MENTEE1-SECRET", mood=3, confidence=4,
                   at=datetime(int(period[:4]), int(period[5:]), 10, 12).astimezone())
    return manager, steward, app


def pseudonyms_in(store) -> list[bytes]:
    with raw_store(store) as db:
        return sorted(bytes(r[0]) for r in db.execute("SELECT pseudonym FROM mj_shares").fetchall())


def test_a_planted_key_does_not_change_her_pseudonyms_or_resend_her_months(home, store):
    from domain import clock
    from projections import member_months

    manager, steward, app = programme_member(home, store)
    assert member_months.contribute_closed_periods(app, clock.today()) == len(PROGRAMME_MONTHS)
    before = pseudonyms_in(store)
    app.close()
    header = json.loads((home / "Mentee1.json").read_text())
    public = X25519PublicKey.from_public_bytes(base64.b64decode(header["public"]["x25519"]))
    sealed = sealed_format.seal_journal_key(PLANTED, public, journal_id=app.journal_id, jk_id=2)
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_journal_keys (journal_id, jk_id, sealed) VALUES (?,?,?)",
                   (app.journal_id.hex, 2, sealed))
    again = reopen(app)
    assert member_months.contribute_closed_periods(again, clock.today()) == 0  # nothing re-sent under a new one
    assert pseudonyms_in(store) == before
    # The honest path: a month she changes is re-sent under the pseudonym it had, not a new one.
    again.update(MenteeJournal.log_meeting, minutes=60, focus="late write-up",
                 at=datetime.fromisoformat("2026-03-20T12:00").astimezone())
    assert member_months.contribute_closed_periods(again, clock.today()) == 1
    assert pseudonyms_in(store) == before
    for each in (again, manager, steward):
        each.close()


# -- a fresh journal -------------------------------------------------------------------


def test_a_new_journal_key_row_is_signed_and_nothing_is_written_by_reading_it(run, mentee, store):
    state = store_state(store)
    assert run("entries").exit_code == 0
    assert store_state(store) == state
    with raw_store(store) as db:
        columns = db.execute("SELECT * FROM mj_journal_keys").fetchall()
    assert len(columns) == 1 and len(columns[0]) == 4 and len(bytes(columns[0][3])) == 64


def test_no_directory_key_tells_whose_journal_a_key_row_is_but_her_own_row_key_does(unlocked, run, home):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from journal.directory import people

    app = unlocked("Ada")
    for name in ("Grace", "Alan"):
        result = run("--identity", str(home / f"{name}.json"), "init", "--name", name, "--role", "mentor")
        assert result.exit_code == 0, result.output
    from journal import directory

    directory.publish(app.recorder.datastore, app.identity)
    with raw_store(app.store) as db:
        sealed, signature = db.execute("SELECT sealed, signature FROM mj_journal_keys").fetchone()
    row = dict(signature=bytes(signature), journal_id=app.journal_id, jk_id=1, sealed=bytes(sealed))
    everyone = people(app.recorder.datastore)
    assert app.identity.fingerprint in {p.fingerprint for p in everyone} and len(everyone) == 3
    for person in everyone:  # what a watcher of the store would try
        assert sealed_format.journal_key_row_label(Ed25519PublicKey.from_public_bytes(person.ed25519), **row) is None
    assert sealed_format.journal_key_row_label(app.keyring.row_signing_key(app.journal_id).public_key(), **row) \
        == sealed_format.JK_ROW_LABEL


def test_a_key_planted_with_random_bytes_as_its_signature_is_refused_too(run, mentee, store):
    assert run("checkin", "before").exit_code == 0
    journal_id = plant_journal_key(store, mentee)
    with raw_store(store) as db:
        db.execute("UPDATE mj_journal_keys SET signature = ? WHERE jk_id = 2", (os.urandom(64),))
    result = run("checkin", "SECRET after")
    assert result.exit_code == 0 and "journal key 2" in result.stderr
    version, blob, wrap = last_record(store, journal_id)
    assert not attacker_opens(blob, wrap, journal_id=journal_id, version=version, topic=sealed_format.EVENT_TOPIC)


# -- journals made before journal-key rows were signed ---------------------------------

OLD_TABLE = {"sqlite": "CREATE TABLE mj_journal_keys (journal_id TEXT, jk_id INTEGER, sealed BLOB, "
                       "PRIMARY KEY (journal_id, jk_id)) WITHOUT ROWID",
             "postgres": "CREATE TABLE mj_journal_keys (journal_id TEXT, jk_id INTEGER, sealed BYTEA, "
                         "PRIMARY KEY (journal_id, jk_id))"}


def make_old_format(app: JournalApp, backend: str) -> None:
    """Rewrites the store as the previous version of mj left it: the journal-key table without a
    signature column, the checkpoint signed with the key derived from jk 1 by HMAC, and the view
    cache sealed under jk 1 itself."""
    journal_id, journal_key = app.journal_id, app.keyring.key(app.journal_id, 1)
    entries = app.history()
    with raw_store(app.store) as db:
        sealed = bytes(db.execute("SELECT sealed FROM mj_journal_keys WHERE journal_id = ?",
                                  (journal_id.hex,)).fetchone()[0])
        db.execute("DROP TABLE mj_journal_keys")
        db.execute(OLD_TABLE[backend])
        db.execute("INSERT INTO mj_journal_keys VALUES (?,?,?)", (journal_id.hex, 1, sealed))
        size, head = db.execute("SELECT size, head FROM mj_checkpoints WHERE stream_id = ?",
                                (journal_id.hex,)).fetchone()
        signature = crypto.legacy_checkpoint_key(journal_key).sign(
            checkpoint_message(journal_id, size, bytes(head)))
        db.execute("UPDATE mj_checkpoints SET signature = ? WHERE stream_id = ?", (signature, journal_id.hex))
        blob, wrap = sealed_format.seal_event(view_cache.encode_views(entries), journal_key=journal_key, jk_id=1,
                                              stream_id=journal_id, version=size, topic="mj:view-cache/1")
        db.execute("DELETE FROM mj_view_cache")
        db.execute("DELETE FROM mj_view_pages")  # pages came later
        db.execute("INSERT INTO mj_view_cache (journal_id, version, blob, wrap) VALUES (?,?,?,?)",
                   (journal_id.hex, size, blob, wrap))
    app.close()


@pytest.fixture
def old_journal(unlocked, backend):
    app = unlocked()
    for n in range(view_cache.REFRESH_AFTER + 5):
        app.update(MenteeJournal.check_in, f"OLD day {n}", mood=3)
    entries = [e.as_json() for e in app.entries()]
    make_old_format(app, backend)
    return app, entries


def test_an_old_journal_is_migrated_on_first_use_and_still_reads(old_journal):
    old, entries = old_journal
    app = reopen(old)
    assert [e.as_json() for e in app.entries()] == entries
    assert app.verify().records == len(entries) + 1
    with raw_store(app.store) as db:
        jk_id, sealed, signature = db.execute("SELECT jk_id, sealed, signature FROM mj_journal_keys").fetchone()
        _, head, checkpoint_signature = db.execute("SELECT size, head, signature FROM mj_checkpoints").fetchone()
    assert sealed_format.journal_key_row_label(app.keyring.row_signing_key(app.journal_id).public_key(),
                                               bytes(signature),
                                               journal_id=app.journal_id, jk_id=1, sealed=bytes(sealed)) \
        == sealed_format.JK_ROW_MIGRATED_LABEL
    old_key = crypto.legacy_checkpoint_key(app.keyring.key(app.journal_id, 1))
    assert not crypto.signature_holds(old_key.public_key(), bytes(checkpoint_signature),
                                      checkpoint_message(app.journal_id, len(entries) + 1, bytes(head)))
    app.update(MenteeJournal.check_in, "written after the migration")
    app.close()
    again = reopen(old)  # a second process: nothing left to migrate, nothing written by a read
    state = store_state(again.store)
    assert again.entries()[-1].fields["text"] == "written after the migration"
    assert again.keyring.refused(again.journal_id) == []
    assert store_state(again.store) == state
    again.close()


def test_a_planted_unsigned_key_in_an_old_store_is_refused_and_nothing_is_written(old_journal, home):
    old, _ = old_journal
    plant_journal_key(old.store, home)
    state = store_state(old.store)
    app = reopen(old)
    with pytest.raises(TamperedRecord, match="journal key 1 is not signed by you; journal key 2 is not signed"):
        app.entries()
    assert store_state(old.store) == state
    app.close()


def test_an_old_journal_whose_only_key_was_replaced_is_refused(old_journal, home):
    old, _ = old_journal
    header = json.loads((home / "identity.json").read_text())
    public = X25519PublicKey.from_public_bytes(base64.b64decode(header["public"]["x25519"]))
    sealed = sealed_format.seal_journal_key(PLANTED, public, journal_id=old.journal_id, jk_id=1)
    with raw_store(old.store) as db:
        db.execute("UPDATE mj_journal_keys SET sealed = ?", (sealed,))
    state = store_state(old.store)
    app = reopen(old)
    with pytest.raises(TamperedRecord, match="journal key 1 is not signed by you"):
        app.update(MenteeJournal.check_in, "SECRET")
    assert store_state(old.store) == state
    app.close()


def test_months_sent_before_the_migration_are_not_sent_again(home, store, backend, monkeypatch):
    """The previous version keyed her pseudonyms by jk 1 itself: the months it sent are hers
    after the migration, neither sent again nor sent beside under a second pseudonym."""
    from domain import clock
    from journal import programmes
    from projections import member_months

    manager, steward, app = programme_member(home, store)
    journal_key = app.keyring.key(app.journal_id, 1)
    derived = programmes.pseudonym
    with monkeypatch.context() as previous_version:  # as the previous version sent them
        previous_version.setattr(programmes, "pseudonym",
                                 lambda _key, programme, period: derived(journal_key, programme, period))
        sent = member_months.contribute_closed_periods(app, clock.today())
    old_rows = pseudonyms_in(store)
    assert len(old_rows) == sent == len(PROGRAMME_MONTHS)
    assert old_rows == sorted(derived(journal_key, "Spring", p) for p in PROGRAMME_MONTHS)
    make_old_format(app, backend)
    migrated = reopen(app)
    assert member_months.contribute_closed_periods(migrated, clock.today()) == 0
    assert pseudonyms_in(store) == old_rows
    # A month she changes after the migration goes again under its old pseudonym, never a new one.
    migrated.update(MenteeJournal.log_meeting, minutes=60, focus="late write-up",
                    at=datetime.fromisoformat("2026-03-20T12:00").astimezone())
    assert member_months.contribute_closed_periods(migrated, clock.today()) == 1
    assert pseudonyms_in(store) == old_rows
    for each in (migrated, manager, steward):
        each.close()


def test_a_new_journal_in_an_old_store_is_signed_and_the_old_one_migrates_beside_it(old_journal, unlocked):
    old, entries = old_journal
    newcomer = unlocked("Bea", identity_file="bea.json")
    newcomer.update(MenteeJournal.check_in, "Bea's first day")
    assert newcomer.keyring.refused(newcomer.journal_id) == []
    ada = reopen(old)
    assert [e.as_json() for e in ada.entries()] == entries
    assert newcomer.verify().records == 2 and ada.verify().records == len(entries) + 1
    ada.close()


def test_a_malformed_journal_key_row_is_one_line_and_her_command_goes_on(run, mentee, store):
    assert run("checkin", "before").exit_code == 0
    with raw_store(store) as db:
        db.execute("INSERT INTO mj_journal_keys (journal_id, jk_id, sealed, signature) VALUES (?,?,?,?)",
                   (journal_id_in(store).hex, 7, None, b"\x1b[2J"))
    result = run("checkin", "after")
    assert result.exit_code == 0, result.output
    assert "journal key 7" in result.stderr and "\x1b" not in result.stderr


def test_a_store_stuffed_with_planted_keys_costs_her_a_few_lines(run, mentee, store):
    assert run("checkin", "before").exit_code == 0
    for jk_id in range(2, 12):
        plant_journal_key(store, mentee, jk_id=jk_id)
    result = run("checkin", "after")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Warning: ") == 4 and "and 7 more journal-key rows" in result.stderr
