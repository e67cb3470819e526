"""The privacy ledger: each released month is paid for by its own quarter's budget, whatever
day the report runs; a month whose quarter is spent waits, and the others are still released."""

import json
from fractions import Fraction

import pytest

from journal.errors import JournalError
from journal.programmes import find_programme, remaining, spend
from projections import member_months, programme_release
from tests.conftest import raw_store
from tests.integration.test_programmes import TODAY, Seeded, mentee_with_history, manager  # noqa: F401

# The suite's calendar: the report runs in May 2026; February, March and April are closed.
pytestmark = pytest.mark.backends("sqlite", "postgres")  # the ledger is a table of the store


@pytest.fixture
def cohort(home, store, manager):  # noqa: F811
    mentees = [mentee_with_history(home, store, n) for n in range(6)]
    for app in mentees:
        member_months.contribute_closed_periods(app, TODAY)
    yield manager
    for app in mentees:
        app.close()


def charged(store) -> dict[str, str]:
    with raw_store(store) as db:
        rows = db.execute("SELECT period, row FROM mj_programme_releases").fetchall()
    return {period: (row if isinstance(row, dict) else json.loads(row))["quarter"] for period, row in rows}


def test_months_released_in_one_report_are_charged_to_the_quarter_of_each_month(store, cohort):
    report = programme_release.release_report(cohort, "Spring", TODAY, rng=Seeded(4))
    assert charged(store) == {"2026-02": "2026-Q1", "2026-03": "2026-Q1", "2026-04": "2026-Q2"}
    programme = find_programme(cohort, "Spring")
    assert remaining(cohort, programme, "2026-Q1") == Fraction(1, 3)  # January's third is still there
    assert remaining(cohort, programme, "2026-Q2") == Fraction(2, 3)  # May and June will need theirs
    assert (report.epsilon_spent, report.epsilon_left) == ("1", "2/3")  # left: the quarter of today


def test_a_month_whose_quarter_is_spent_waits_and_the_others_are_released(store, cohort):
    spend(cohort, find_programme(cohort, "Spring"), "2026-Q1", Fraction(1))  # someone spent Q1
    report = programme_release.release_report(cohort, "Spring", TODAY, rng=Seeded(5))
    assert [row["period"] for row in report.periods] == ["2026-04"]
    assert [w["period"] for w in report.waiting] == ["2026-02", "2026-03"]
    assert all("2026-Q1" in w["reason"] for w in report.waiting)
    assert charged(store) == {"2026-04": "2026-Q2"}


def test_a_report_that_can_release_nothing_and_has_nothing_says_why(cohort):
    programme = find_programme(cohort, "Spring")
    for quarter in ("2026-Q1", "2026-Q2"):
        spend(cohort, programme, quarter, Fraction(1))
    with pytest.raises(JournalError, match="privacy budget .* 2026-Q1 is spent"):
        programme_release.release_report(cohort, "Spring", TODAY, rng=Seeded(6))
