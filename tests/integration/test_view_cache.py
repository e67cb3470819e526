"""The encrypted view cache: same answers as opening every record, sealed at rest, never trusted blindly."""


import pytest

from domain.journal import MenteeJournal
from journal import view_cache
from journal.app import JournalApp
from journal.errors import TamperedRecord
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, raw_store

MANY = view_cache.REFRESH_AFTER + 10


def reopen(app):
    return JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))


def cache_row(app):
    with raw_store(app.store) as db:
        return db.execute("SELECT version, blob FROM mj_view_cache").fetchone()


@pytest.fixture
def cached(unlocked):
    app = unlocked()
    for n in range(MANY):
        app.update(MenteeJournal.check_in, f"CACHE-MARKER number {n}", mood=1 + n % 5, tags=("work",))
    first = app.entries()
    assert cache_row(app)[0] == MANY + 1  # written on that read
    return app, first


def test_a_cached_read_equals_opening_every_record(cached):
    app, first = cached
    app.update(lambda j: j.check_in("written after the cache"))
    again = reopen(app)
    assert [e.as_json() for e in again.entries()] == [e.as_json() for e in first] + \
        [again.entries()[-1].as_json()]
    assert again.entries()[-1].fields["text"] == "written after the cache"


def test_the_cache_is_sealed(cached, home):
    app, _ = cached
    version, blob = cache_row(app)
    assert b"CACHE-MARKER" not in blob and b"checkin" not in blob
    app.close()
    for path in home.rglob("*"):
        if path.is_file():
            assert b"CACHE-MARKER" not in path.read_bytes(), path


def test_a_damaged_cache_is_ignored_and_rebuilt(cached):
    app, first = cached
    version, blob = cache_row(app)
    with raw_store(app.store) as db:
        db.execute("UPDATE mj_view_cache SET blob = ?", (blob[:-1] + bytes([blob[-1] ^ 1]),))
    again = reopen(app)
    assert [e.id for e in again.entries()] == [e.id for e in first]
    assert cache_row(app)[1] != blob[:-1] + bytes([blob[-1] ^ 1])  # rewritten


def test_the_cache_does_not_hide_an_altered_record(cached):
    app, _ = cached
    with raw_store(app.store) as db:
        state = db.execute("SELECT state FROM stored_events WHERE originator_version = 3").fetchone()[0]
        db.execute("UPDATE stored_events SET state = ? WHERE originator_version = 3",
                   (state[:40] + bytes([state[40] ^ 1]) + state[41:],))
    with pytest.raises(TamperedRecord, match="record 3"):
        reopen(app).entries()
