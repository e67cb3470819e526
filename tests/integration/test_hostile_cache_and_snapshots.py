"""A writer of the store puts back a genuine view cache or snapshot of the same journal taken at
another state: one from before a fork (the store rolled back, and a device that never saw the
later state wrote on), or one moved to another version. A cache or snapshot is believed only when
its associated data names the chain head at the version it covers; `mj verify` rebuilds the state
from the records and compares every snapshot and the cache with it. Beside each refusal, the
honest path: an honest cache and snapshots are used and verified, and ones written before the
binding break nothing."""

from __future__ import annotations

import pytest

from domain.journal import JournalSnapshot, MenteeJournal
from journal import bound_state, sealed_format, view_cache
from journal.app import SNAPSHOT_INTERVAL, JournalApp
from journal.errors import TamperedRecord
from journal.mapper import encode_event
from tests.conftest import raw_store
from tests.integration.test_hostile_rollback import copy_of_store, reopen, roll_back, second_device, texts, write

MANY = view_cache.REFRESH_AFTER + 10


def cache_row(app: JournalApp) -> tuple:
    with raw_store(app.store) as db:
        return tuple(db.execute("SELECT version, blob, wrap FROM mj_view_cache WHERE journal_id = ?",
                                (app.journal_id.hex,)).fetchone())


def put_cache_row(app: JournalApp, row: tuple) -> None:
    with raw_store(app.store) as db:
        assert db.execute("UPDATE mj_view_cache SET version = ?, blob = ?, wrap = ? WHERE journal_id = ?",
                          (*row, app.journal_id.hex)).rowcount == 1


def snapshot_row(app: JournalApp, version: int) -> tuple:
    with raw_store(app.store) as db:
        topic, state = db.execute("SELECT topic, state FROM stored_snapshots WHERE originator_id = ? AND "
                                  "originator_version = ?", (app.journal_id.hex, version)).fetchone()
        wrap = db.execute("SELECT wrap FROM mj_data_keys WHERE stream_id = ? AND kind = 's' AND version = ?",
                          (app.journal_id.hex, version)).fetchone()[0]
    return topic, bytes(state), bytes(wrap)


def put_snapshot_row(app: JournalApp, version: int, row: tuple) -> None:
    """A snapshot row put at `version`, over one there or where only the newest was kept (a writer of
    the store can keep a copy of any row and put it back)."""
    topic, state, wrap = row
    with raw_store(app.store) as db:
        db.execute("DELETE FROM stored_snapshots WHERE originator_id = ? AND originator_version = ?",
                   (app.journal_id.hex, version))
        db.execute("DELETE FROM mj_data_keys WHERE stream_id = ? AND kind = 's' AND version = ?",
                   (app.journal_id.hex, version))
        db.execute("INSERT INTO stored_snapshots (originator_id, originator_version, topic, state) VALUES (?,?,?,?)",
                   (app.journal_id.hex, version, topic, state))
        db.execute("INSERT INTO mj_data_keys (stream_id, kind, version, jk_id, wrap) VALUES (?,?,?,?,?)",
                   (app.journal_id.hex, "s", version, 1, wrap))


def snapshot_versions(app: JournalApp) -> list[int]:
    with raw_store(app.store) as db:
        return sorted(v for (v,) in db.execute("SELECT originator_version FROM stored_snapshots").fetchall())


@pytest.fixture
def forked(unlocked, tmp_path):
    """Five common check-ins and a copy; history A written and read on this device (its cache and
    its snapshot at record 50 kept aside); the copy put back, and history B written and read by a
    second device that never saw A. Returns (device B's identity path, app, A's cache, A's snapshot)."""
    app = unlocked()
    write(app, 5, "common")
    copy = copy_of_store(app.store)
    app.update(MenteeJournal.join_programme, "Spring cohort")
    write(app, MANY, "history A")
    assert len(texts(app)) == MANY + 6
    cache_a, snapshot_a = cache_row(app), snapshot_row(app, SNAPSHOT_INTERVAL)
    app.close()
    roll_back(app.store, copy)
    device_b = second_device(app, tmp_path)
    other = reopen(app, device_b)
    write(other, MANY + 10, "history B")
    assert len(texts(other)) == MANY + 15 and other.programmes() == {}
    other.close()
    return device_b, app, cache_a, snapshot_a


