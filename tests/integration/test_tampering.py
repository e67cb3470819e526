"""Integration: altering the store (the SQLite file, or the PostgreSQL tables) behind the
application's back is reported as tampering, with a message that names the record, through the
library and through `mj verify`."""

from pathlib import Path

import pytest

from domain.journal import MenteeJournal
from journal.app import SNAPSHOT_INTERVAL, JournalApp
from journal.errors import TamperedRecord
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store

CHECK_INS = 5  # records 2..6; record 1 opens the journal
LAST = CHECK_INS + 1


def write_check_ins(app: JournalApp, count: int = CHECK_INS) -> None:
    for n in range(count):
        app.update(MenteeJournal.check_in, f"check-in number {n}", mood=3)


@pytest.fixture
def written(unlocked) -> JournalApp:
    """A closed store holding one journal of six records."""
    app = unlocked()
    write_check_ins(app)
    app.close()
    return app


def reopen(app: JournalApp) -> JournalApp:
    return JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))


def tamper(store: Path, *statements: tuple[str, tuple]) -> None:
    with raw_store(store) as db:
        for sql, params in statements:
            assert db.execute(sql, params).rowcount == 1, sql


def state_of(store: Path, app: JournalApp, version: int, table: str = "stored_events") -> bytes:
    with raw_store(store) as db:
        return db.execute(f"SELECT state FROM {table} WHERE originator_id = ? AND originator_version = ?",
                          (app.journal_id.hex, version)).fetchone()[0]


