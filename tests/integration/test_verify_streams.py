"""`mj verify` reads the records a batch at a time (journal/verification.py): made tiny here (7
records, pages of 8), so that what one check needs is spread over many batches — a tombstone
batches after the record it names, snapshots and pages ending mid-batch — and every refusal still
names its record. Beside each attack, the same journal untouched verifies as the whole-journal
reading does."""

import pytest

from domain.journal import MenteeJournal
from journal import verification, view_cache
from journal.app import SNAPSHOT_INTERVAL, JournalApp
from journal.errors import TamperedRecord
from journal.forgetting import forget_entries
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store

SECRET = 3  # the record forgotten; its tombstone comes ~70 records (10 batches) later


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(verification, "BATCH", 7)
    monkeypatch.setattr(view_cache, "PAGE", 8)


def reopen(app: JournalApp) -> JournalApp:
    return JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))


@pytest.fixture
def journal(unlocked):
    """A secret forgotten far from where it was written, amendments, two snapshots, a paged cache;
    with the data-key row of the secret as a store writer kept it before the forget."""
    app = unlocked()
    app.update(MenteeJournal.check_in, "first")
    secret = app.update(MenteeJournal.check_in, "MARKER-secret")
    ids = [app.update(MenteeJournal.check_in, f"day {n}", tags=("work",) if n % 3 else ()) for n in range(70)]
    entry = next(e for e in app.entries() if e.id == ids[4])
    app.update(MenteeJournal.amend, ids[4], entry.kind, entry.fields, entry.at, {"text": "day 4, amended"},
               number=2, at=None)
    with raw_store(app.store) as db:
        app.kept_wrap = db.execute("SELECT * FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = ?",
                                   (app.journal_id.hex, SECRET)).fetchall()
    forget_entries(app, [secret])
    for n in range(2 * SNAPSHOT_INTERVAL - 70):
        app.update(MenteeJournal.check_in, f"later {n}")
    app.entries()  # the cache written to the head
    app.close()
    return app


def verified(app: JournalApp):
    opened = reopen(app)
    try:
        return opened.verify()
    finally:
        opened.close()


def refused_with(app: JournalApp, message: str) -> None:
    with pytest.raises(TamperedRecord, match=message):
        verified(app)


def test_verified_in_batches_as_in_one_reading(journal, monkeypatch):
    in_batches = verified(journal)
    assert in_batches.records > 2 * SNAPSHOT_INTERVAL and in_batches.forgotten == 1 and in_batches.snapshots >= 1
    monkeypatch.setattr(verification, "BATCH", 10_000)
    assert verified(journal) == in_batches


def test_a_forgotten_key_put_back_is_named_though_its_tombstone_is_batches_later(journal):
    assert verified(journal).forgotten == 1  # the honest path, beside the attack
    with raw_store(journal.store) as db:
        db.executemany("INSERT INTO mj_data_keys VALUES (?,?,?,?,?)", journal.kept_wrap)
    refused_with(journal, f"record {SECRET} of journal {journal.journal_id.hex[:8]} was forgotten, but a key")


def test_a_deleted_data_key_in_a_middle_batch_is_named(journal):
    assert verified(journal).records  # the honest path
    with raw_store(journal.store) as db:
        db.execute("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = 40",
                   (journal.journal_id.hex,))
    refused_with(journal, "record 40 of journal .* has no data key")


@pytest.mark.parametrize("version", [15, 22, 64])  # the first, the last, the middle of a batch
def test_a_record_deleted_anywhere_is_named(journal, version):
    with raw_store(journal.store) as db:
        db.execute("DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?",
                   (journal.journal_id.hex, version))
    refused_with(journal, f"record {version} of journal .* is missing")


def test_a_record_altered_in_a_late_batch_is_named(journal):
    with raw_store(journal.store) as db:
        state = db.execute("SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = 90",
                           (journal.journal_id.hex,)).fetchone()[0]
        db.execute("UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = 90",
                   (state[:50] + bytes([state[50] ^ 1]) + state[51:], journal.journal_id.hex))
    refused_with(journal, "record 90 of journal .* does not open")


def test_one_page_of_the_cache_put_in_anothers_place_is_named(journal):
    assert verified(journal).records  # the honest path
    with raw_store(journal.store) as db:
        rows = db.execute("SELECT page, blob, wrap FROM mj_view_pages WHERE journal_id = ? ORDER BY page",
                          (journal.journal_id.hex,)).fetchall()
        assert len(rows) > 10
        _, blob5, wrap5 = rows[5]
        db.execute("UPDATE mj_view_pages SET blob = ?, wrap = ? WHERE journal_id = ? AND page = 6",
                   (blob5, wrap5, journal.journal_id.hex))
    refused_with(journal, "a page of journal .* view cache is not the one its index names")


@pytest.mark.parametrize("last", [False, True])
def test_a_record_changed_between_the_two_readings_is_named(journal, monkeypatch, last):
    """The attack: the store answers the chain pass honestly, then deletes a record (or puts a
    fork's genuine one in its place) before the replay reads it."""
    gone = verified(journal).records if last else 40
    readings, honest = [], verification.streamed

    def changing(app, size):
        readings.append(size)
        if len(readings) == 2:
            with raw_store(journal.store) as db:
                db.execute("DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?",
                           (journal.journal_id.hex, gone))
        return honest(app, size)
    monkeypatch.setattr(verification, "streamed", changing)
    refused_with(journal, f"record {gone} of journal .* changed while verify read it")
    assert len(readings) == 2
