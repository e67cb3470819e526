"""A write lands exactly once, and update() says so truthfully: a snapshot is only an
optimisation, so its failure neither hides a committed write nor runs the verb again."""

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from domain.journal import MenteeJournal
from journal.app import SNAPSHOT_INTERVAL, JournalApp
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store

FAILURES = [IntegrityError("UNIQUE constraint failed: stored_snapshots.originator_id (injected)"),
            OperationalError("database is locked (injected)")]


def records_and_snapshots(app):
    """What the store holds, counted as rows: the journal's records, and its snapshots' versions."""
    with raw_store(app.store) as db:
        records = db.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        snapshots = sorted(v for (v,) in db.execute("SELECT originator_version FROM stored_snapshots").fetchall())
    return records, snapshots


def write_up_to(app, version):
    """Check-ins until the journal's last record is `version` (the journal's opening is 1)."""
    for n in range(records_and_snapshots(app)[0] + 1, version + 1):
        app.update(MenteeJournal.check_in, f"check-in {n}")


def fail_the_next_snapshot(app, monkeypatch, error):
    """The snapshot recorder's next insert raises `error`; the ones after it work. Returns the
    list of versions it refused, to prove the failure happened."""
    recorder = app.snapshots.recorder
    real_insert, refused = recorder.insert_events, []

    def insert_events(stored_events, **kwargs):
        if not refused:
            refused.extend(s.originator_version for s in stored_events)
            raise error
        return real_insert(stored_events, **kwargs)

    monkeypatch.setattr(recorder, "insert_events", insert_events)
    return refused


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__)
def test_a_failed_snapshot_after_the_events_committed_is_not_a_failed_write(unlocked, monkeypatch, error):
    app = unlocked()
    write_up_to(app, SNAPSHOT_INTERVAL - 1)
    refused = fail_the_next_snapshot(app, monkeypatch, error)
    runs = []

    def check_in(journal):
        runs.append(journal.version)
        return journal.check_in("the fiftieth record")

    entry_id = app.update(check_in)

    assert refused == [SNAPSHOT_INTERVAL]
    assert runs == [SNAPSHOT_INTERVAL - 1]  # the verb ran once
    assert records_and_snapshots(app) == (SNAPSHOT_INTERVAL, [])
    texts = [e.fields["text"] for e in app.entries()]
    assert texts.count("the fiftieth record") == 1 and app.show(entry_id[:12]).fields["text"] == texts[-1]
    assert app.verify().records == SNAPSHOT_INTERVAL


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__)
def test_after_a_failed_snapshot_the_next_writes_work_and_a_later_snapshot_is_taken(unlocked, monkeypatch, error):
    app = unlocked()
    write_up_to(app, SNAPSHOT_INTERVAL - 1)
    fail_the_next_snapshot(app, monkeypatch, error)
    app.update(lambda j: j.check_in("the fiftieth record"))

    app.update(lambda j: j.check_in("the next record"))
    assert records_and_snapshots(app) == (SNAPSHOT_INTERVAL + 1, [])
    write_up_to(app, 2 * SNAPSHOT_INTERVAL)
    assert records_and_snapshots(app) == (2 * SNAPSHOT_INTERVAL, [2 * SNAPSHOT_INTERVAL])
    reopened = JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))
    report = reopened.verify()
    assert (report.records, report.snapshots) == (2 * SNAPSHOT_INTERVAL, 1)
    assert [e.fields["text"] for e in reopened.entries()][SNAPSHOT_INTERVAL - 2:SNAPSHOT_INTERVAL] == [
        "the fiftieth record", "the next record"]
    reopened.close()


def test_a_write_that_loses_the_race_for_the_fiftieth_record_is_retried_and_lands_once(unlocked):
    app = unlocked()
    write_up_to(app, SNAPSHOT_INTERVAL - 1)
    other = JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))
    runs = []

    def check_in(journal):
        runs.append(journal.version)
        if len(runs) == 1:  # while we hold version 49, the other writer takes version 50
            other.update(lambda j: j.check_in("written by the other writer"))
        return journal.check_in("written by us")

    app.update(check_in)

    assert runs == [SNAPSHOT_INTERVAL - 1, SNAPSHOT_INTERVAL]
    assert records_and_snapshots(app) == (SNAPSHOT_INTERVAL + 1, [SNAPSHOT_INTERVAL])
    assert [e.fields["text"] for e in app.entries()][-2:] == ["written by the other writer", "written by us"]
    assert app.verify().records == SNAPSHOT_INTERVAL + 1
    other.close()
