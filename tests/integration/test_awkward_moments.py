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


MOMENTS = {
    "1 March": Moment(datetime(2027, 3, 1, 0, 30, tzinfo=ZoneInfo("UTC")), date(2027, 3, 1), date(2027, 4, 1),
                      date(2026, 3, 1), ("2026-12", "2027-01", "2027-02"), "2027-Q1"),
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
                                ("2026-12", "2027-01", "2027-02"), "2027-Q1"),
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
    for period in moment.closed:  # the last three closed months: released, or waiting for budget
        assert period in result.output


def test_programme_months_and_quarters_are_local_calendar_months(moment, home, store):
    from domain.journal import MenteeJournal
    from journal.app import JournalApp
    from journal.enrolment import enrol
    from journal.identity import unlock_identity
    from journal.programmes import create_programme, find_programme, remaining
    from projections import member_months, programme_release

    def person(name, role):
        enrol(home / f"{name}.json", store, name=name, role=role, passphrase=PASSPHRASE)
        return JournalApp(store, unlock_identity(home / f"{name}.json", PASSPHRASE))

    def local(day: date, hour: int = 12) -> datetime:
        return datetime.combine(day, time(hour)).astimezone()

    manager = person("Morgan", "manager")
    create_programme(manager, "Spring", k=5, epsilon=Fraction(1), months=6)
    firsts = [date(int(p[:4]), int(p[5:]), 1) for p in moment.closed]
    mentees = []
    for n in range(5):
        app = person(f"Mentee{n}", "mentee")
        app.update(MenteeJournal.join_programme, "Spring", at=local(firsts[0]))
        for first in firsts:
            app.update(MenteeJournal.check_in, "a day", mood=3, at=local(first + timedelta(days=n)))
        app.update(MenteeJournal.check_in, "today, still open", mood=4)  # this month is not closed yet
        assert member_months.contribute_closed_periods(app, moment.today) == 3
        mentees.append(app)
    report = programme_release.release_report(manager, "Spring", moment.today)
    assert tuple(row["period"] for row in report.periods) == moment.closed
    assert report.waiting == []
    def quarter_by_hand(period: str) -> str:
        return f"{period[:4]}-Q{(int(period[5:]) + 2) // 3}"

    programme = find_programme(manager, "Spring")  # each month is paid by its own quarter: a third
    for quarter in {quarter_by_hand(p) for p in moment.closed} | {moment.quarter}:
        months = sum(quarter_by_hand(p) == quarter for p in moment.closed)
        assert remaining(manager, programme, quarter) == 1 - Fraction(months, 3), quarter
    for app in (manager, *mentees):
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