def test_a_view_cache_from_before_a_fork_is_not_believed_and_verify_names_it(forked):
    device_b, app, cache_a, _ = forked
    put_cache_row(app, cache_a)
    app = reopen(app, device_b)
    with pytest.raises(TamperedRecord, match=f"the view cache of journal {app.journal_id.hex[:8]}"):
        app.verify()
    shown = texts(app)
    assert not [t for t in shown if t.startswith("history A")]
    assert len([t for t in shown if t.startswith("history B")]) == MANY + 10
    assert app.verify().records == MANY + 16  # the read rebuilt the cache from the records
    app.close()


def test_a_snapshot_from_before_a_fork_is_not_believed_and_verify_names_it(forked):
    device_b, app, _, snapshot_a = forked
    put_snapshot_row(app, SNAPSHOT_INTERVAL, snapshot_a)
    app = reopen(app, device_b)
    with pytest.raises(TamperedRecord, match=f"the snapshot at record 50 of journal {app.journal_id.hex[:8]}"):
        app.verify()  # named while it is there
    assert app.programmes() == {}  # history A's programme is not hers in this history
    app.update(MenteeJournal.check_in, "a write is not blocked by a bad snapshot")
    assert any("snapshot at record 50" in notice for notice in app.notices)
    assert texts(app)[-1] == "a write is not blocked by a bad snapshot"
    assert snapshot_versions(app) == [MANY + 16]  # replaced by one taken of these records, and the old one dropped
    assert app.verify().snapshots == 1
    app.close()


# The terms a join pins (journal/programmes.py Programme.pin): what every later programme row is
# held to, so a snapshot must carry them as the records do.
PINS = {"manager_fingerprint": "0123 4567 89ab cdef 0123 4567 89ab cdef", "public_key": "ab" * 32,
        "helper_fingerprint": "fedc ba98 7654 3210 fedc ba98 7654 3210", "helper_key": "cd" * 32, "k": 5,
        "rho": "2", "start": "2026-02", "months": 6, "settle_days": 7}


@pytest.fixture
def two_snapshots(unlocked):
    app = unlocked()
    app.update(MenteeJournal.join_programme, "Spring cohort", pins=PINS)
    write(app, SNAPSHOT_INTERVAL - 1)
    kept = snapshot_row(app, SNAPSHOT_INTERVAL)
    write(app, SNAPSHOT_INTERVAL)
    assert snapshot_versions(app) == [2 * SNAPSHOT_INTERVAL]  # only the newest is kept
    put_snapshot_row(app, SNAPSHOT_INTERVAL, kept)  # a writer of the store kept the older one and put it back
    assert snapshot_versions(app) == [SNAPSHOT_INTERVAL, 2 * SNAPSHOT_INTERVAL]
    return app


def test_snapshots_swapped_between_versions_do_not_block_a_write_and_verify_names_them(two_snapshots):
    app = two_snapshots
    first, second = snapshot_row(app, SNAPSHOT_INTERVAL), snapshot_row(app, 2 * SNAPSHOT_INTERVAL)
    put_snapshot_row(app, SNAPSHOT_INTERVAL, second)
    put_snapshot_row(app, 2 * SNAPSHOT_INTERVAL, first)
    app = reopen(app)
    with pytest.raises(TamperedRecord, match="the snapshot at record 50 "):
        app.verify()
    app.update(MenteeJournal.check_in, "written over swapped snapshots")
    assert list(app.programmes()) == ["Spring cohort"]
    # Not believed, so replaced by one taken of these records, and the swapped ones dropped
    assert snapshot_versions(app) == [2 * SNAPSHOT_INTERVAL + 1] and app.verify().snapshots == 1
    app.close()


def test_honest_snapshots_and_cache_are_used_and_verified(two_snapshots):
    app = reopen(two_snapshots)
    assert list(app.programmes()) == ["Spring cohort"]
    assert app.programme_pins() == {"Spring cohort": PINS}  # the terms she pinned, from the snapshot
    assert len(texts(app)) == 2 * SNAPSHOT_INTERVAL
    report = app.verify()
    assert (report.records, report.snapshots) == (2 * SNAPSHOT_INTERVAL + 1, 2)
    assert app.notices == []
    app.close()


