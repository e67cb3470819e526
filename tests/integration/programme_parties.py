"""The parties of a programme test: Morgan the manager, Sam the steward who is Spring's helper, and
mentees with a history in each closed month; and the protocol's round (batch, aggregate, release).

The suite's calendar is mid-May 2026: February, March and April are closed and settled."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from fractions import Fraction

import pytest

from domain import clock
from domain.journal import MenteeJournal
from domain.programme_catalogue import LENGTH
from journal import directory, shares
from journal.app import JournalApp
from journal.enrolment import enrol
from journal.identity import unlock_identity
from journal.programmes import (create_programme, find_programme, helper_key, join_programme, manager_key)
from projections import member_months, programme_helper, programme_release
from tests.conftest import FIXED_NOW, PASSPHRASE, raw_store

TODAY = FIXED_NOW.date()
FEB, MAR, APR = "2026-02", "2026-03", "2026-04"
# The tenth of each closed month, at noon: where each mentee's history sits.
MONTHS = [datetime.combine(clock.add_months(TODAY.replace(day=10), -n), time(12)).astimezone() for n in (3, 2, 1)]
JOINED = MONTHS[0] - timedelta(days=9)  # February 1st: the programme's first day


class Seeded:
    def __init__(self, seed):
        self.random = random.Random(seed)

    def randbelow(self, n):
        return self.random.randrange(n)


def person(home, store, name, role):
    enrol(home / f"{name}.json", store, name=name, role=role, passphrase=PASSPHRASE)
    return JournalApp(store, unlock_identity(home / f"{name}.json", PASSPHRASE))


def new_programme(manager, name="Spring", *, helper="Sam", k=5, rho=Fraction(2), start=FEB, months=6, settle_days=7):
    steward = directory.find(manager.recorder.datastore, helper, role="steward") if helper else None
    return create_programme(manager, name, helper=steward, k=k, rho=rho, start=start, months=months,
                            settle_days=settle_days)


@pytest.fixture
def parties(home, store):
    """Morgan, the manager, and Sam, the steward who is Spring's helper."""
    manager, steward = person(home, store, "Morgan", "manager"), person(home, store, "Sam", "steward")
    new_programme(manager)
    yield manager, steward
    manager.close()
    steward.close()


def mentee(home, store, n, *, programme="Spring", at=JOINED, months=(0, 1, 2), dates=MONTHS):
    """Mentee n, joined at `at` (None: not joined), with check-ins and a rated meeting in each of
    `months` (indices into `dates`), every text carrying her marker."""
    app = person(home, store, f"Mentee{n}", "mentee")
    if at is not None:
        join_programme(app, programme, at=at)
    for month in months:
        when = dates[month]
        for day in range(1 + (n + month) % 3):
            app.update(MenteeJournal.check_in, f"MENTEE{n}-SECRET day {day}", mood=1 + (n + day) % 5,
                       confidence=1 + (n * day) % 5, at=when + timedelta(hours=day))
        app.update(MenteeJournal.log_meeting, minutes=45 + 10 * (n % 3), focus=f"FOCUS-{n}", rating=1 + n % 5,
                   at=when + timedelta(days=1))
    return app


@pytest.fixture
def cohort(home, store, parties):
    """Five mentees (k = 5), each having sent February, March and April."""
    apps = [mentee(home, store, n) for n in range(5)]
    for app in apps:
        assert member_months.contribute_closed_periods(app, TODAY) == 3
    yield apps
    for app in apps:
        app.close()


def share_rows(store, period=None):
    with raw_store(store) as db:
        rows = db.execute("SELECT programme, period, pseudonym, leader, helper, receipt FROM mj_shares").fetchall()
    return sorted((tuple(bytes(v) if isinstance(v, (bytes, memoryview)) else v for v in row) for row in rows
                   if period is None or row[1] == period), key=lambda r: (r[1], r[2]))


def opened(parties, row) -> list[int]:
    """A row's vector, as only the two aggregators together can open it."""
    manager, steward = parties
    programme = find_programme(manager, "Spring")
    name, period, pseudonym, leader, helper, _ = row
    return shares.combine(
        shares.open_leader(manager_key(manager, programme), leader, name, period, pseudonym, LENGTH),
        shares.open_helper(helper_key(steward, programme), helper, name, period, pseudonym, LENGTH))


def release(parties, today=TODAY, seed=1):
    """The manager batches, the helper aggregates, the manager releases: (report, helper's outcomes)."""
    manager, steward = parties
    programme_release.release_report(manager, "Spring", today, Seeded(seed))
    outcomes = programme_helper.aggregate(steward, "Spring", today, Seeded(seed))
    return programme_release.release_report(manager, "Spring", today, Seeded(seed)), outcomes
