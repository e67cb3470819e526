"""`mj forget` writes tombstones and rebuilds the view cache at once: where they fill a page of
the cache by themselves (at a page boundary, or a page's worth forgotten at once), that page
holds no entry, and `mj entries -n N`, `--from` and `--to` read past it."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from domain.journal import MenteeJournal
from journal import bound_state, view_cache
from tests.conftest import ok, own_app

START = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(view_cache, "PAGE", 8)


def size(app):
    return len(bound_state.checked_chain(app)[0])


@pytest.mark.parametrize("args", [("-n", "3"), ("--from", "2026-01-10"), ("--to", "2026-01-10")])
def test_forget_on_a_page_boundary_then_entries(run, mentee, home, args):
    app = own_app(home)
    ids = []
    while size(app) % view_cache.PAGE or size(app) < 3 * view_cache.PAGE:
        ids.append(app.update(MenteeJournal.check_in, f"day {len(ids)}", at=START + timedelta(days=len(ids))))
    app.close()
    ok(run("forget", ids[2][:8], "--yes"))  # its tombstone is the only record of a new page
    shown = ok(run("entries", *args))  # run() does not catch exceptions: a traceback would raise here
    assert not re.search(r"\bday 2\b", shown) and (re.search(r"\bday 1\b", shown) or args[0] != "--to")


def test_forgetting_more_than_a_page_of_entries_at_once(run, mentee, home):
    app = own_app(home)
    ids = [app.update(MenteeJournal.check_in, f"day {n}", at=START + timedelta(days=n)) for n in range(30)]
    app.close()
    ok(run("forget", *[i[:8] for i in ids[:12]], "--yes"))  # 12 tombstones: at least one whole page of them
    for n in range(3):
        ok(run("checkin", f"later {n}"))
    assert ok(run("entries", "-n", "3")).count("later") == 3
