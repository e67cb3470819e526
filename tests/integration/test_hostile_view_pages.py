"""The view cache never brings back what she forgot: a copy of the cache from before a forget,
put back by whoever can write the store, is bound to a head of this very history (a forget
deletes keys, not records) and its pages are its own; and an honest read that raced the forget
wrote its cache after it. An index older than a tombstone after it is not believed: every record
is opened instead, and the cache rebuilt without the forgotten one."""

import json
from datetime import datetime, timedelta, timezone


from domain.journal import MenteeJournal
from journal import view_reads
from journal.forgetting import forget_entries
from tests.conftest import raw_store
from tests.integration.test_view_pages import reopen, small_pages  # noqa: F401 (pages of 8 records)

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


def index_row(app):
    with raw_store(app.store) as db:
        return db.execute("SELECT * FROM mj_view_cache").fetchall()


def test_a_pre_forget_cache_put_back_brings_no_forgotten_plaintext_into_her_views(unlocked):
    app = unlocked()
    secret = app.update(MenteeJournal.check_in, "MARKER-forgotten", at=START)
    for n in range(20):
        app.update(MenteeJournal.check_in, f"day {n}", at=START + timedelta(days=n + 1))
    assert any("MARKER" in json.dumps(e.fields) for e in app.history())  # the cache is written, and
    assert any("MARKER" in json.dumps(e.fields) for e in reopen(app).history())  # believed before the forget
    with raw_store(app.store) as db:  # the store writer keeps a copy
        index = db.execute("SELECT * FROM mj_view_cache").fetchall()
        pages = db.execute("SELECT * FROM mj_view_pages").fetchall()
    forget_entries(app, [secret])
    assert all("MARKER" not in json.dumps(e.fields) for e in reopen(app).history())  # honest: gone
    with raw_store(app.store) as db:  # the attack: the old rows put back
        db.execute("DELETE FROM mj_view_cache")
        db.execute("DELETE FROM mj_view_pages")
        db.executemany("INSERT INTO mj_view_cache VALUES (?,?,?,?)", index)
        db.executemany("INSERT INTO mj_view_pages VALUES (?,?,?,?,?)", pages)
    reader = reopen(app)
    assert "MARKER" not in json.dumps([e.as_json() for e in reader.entries()])  # the tombstone hides it ...
    history = reader.history()
    assert all("MARKER" not in json.dumps(e.fields) for e in history)  # ... and it is not in her views
    assert index_row(app) != index  # the cache rebuilt without it


def test_a_read_racing_a_forget_does_not_put_the_forgotten_record_back(unlocked):
    app = unlocked()
    for n in range(20):
        app.update(MenteeJournal.check_in, f"day {n}", at=START + timedelta(days=n + 1))
    # no cache yet (a first read, or one after a key rotation or an earlier forget deleted it)
    secret = app.update(MenteeJournal.check_in, "MARKER-forgotten", at=START)  # after the cache: fresh
    for n in range(6):  # enough after it that the next read writes the cache again
        app.update(MenteeJournal.check_in, f"later {n}", at=START + timedelta(days=n + 30))
    reader = reopen(app)  # another process: read_history, step by step
    index, after, heads = view_reads.cached_place(reader)
    assert index is None
    fresh = view_reads.fresh_views(reader, after)
    forget_entries(app, [secret])  # meanwhile, she forgets the record (the cache deleted and rebuilt)
    view_reads.refresh(reader, None, [], fresh, heads[-1], len(after))  # the read's refresh lands after it
    assert all("MARKER" not in json.dumps(e.fields) for e in reopen(app).history())
    reopen(app).verify()  # her own cache, written by her own client