def set_state(app: JournalApp, version: int, state: bytes, table: str = "stored_events") -> tuple[str, tuple]:
    return (f"UPDATE {table} SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (state, app.journal_id.hex, version))


def delete_record(app: JournalApp, version: int, *, with_its_data_key: bool = False) -> None:
    tamper(app.store, ("DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?",
                       (app.journal_id.hex, version)))
    if with_its_data_key:
        delete_data_key(app, version)


def delete_data_key(app: JournalApp, version: int) -> None:
    tamper(app.store, ("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = ?",
                       (app.journal_id.hex, version)))


def flip_byte(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


def record(app: JournalApp, version: int) -> str:
    return f"record {version} of journal {app.journal_id.hex[:8]}"


def assert_reported(app: JournalApp, *, names: str | None = None) -> None:
    """Both ways of reading the whole journal refuse it with a TamperedRecord (naming `names`)."""
    for way in ("verify", "entries"):
        with pytest.raises(TamperedRecord) as raised:
            getattr(app, way)()
        if names is not None:
            assert names in str(raised.value), way


# -- the untouched store is the baseline -----------------------------------------------


def test_an_untouched_store_verifies_and_reads_back(written):
    app = reopen(written)
    report = app.verify()
    assert (report.records, report.snapshots, report.checkpoint_size) == (LAST, 0, LAST)
    assert [e.fields["text"] for e in app.entries()] == [f"check-in number {n}" for n in range(CHECK_INS)]
    app.close()


# -- events ----------------------------------------------------------------------------

def flip_a_byte_in_record_3(app: JournalApp) -> None:
    tamper(app.store, set_state(app, 3, flip_byte(state_of(app.store, app, 3), 40)))


def swap_records_3_and_4(app: JournalApp) -> None:
    third, fourth = state_of(app.store, app, 3), state_of(app.store, app, 4)
    tamper(app.store, set_state(app, 3, fourth), set_state(app, 4, third))


def test_a_flipped_byte_in_an_event_is_reported_as_tampering(written):
    flip_a_byte_in_record_3(written)
    app = reopen(written)
    assert_reported(app)
    app.close()


def test_a_flipped_byte_in_an_event_is_reported_by_its_record_number(written):
    flip_a_byte_in_record_3(written)
    app = reopen(written)
    assert_reported(app, names=record(app, 3))
    app.close()


def test_two_events_swapped_within_a_journal_are_reported_as_tampering(written):
    swap_records_3_and_4(written)
    app = reopen(written)
    assert_reported(app)
    app.close()


def test_two_events_swapped_within_a_journal_are_reported_by_record_number(written):
    swap_records_3_and_4(written)
    app = reopen(written)
    assert_reported(app, names=record(app, 3))
    app.close()


def swap_data_keys(app: JournalApp, first: int, second: int) -> None:
    move = "UPDATE mj_data_keys SET version = ? WHERE stream_id = ? AND kind = 'e' AND version = ?"
    hex_id = app.journal_id.hex
    tamper(app.store, (move, (-1, hex_id, first)), (move, (first, hex_id, second)), (move, (second, hex_id, -1)))


def test_an_event_moved_with_its_data_key_still_does_not_open_in_its_new_place(written):
    swap_records_3_and_4(written)
    swap_data_keys(written, 3, 4)
    app = reopen(written)
    assert_reported(app)
    # Even past the chain (say, an attacker who could re-sign it), each blob and its wrap are
    # bound to their version, so the moved pair does not open.
    stored = app.recorder.select_events(app.journal_id)
    with pytest.raises(TamperedRecord, match=f"{record(app, 3)} does not open"):
        app.mapper.open_plaintext(stored[2])
    app.close()


def test_events_swapped_between_two_journals_in_one_store_are_reported(unlocked):
    ada = unlocked(name="Ada")
    grace = unlocked(name="Grace", store=ada.store, identity_file="grace.json")
    write_check_ins(ada)
    write_check_ins(grace)
    ada.close()
    grace.close()
    ada_third, grace_third = state_of(ada.store, ada, 3), state_of(ada.store, grace, 3)
    tamper(ada.store, set_state(ada, 3, grace_third), set_state(grace, 3, ada_third))
    for owner in (ada, grace):
        app = reopen(owner)
        assert_reported(app)
        stored = app.recorder.select_events(app.journal_id)
        with pytest.raises(TamperedRecord, match=f"{record(app, 3)} does not open"):
            app.mapper.open_plaintext(stored[2])
        app.close()


def test_an_event_deleted_from_the_middle_is_reported_by_its_record_number(written):
    delete_record(written, 3)
    app = reopen(written)
    assert_reported(app, names=f"{record(app, 3)} is missing")
    app.close()


def test_the_last_event_deleted_is_caught_by_the_signed_checkpoint(written):
    delete_record(written, LAST)
    app = reopen(written)
    assert_reported(app, names=record(app, LAST))
    with pytest.raises(TamperedRecord, match=f"holds {LAST - 1} records but its signed checkpoint says {LAST}"):
        app.verify()
    app.close()


def test_a_write_after_the_last_event_and_its_key_were_deleted_is_refused(written):
    delete_record(written, LAST, with_its_data_key=True)
    app = reopen(written)
    with pytest.raises(TamperedRecord, match=f"checkpoint (at record|says) {LAST}"):
        app.update(lambda j: j.check_in("written over the gap"))
    app.close()


def test_a_write_after_the_last_event_was_deleted_is_refused_as_tampering(written):
    delete_record(written, LAST)
    app = reopen(written)
    try:
        with pytest.raises(TamperedRecord, match=f"checkpoint (at record|says) {LAST}"):
            app.update(lambda j: j.check_in("written over the gap"))
    finally:
        app.close()


# -- keys, checkpoints, snapshots ------------------------------------------------------


def test_a_deleted_data_key_is_reported_by_its_record_number(written):
    delete_data_key(written, 4)
    app = reopen(written)
    assert_reported(app, names=f"{record(app, 4)} has no data key")
    app.close()


def test_a_flipped_byte_in_a_data_key_is_reported_by_its_record_number(written):
    with raw_store(written.store) as db:
        wrap = db.execute("SELECT wrap FROM mj_data_keys WHERE stream_id = ? AND kind = 'e' AND version = 4",
                          (written.journal_id.hex,)).fetchone()[0]
    tamper(written.store, ("UPDATE mj_data_keys SET wrap = ? WHERE stream_id = ? AND kind = 'e' AND version = 4",
                           (flip_byte(wrap, 20), written.journal_id.hex)))
    app = reopen(written)
    assert_reported(app, names=f"{record(app, 4)} does not open")
    app.close()


def test_a_checkpoint_with_a_broken_signature_is_reported(written):
    with raw_store(written.store) as db:
        signature = db.execute("SELECT signature FROM mj_checkpoints WHERE stream_id = ?",
                               (written.journal_id.hex,)).fetchone()[0]
    tamper(written.store, ("UPDATE mj_checkpoints SET signature = ? WHERE stream_id = ?",
                           (flip_byte(signature, 0), written.journal_id.hex)))
    app = reopen(written)
    assert_reported(app, names="no checkpoint signed by its owner")
    with pytest.raises(TamperedRecord, match="signed by its owner"):
        app.update(lambda j: j.check_in("on top of a forged checkpoint"))
    app.close()


def test_a_deleted_checkpoint_is_reported(written):
    tamper(written.store, ("DELETE FROM mj_checkpoints WHERE stream_id = ?", (written.journal_id.hex,)))
    app = reopen(written)
    assert_reported(app, names="no checkpoint signed by its owner")
    app.close()


def test_a_tampered_snapshot_is_caught_by_verify(unlocked):
    app = unlocked()
    write_check_ins(app, SNAPSHOT_INTERVAL)
    app.close()
    snapshot = state_of(app.store, app, SNAPSHOT_INTERVAL, table="stored_snapshots")
    tamper(app.store, set_state(app, SNAPSHOT_INTERVAL, flip_byte(snapshot, 60), table="stored_snapshots"))
    app = reopen(app)
    assert len(app.entries()) == SNAPSHOT_INTERVAL  # the event log itself is intact
    with pytest.raises(TamperedRecord, match=f"{record(app, SNAPSHOT_INTERVAL)} does not open"):
        app.verify()
    app.close()


# -- through the command line ----------------------------------------------------------


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_mj_verify_passes_on_an_untouched_store(written, run):
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: journal {written.journal_id.hex[:8]}: {LAST} records")


def test_mj_verify_reports_a_flipped_byte(written, run):
    flip_a_byte_in_record_3(written)
    assert_one_line_error(run("verify"), written.journal_id.hex[:8])


def test_mj_verify_reports_swapped_events(written, run):
    swap_records_3_and_4(written)
    assert_one_line_error(run("verify"), written.journal_id.hex[:8])


def test_mj_verify_reports_an_event_deleted_from_the_middle(written, run):
    delete_record(written, 3)
    assert_one_line_error(run("verify"), record(written, 3), "missing")


def test_mj_verify_reports_the_last_event_deleted(written, run):
    delete_record(written, LAST)
    assert_one_line_error(run("verify"), record(written, LAST))
    assert_one_line_error(run("entries"), record(written, LAST))


def test_mj_verify_reports_a_deleted_data_key(written, run):
    delete_data_key(written, 4)
    assert_one_line_error(run("verify"), record(written, 4), "no data key")


def test_a_write_over_a_gap_in_the_middle_is_refused_as_tampering(written):
    delete_record(written, 3)
    app = reopen(written)
    with pytest.raises(TamperedRecord, match=f"{record(app, 3)} is missing"):
        app.update(lambda j: j.check_in("written over the gap"))
    app.close()
