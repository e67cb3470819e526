"""The one clock: what time it is, and which local day, calendar month and quarter a moment is in.

Every "now" and "today" in mj comes from here, so that a test can set the time (time-machine in
process, `MJ_NOW` for a child process) and so that a day means the same thing in every view:
the day on the user's own wall clock (her local time zone), never the UTC date. Months are
calendar months and are added as such (31 January + 1 month = 28 or 29 February), never as
30- or 31-day steps.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone

_offset = timedelta(0)


def now() -> datetime:
    """This moment, in UTC, time-zone aware."""
    return datetime.now(timezone.utc) + _offset


def wall_now() -> datetime:
    """This moment on the machine's own clock, which `MJ_NOW` does not move: for the expiry of
    secrets (an unlocked session), which a variable in the environment must not extend."""
    return datetime.now(timezone.utc)


def run_from(moment: datetime) -> None:
    """From here on the clock reads `moment` and runs on from it (the `MJ_NOW` seam)."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("the clock needs a moment with its time zone")
    _offset = moment - datetime.now(timezone.utc)


def today() -> date:
    """Today on the user's wall clock."""
    return local_day(now())


def local_now() -> datetime:
    return now().astimezone()


def local_day(moment: datetime) -> date:
    """The day a moment falls on in the user's local time zone."""
    return moment.astimezone().date()


def local_month(moment: datetime) -> str:
    """The calendar month (`2026-03`) a moment falls on in the user's local time zone."""
    return month_of_day(local_day(moment))


def month_of_day(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` calendar months later (or earlier), clamped to the
    month's last day: 31 January + 1 = 28 February (29 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return day.replace(year=year, month=month + 1, day=min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def shift_month(period: str, months: int) -> str:
    """`2026-12` shifted by a number of months: shift_month("2026-12", 1) == "2027-01"."""
    return month_of_day(add_months(date(int(period[:4]), int(period[5:7]), 1), months))


def months_from(first: str, end: str) -> list[str]:
    """Every month from `first` up to (not including) `end`, both `YYYY-MM`."""
    months, period = [], first
    while period < end:
        months.append(period)
        period = shift_month(period, 1)
    return months


def quarter_of(period: str) -> str:
    """The calendar quarter of a month: quarter_of("2026-09") == "2026-Q3"."""
    return f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"
