"""The date-sensitive stories, run at awkward moments of the calendar and of the day.

Each moment is a real local time in a real zone; time-machine moves the clock there and sets
the local time zone, so "today", "this month" and "this quarter" are the user's own. Every
expectation is written out by hand for its moment, not computed with the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.conftest import PASSPHRASE


@dataclass(frozen=True)
class Moment:
    at: datetime
    today: date
    in_a_month: date
    a_year_ago: date
    closed: tuple[str, str, str]  # the three whole months before the local month
    quarter: str
    # The closed month still inside a programme's settling window of 7 days, and the local day it
    # settles on (the 1st of the month after it, plus 7): it is batched from that day on, not before.
    unsettled: tuple[str, date] | None = None


MOMENTS = {
    "1 March": Moment(datetime(2027, 3, 1, 0, 30, tzinfo=ZoneInfo("UTC")), date(2027, 3, 1), date(2027, 4, 1),
                      date(2026, 3, 1), ("2026-12", "2027-01", "2027-02"), "2027-Q1", ("2027-02", date(2027, 3, 8))),
    "31 August": Moment(datetime(2026, 8, 31, 21, 0, tzinfo=ZoneInfo("Europe/London")), date(2026, 8, 31),
                        date(2026, 9, 30), date(2025, 8, 31), ("2026-05", "2026-06", "2026-07"), "2026-Q3"),
    "last day of a quarter": Moment(datetime(2026, 9, 30, 23, 45, tzinfo=ZoneInfo("Europe/Berlin")),
                                    date(2026, 9, 30), date(2026, 10, 30), date(2025, 9, 30),
                                    ("2026-06", "2026-07", "2026-08"), "2026-Q3"),
    "29 February": Moment(datetime(2028, 2, 29, 12, 0, tzinfo=ZoneInfo("America/New_York")), date(2028, 2, 29),
                          date(2028, 3, 29), date(2027, 2, 28), ("2027-11", "2027-12", "2028-01"), "2028-Q1"),
    "New Year's Eve": Moment(datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), date(2026, 12, 31),
                             date(2027, 1, 31), date(2025, 12, 31), ("2026-09", "2026-10", "2026-11"), "2026-Q4"),
    # UTC is already 1 January 2027 10:30: a UTC date would close December and open a new quarter.
    "New Year's Eve in UTC-11": Moment(datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("Pacific/Pago_Pago")),
                                       date(2026, 12, 31), date(2027, 1, 31), date(2025, 12, 31),
                                       ("2026-09", "2026-10", "2026-11"), "2026-Q4"),
    "an evening in UTC+14": Moment(datetime(2026, 6, 30, 21, 0, tzinfo=ZoneInfo("Pacific/Kiritimati")),
                                   date(2026, 6, 30), date(2026, 7, 30), date(2025, 6, 30),
                                   ("2026-03", "2026-04", "2026-05"), "2026-Q2"),
    # UTC is still 28 February 17:00: a UTC date would keep February open.
    "1 March in UTC+14": Moment(datetime(2027, 3, 1, 7, 0, tzinfo=ZoneInfo("Pacific/Kiritimati")),
                                date(2027, 3, 1), date(2027, 4, 1), date(2026, 3, 1),
                                ("2026-12", "2027-01", "2027-02"), "2027-Q1", ("2027-02", date(2027, 3, 8))),
    # UTC is still 7 March 17:00: a UTC date would keep February unsettled a day longer.
    "the day February settles in UTC+14": Moment(datetime(2027, 3, 8, 7, 0, tzinfo=ZoneInfo("Pacific/Kiritimati")),
                                                 date(2027, 3, 8), date(2027, 4, 8), date(2026, 3, 8),
                                                 ("2026-12", "2027-01", "2027-02"), "2027-Q1"),
    # The night before New York's clocks go forward (2:00 on 8 March 2026 is 3:00), and the day
    # February settles: UTC is already 8 March 04:30, so a UTC date would settle it a day early.
    "the eve of summer time in New York": Moment(datetime(2026, 3, 7, 23, 30, tzinfo=ZoneInfo("America/New_York")),
                                                 date(2026, 3, 7), date(2026, 4, 7), date(2025, 3, 7),
                                                 ("2025-12", "2026-01", "2026-02"), "2026-Q1",
                                                 ("2026-02", date(2026, 3, 8))),
    # Half an hour after the hour that never was: a 23-hour day, on which February settles.
    "summer time begins in New York": Moment(datetime(2026, 3, 8, 3, 30, tzinfo=ZoneInfo("America/New_York")),
                                             date(2026, 3, 8), date(2026, 4, 8), date(2025, 3, 8),
                                             ("2025-12", "2026-01", "2026-02"), "2026-Q1"),
}


@pytest.fixture(params=sorted(MOMENTS), ids=lambda name: name.replace(" ", "-"))
def moment(request) -> Moment:
    chosen = MOMENTS[request.param]
    with time_machine.travel(chosen.at, tick=False):
        yield chosen


def test_the_moment_is_what_the_table_says(moment):
    from domain import clock

    assert clock.today() == moment.today == moment.at.date()


def test_at_and_due_words_count_on_the_local_calendar(moment):
    from cli.when import DAY, WHEN

    assert DAY.convert("today", None, None) == moment.today
    assert DAY.convert("tomorrow", None, None) == moment.today + timedelta(days=1)
    assert DAY.convert("in 1 month", None, None) == moment.in_a_month
    assert DAY.convert("1 year ago", None, None) == moment.a_year_ago
    assert DAY.convert("in 2 weeks", None, None) == moment.today + timedelta(days=14)
    yesterday = WHEN.convert("yesterday", None, None)
    assert yesterday.date() == moment.today - timedelta(days=1) and yesterday.tzinfo is not None
    assert WHEN.convert("today", None, None).date() == moment.today
    assert WHEN.convert("now", None, None).date() == moment.today


def test_a_record_written_now_is_on_todays_local_day_and_month_in_every_view(moment, run, mentee):
    assert run("checkin", "MOMENT-MARKER", "--mood", "3").exit_code == 0
    entry = json.loads(run("entries", "--json").stdout)[-1]
    assert datetime.fromisoformat(entry["at"]).astimezone().date() == moment.today
    today = str(moment.today)
    assert json.loads(run("entries", "--from", today, "--to", today, "--json").stdout)[-1]["id"] == entry["id"]
    months = json.loads(run("timeline", "--by", "month", "--json").stdout)
    assert [p["period"] for p in months] == [f"{moment.today:%Y-%m}"]


def test_a_goal_due_in_a_month_is_not_started_and_one_left_for_three_weeks_stalls(moment, run, mentee):
    assert run("goal", "add", "Fresh goal", "--measure", "steps", "--due", "in 1 month").exit_code == 0
    old = run("goal", "add", "Old goal", "--measure", "steps", "--due", "in 1 month",
              "--at", str(moment.today - timedelta(days=21)))
    assert old.exit_code == 0, old.output
    view = json.loads(run("progress", "--json").stdout)
    goals = {g["text"]: g for g in view["unlinked"]}
    assert goals["Fresh goal"]["due"] == str(moment.in_a_month)
    assert goals["Fresh goal"]["verdict"] == "not started"
    assert goals["Fresh goal"]["days_left"] == (moment.in_a_month - moment.today).days
    assert goals["Old goal"]["verdict"] == "stalled"


def test_the_demo_runs(moment, run, tmp_path):
    result = run("demo", "--home", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "verify: 31 records" in result.output and "Error" not in result.output
    for period in moment.closed:  # the last three closed months: released, or waiting to settle
        assert period in result.output


def test_programme_months_settle_and_are_paid_for_by_their_own_local_quarters(moment, run, home, store):
    """Five members send the three closed months; the manager batches those that have settled,
    the steward adds the noise and charges each month's own quarter, and the manager releases
    them. The manager's and the steward's commands run through the command line, on its clock."""
    from domain import clock
    from domain.journal import MenteeJournal
    from journal import directory
    from journal.app import JournalApp
    from journal.enrolment import enrol
    from journal.identity import unlock_identity
    from journal.programmes import create_programme, join_programme
    from projections import member_months
    from tests.conftest import raw_store

    def person(name, role):
        enrol(home / f"{name}.json", store, name=name, role=role, passphrase=PASSPHRASE)
        return JournalApp(store, unlock_identity(home / f"{name}.json", PASSPHRASE))

    def local(day: date, hour: int = 12) -> datetime:
        return datetime.combine(day, time(hour)).astimezone()

    def ok(*args):
        result = run(*args)
        assert result.exit_code == 0, result.output
        return result

    manager, steward = person("Morgan", "manager"), person("Sam", "steward")
    create_programme(manager, "Spring", helper=directory.find(manager.recorder.datastore, "Sam", role="steward"),
                     k=5, rho=Fraction(2), start=moment.closed[0], months=6, settle_days=7)
    firsts = [date(int(p[:4]), int(p[5:]), 1) for p in moment.closed]
    mentees = []
    for n in range(5):
        app = person(f"Mentee{n}", "mentee")
        join_programme(app, "Spring", at=local(firsts[0]))
        for first in firsts:
            app.update(MenteeJournal.check_in, "a day", mood=3, at=local(first + timedelta(days=n)))
        app.update(MenteeJournal.check_in, "today, still open", mood=4)  # this month is not closed yet
        assert member_months.contribute_closed_periods(app, clock.today()) == 3
        mentees.append(app)
    morgan, sam = ["--identity", str(home / "Morgan.json")], ["--identity", str(home / "Sam.json")]
    ok(*morgan, "program", "report", "Spring")  # batches the months that have settled
    aggregated = json.loads(ok(*sam, "program", "aggregate", "Spring", "--json").stdout)
    report = json.loads(ok(*morgan, "program", "report", "Spring", "--json").stdout)

    settled = tuple(p for p in moment.closed if moment.unsettled is None or p != moment.unsettled[0])
    assert [(o["period"], o["state"]) for o in aggregated] == [(p, "aggregated") for p in settled]
    assert tuple(row["period"] for row in report["periods"]) == settled
    assert report["waiting"] == ([] if moment.unsettled is None else
                                 [{"period": moment.unsettled[0], "reason": f"settles on {moment.unsettled[1]}"}])

    def quarter_by_hand(period: str) -> str:
        return f"{period[:4]}-Q{(int(period[5:]) + 2) // 3}"

    with raw_store(store) as db:  # what the steward signed and charged, each month to its own quarter
        charged = {period: json.loads(envelope) for period, envelope in
                   db.execute("SELECT period, envelope FROM mj_aggregates").fetchall()}
    assert sorted(charged) == list(settled)
    for period, envelope in charged.items():
        # ρ = 2 a quarter in nineteen shares: five figures a month, four ratings in a quarter's last
        figures = 9 if period[5:] in ("03", "06", "09", "12") else 5
        assert (envelope["quarter"], Fraction(envelope["cost"])) == (quarter_by_hand(period), Fraction(2 * figures, 19))
    for app in (manager, steward, *mentees):
        app.close()


def test_joining_a_programme_now_counts_from_this_local_month(moment, home, store):
    from journal.app import JournalApp
    from journal.enrolment import enrol
    from journal.identity import unlock_identity

    enrol(home / "ada.json", store, name="Ada", role="mentee", passphrase=PASSPHRASE)
    app = JournalApp(store, unlock_identity(home / "ada.json", PASSPHRASE))
    app.update(lambda j: j.join_programme("Spring"))  # now, as `mj program join` does
    assert app.programmes() == {"Spring": (f"{moment.today:%Y-%m}", None)}
    app.close()


def test_a_day_before_year_one_in_the_local_zone_is_a_usage_error(moment, run, mentee):
    result = run("checkin", "long ago", "--at", "0001-01-01")
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1].startswith("Error:")
    assert run("checkin", "today", "--at", "today").exit_code == 0  # the honest path
