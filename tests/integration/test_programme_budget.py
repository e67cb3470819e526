"""The helper's privacy ledger: each month is paid for by its own quarter's budget ρ, whatever day
it is released; a month whose quarter cannot pay waits (no noise drawn, nothing signed), and the
months of other quarters are still released. The ledger is what the helper signed, on its device
and in the store: deleting either does not give the budget back.

The catalogue prices a quarter's months at exactly ρ (three months of five figures and one
release of the four ratings: nineteen equal shares), so an honest programme never runs out;
the ledger is what stops a price that would overrun it (a different catalogue, a second draw)."""

from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import time_machine

from journal import aggregation
from projections import member_months, programme_helper
from tests.conftest import raw_store
from tests.integration import programme_parties as shared
from tests.integration.programme_parties import APR, FEB, MAR, TODAY, mentee, release

parties, cohort = shared.parties, shared.cohort  # the fixtures: Morgan and Sam with Spring; five who sent

MAY, JUNE = "2026-05", "2026-06"
JULY_15 = date(2026, 7, 15)  # Q3: every month of Q1 and Q2 closed and settled


def charged(steward) -> dict[str, tuple[str, Fraction]]:
    """What the helper signed it charged, per month: (quarter, cost)."""
    signed = aggregation.signed(steward, "aggregate", "Spring", steward.identity.signing_key.public_key())
    return {p: (e["quarter"], Fraction(e["cost"])) for p, e in signed.items() if e.get("status") == "aggregated"}


def per_quarter(charges: dict[str, tuple[str, Fraction]]) -> dict[str, Fraction]:
    quarters: dict[str, Fraction] = {}
    for quarter, cost in charges.values():
        quarters[quarter] = quarters.get(quarter, Fraction(0)) + cost
    return quarters


def test_each_month_is_paid_for_by_its_own_quarter_whatever_day_it_is_released(home, store, parties):
    """Five months released on one day of Q3: Q1 pays for February and March, Q2 for April, May
    and June (exactly ρ), Q3 for none. Paid by the day's quarter, Q3 could not have paid for all."""
    with time_machine.travel(datetime(2026, 7, 15, 12, tzinfo=ZoneInfo("UTC")), tick=True):
        dates = [datetime(2026, m, 10, 12, tzinfo=ZoneInfo("UTC")) for m in range(2, 7)]
        apps = [mentee(home, store, n, months=range(5), dates=dates) for n in range(5)]
        for app in apps:
            assert member_months.contribute_closed_periods(app, JULY_15) == 5
        report, outcomes = release(parties, today=JULY_15)
    assert [(o.period, o.state) for o in outcomes] == [(p, "aggregated") for p in (FEB, MAR, APR, MAY, JUNE)]
    assert [r["period"] for r in report.periods] == [FEB, MAR, APR, MAY, JUNE] and report.waiting == []
    charges = charged(parties[1])
    assert {p: q for p, (q, _) in charges.items()} == {FEB: "2026-Q1", MAR: "2026-Q1", APR: "2026-Q2",
                                                        MAY: "2026-Q2", JUNE: "2026-Q2"}
    rho = Fraction(2)
    assert per_quarter(charges) == {"2026-Q1": rho * 14 / 19, "2026-Q2": rho}  # Q2 spent to the last share
    assert "confidence" in report.periods[1]["figures"] and "confidence" in report.periods[4]["figures"]
    for app in apps:
        app.close()


@pytest.fixture
def dear_months(monkeypatch):
    """A catalogue in which a month costs two thirds of its quarter's ρ: a quarter pays for one."""
    monkeypatch.setattr(programme_helper, "cost", lambda period, last_period, rho: rho * 2 / 3)


def test_a_month_whose_quarter_cannot_pay_waits_and_the_next_quarters_month_is_released(store, parties, cohort,
                                                                                       dear_months):
    """Released on May 13th, a day of Q2: paid by the day's quarter, April would wait too."""
    manager, steward = parties
    report, outcomes = release(parties)
    assert [(o.period, o.state, o.reason) for o in outcomes] == [
        (FEB, "aggregated", ""), (MAR, "waiting", "the privacy budget for 2026-Q1 is spent"), (APR, "aggregated", "")]
    assert [r["period"] for r in report.periods] == [FEB, APR]
    assert [(w["period"], "waiting for the helper" in w["reason"]) for w in report.waiting] == [(MAR, True)]
    with raw_store(store) as db:  # no noise was drawn for March, nothing signed
        assert db.execute("SELECT count(*) FROM mj_aggregates WHERE period = ?", (MAR,)).fetchone()[0] == 0
    assert per_quarter(charged(steward)) == {"2026-Q1": Fraction(4, 3), "2026-Q2": Fraction(4, 3)}
    later = date(2026, 11, 20)  # a day of Q4 pays for nothing of Q1
    again = programme_helper.aggregate(steward, "Spring", later)
    assert [(o.period, o.state, o.reason) for o in again] == [
        (FEB, "done", ""), (MAR, "waiting", "the privacy budget for 2026-Q1 is spent"), (APR, "done", "")]


@pytest.mark.backends("sqlite", "postgres")  # half the ledger is rows of the store
def test_deleting_the_ledger_from_the_store_or_the_device_gives_no_budget_back(store, parties, cohort, dear_months):
    _, steward = parties
    release(parties)
    with raw_store(store) as db:  # the store forgets what the helper spent
        db.execute("DELETE FROM mj_aggregates")
        db.execute("DELETE FROM mj_releases")
    outcomes = {o.period: (o.state, o.reason) for o in programme_helper.aggregate(steward, "Spring", TODAY)}
    assert outcomes[MAR] == ("waiting", "the privacy budget for 2026-Q1 is spent")  # its device remembers
    assert outcomes[FEB] == outcomes[APR] == ("done", "")  # and published them again, never a new draw
    memory = aggregation.HelperMemory(steward.identity).path
    memory.unlink()  # the device forgets: the store still holds what it signed
    outcomes = {o.period: (o.state, o.reason) for o in programme_helper.aggregate(steward, "Spring", TODAY)}
    assert outcomes[MAR] == ("waiting", "the privacy budget for 2026-Q1 is spent")
    assert per_quarter(charged(steward)) == {"2026-Q1": Fraction(4, 3), "2026-Q2": Fraction(4, 3)}


def test_a_month_released_once_is_never_charged_again(store, parties, cohort):
    """The honest price: every month of the cohort's released, then released again with nothing
    new to pay; the quarters carry exactly what the first release charged."""
    _, steward = parties
    report, _ = release(parties)
    first = charged(steward)
    assert per_quarter(first) == {"2026-Q1": Fraction(2) * 14 / 19, "2026-Q2": Fraction(2) * 5 / 19}
    again, outcomes = release(parties, seed=9)
    assert again.periods == report.periods and {o.state for o in outcomes} == {"done"}
    assert charged(steward) == first
