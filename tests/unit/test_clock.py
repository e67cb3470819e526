"""The one clock: calendar months, local days, and the MJ_NOW seam for child processes."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from domain import clock


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),   # the example: not 2026-03-02
    (date(2028, 1, 31), 1, date(2028, 2, 29)),   # a leap year
    (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a year on from 29 February
    (date(2028, 2, 29), -12, date(2027, 2, 28)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the new year
    (date(2027, 1, 15), -1, date(2026, 12, 15)),
    (date(2026, 5, 13), 0, date(2026, 5, 13)),
    (date(2026, 8, 31), 1, date(2026, 9, 30)),
])
def test_months_are_added_on_the_calendar(day, months, expected):
    assert clock.add_months(day, months) == expected


def test_month_lists_and_quarters_cross_the_new_year():
    assert clock.months_from("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01"]
    assert clock.months_from("2026-05", "2026-05") == []
    assert clock.shift_month("2026-12", 1) == "2027-01" and clock.shift_month("2026-01", -1) == "2025-12"
    assert [clock.quarter_of(f"2026-{m:02d}") for m in (1, 3, 4, 6, 7, 9, 10, 12)] == \
        ["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q2", "2026-Q3", "2026-Q3", "2026-Q4", "2026-Q4"]


def test_a_day_is_the_day_on_the_users_wall_clock_not_the_utc_date():
    evening_west = datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("Pacific/Pago_Pago"))  # UTC: 1 January
    with time_machine.travel(evening_west, tick=False):
        assert clock.now().date() == date(2027, 1, 1)  # what a UTC date would say
        assert clock.today() == date(2026, 12, 31)
        assert clock.local_month(clock.now()) == "2026-12"
    morning_east = datetime(2027, 3, 1, 7, 0, tzinfo=ZoneInfo("Pacific/Kiritimati"))  # UTC: 28 February
    with time_machine.travel(morning_east, tick=False):
        assert clock.now().date() == date(2027, 2, 28)
        assert clock.today() == date(2027, 3, 1)
        assert clock.local_month(clock.now()) == "2027-03"


def test_the_clock_can_be_started_at_a_moment_and_runs_on(monkeypatch):
    monkeypatch.setattr(clock, "_offset", timedelta(0))
    start = datetime(2027, 3, 1, 0, 30, tzinfo=timezone.utc)
    clock.run_from(start)
    first = clock.now()
    assert timedelta(0) <= first - start < timedelta(seconds=5)
    assert clock.now() >= first
    with pytest.raises(ValueError, match="time zone"):
        clock.run_from(datetime(2027, 3, 1))
