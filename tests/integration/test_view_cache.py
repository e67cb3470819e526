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


def test_a_read_hashes_only_what_the_cache_does_not_cover_and_the_cache_hides_nothing_from_verify(cached, tmp_path):
    """This device checked the chain up to the cache once (its anchor keeps the head there), so a
    read hashes only the records after it: one altered under the cache is not read, and not shown
    altered either, since the cache is what is shown. `mj verify` opens every record and names it,
    and so does any device that has not checked the chain up to there."""
    app, first = cached
    with raw_store(app.store) as db:
        state = db.execute("SELECT state FROM stored_events WHERE originator_version = 3").fetchone()[0]
        db.execute("UPDATE stored_events SET state = ? WHERE originator_version = 3",
                   (state[:40] + bytes([state[40] ^ 1]) + state[41:],))
    again = reopen(app)
    assert [e.as_json() for e in again.entries()] == [e.as_json() for e in first]  # as checked, from the cache
    with pytest.raises(TamperedRecord, match="record 3"):
        again.verify()
    from tests.integration.test_hostile_rollback import second_device

    elsewhere = JournalApp(app.store, unlock_identity(second_device(app, tmp_path), PASSPHRASE))
    with pytest.raises(TamperedRecord, match="record 3"):
        elsewhere.entries()


def test_the_cache_place_in_this_devices_anchor_is_under_its_mac(cached):
    import json

    app, first = cached
    anchor = app.identity.path.parent / "anchors" / f"{app.journal_id.hex}.json"
    document = json.loads(anchor.read_text())
    assert (document["format"], document["cache_size"]) == (2, MANY + 1)
    anchor.write_text(json.dumps(document | {"cache_size": 1}))  # pointing a read at a record of one's choosing
    with pytest.raises(TamperedRecord, match="anchor .* was altered"):
        reopen(app).entries()
    anchor.write_text(json.dumps(document))  # the honest anchor back: read as before
    assert [e.id for e in reopen(app).entries()] == [e.id for e in first]
