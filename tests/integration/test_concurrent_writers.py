"""Two writers on one journal: a lost race is retried from fresh state; a held lock is a clear error."""

import contextlib
import sqlite3

import pytest

from journal import app as app_module
from journal.app import JournalApp
from journal.errors import ConcurrentWrite, StoreUnavailable
from journal.identity import unlock_identity
from tests.conftest import PASSPHRASE, store_state


def second_writer(app: JournalApp) -> JournalApp:
    return JournalApp(app.store, unlock_identity(app.identity.path, PASSPHRASE))


def test_a_write_that_loses_the_race_is_retried_on_fresh_state(unlocked):
    first = unlocked()
    other = second_writer(first)
    attempts = []

    def check_in(journal):
        attempts.append(journal.version)
        if len(attempts) == 1:  # while we hold version 1, someone else writes version 2
            other.update(lambda j: j.check_in("written by the other process"))
        return journal.check_in("written by us")

    first.update(check_in)
    assert attempts == [1, 2]
    assert [e.fields["text"] for e in first.entries()] == ["written by the other process", "written by us"]
    assert first.verify().records == 3
    other.close()


def test_a_writer_that_always_loses_gives_up_cleanly(unlocked):
    first = unlocked()
    other = second_writer(first)
    before = store_state(first.store)

    def always_overtaken(journal):
        other.update(lambda j: j.check_in("overtaking"))
        return journal.check_in("never lands")

    with pytest.raises(ConcurrentWrite, match="try again"):
        first.update(always_overtaken)
    texts = [e.fields["text"] for e in first.entries()]
    assert "never lands" not in texts and len(texts) == app_module.WRITE_ATTEMPTS
    assert store_state(first.store) != before  # only the other writer's records landed
    other.close()


@contextlib.contextmanager
def write_lock_held_elsewhere(store):
    """Another process holds the lock a journal write needs, until the block ends."""
    if store.is_postgres:
        import psycopg

        from tests.conftest import store_url

        with psycopg.connect(store_url(store)) as holder:
            holder.execute("LOCK TABLE mentoringjournal_events IN EXCLUSIVE MODE")
            yield
            holder.rollback()
        return
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_store_locked_by_another_process_is_a_clear_error(unlocked, monkeypatch, store):
    monkeypatch.setattr(app_module, "LOCK_TIMEOUT_SECONDS", 1)
    first = unlocked()
    first.close()
    app = second_writer(first)
    with write_lock_held_elsewhere(store), pytest.raises(StoreUnavailable, match="busy"):
        app.update(lambda j: j.check_in("blocked"))
    assert [e.fields["text"] for e in app.entries()] == []
    app.close()