def test_a_snapshot_and_cache_written_before_the_binding_are_not_believed_and_break_nothing(unlocked):
    app = unlocked()
    app.update(MenteeJournal.join_programme, "Spring cohort")
    write(app, SNAPSHOT_INTERVAL - 3)  # up to record 49
    journal = app.repository.get(app.journal_id)  # as the version before the binding sealed them
    jk_id, key = app.keyring.current(app.journal_id)
    blob, wrap = sealed_format.seal_event(encode_event(JournalSnapshot.take(journal)), journal_key=key, jk_id=jk_id,
                                          stream_id=app.journal_id, version=journal.version,
                                          topic="mj:sealed-snapshot/1")
    with raw_store(app.store) as db:
        db.execute("INSERT INTO stored_snapshots (originator_id, originator_version, topic, state) VALUES (?,?,?,?)",
                   (app.journal_id.hex, journal.version, "mj:sealed-snapshot/1", blob))
        db.execute("INSERT INTO mj_data_keys (stream_id, kind, version, jk_id, wrap) VALUES (?,?,?,?,?)",
                   (app.journal_id.hex, "s", journal.version, jk_id, wrap))
    app = reopen(app)
    app.update(MenteeJournal.check_in, "after the old snapshot")
    assert list(app.programmes()) == ["Spring cohort"] and app.notices == []
    assert app.verify().snapshots == 1 and snapshot_versions(app) == [SNAPSHOT_INTERVAL]  # a bound one in its place
    assert len(texts(app)) == SNAPSHOT_INTERVAL - 1  # with the programme joined
    app.close()


@pytest.mark.parametrize("older", ["before the binding", "one blob before the pages"])
def test_a_view_cache_of_an_older_format_is_not_believed_and_breaks_nothing(unlocked, older):
    app = unlocked()
    write(app, MANY, "check-in")
    shown = texts(app)
    version = cache_row(app)[0]
    jk_id, key = app.keyring.current_view_cache_key(app.journal_id)
    forged = [e for e in app.entries()][:3]  # what an old cache could not pass off as her journal
    topic = view_cache.UNBOUND_CACHE_TOPIC if older == "before the binding" else \
        sealed_format.bound_topic(view_cache.SINGLE_BLOB_TOPIC, bound_state.checked_chain(app)[1][version])
    blob, wrap = sealed_format.seal_event(view_cache.encode_views(forged), journal_key=key, jk_id=jk_id,
                                          stream_id=app.journal_id, version=version, topic=topic)
    put_cache_row(app, (version, blob, wrap))
    app = reopen(app)
    assert app.verify().records == MANY + 1  # an old cache is no tampering: it is simply not believed
    assert texts(app) == shown
    assert cache_row(app)[1] != blob  # rebuilt by that read
    app.close()


def test_mj_says_once_that_a_snapshot_is_not_believed_and_the_write_goes_on(two_snapshots, run):
    app = two_snapshots
    put_snapshot_row(app, 2 * SNAPSHOT_INTERVAL, snapshot_row(app, SNAPSHOT_INTERVAL))
    app.close()
    result = run("checkin", "written over a moved snapshot")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("the snapshot at record 100") == 1, result.stderr
    assert "Traceback" not in result.stderr
    verified = run("verify")  # replaced by one taken of the records, so nothing is left to name
    assert verified.exit_code == 0 and "snapshot" not in verified.stderr, verified.output


@pytest.mark.parametrize("junk_version", [10**12, "zzz"], ids=["far-future", "text"])
def test_a_junk_snapshot_row_hides_no_real_snapshot(two_snapshots, junk_version):
    """A row no client wrote, placed where "the newest snapshot" is looked up (a version past the
    journal, or on SQLite a text version, which sorts after every number), must not make each
    load replay every record: the newest real snapshot the checkpoint covers is used."""
    app = two_snapshots
    if app.store.is_postgres and isinstance(junk_version, str):
        pytest.skip("PostgreSQL's integer column refuses a text version")
    topic, state, _ = snapshot_row(app, 2 * SNAPSHOT_INTERVAL)
    with raw_store(app.store) as db:
        db.execute("INSERT INTO stored_snapshots (originator_id, originator_version, topic, state) VALUES (?,?,?,?)",
                   (app.journal_id.hex, junk_version, topic, state))
    app.close()
    again = reopen(app)
    tails = []
    select = again.recorder.select_events

    def spy(*args, **kwargs):
        tails.append(kwargs.get("gt"))
        return select(*args, **kwargs)

    again.recorder.select_events = spy
    again.update(MenteeJournal.check_in, "after the junk row")
    assert tails[0] == 2 * SNAPSHOT_INTERVAL  # the tail after the real snapshot, not a replay from 1
    assert again.notices == []
    assert texts(again)[-1] == "after the junk row"  # the honest path
    again.close()
