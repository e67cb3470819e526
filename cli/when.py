"""Click types for times and dates a person types: ISO forms and words like `yesterday`.

Words count on the calendar of the user's own time zone: "in 1 month" on 31 January is the
last day of February, "1 year ago" on 29 February is 28 February."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import click

from domain import clock

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAYS = {"day": 1, "week": 7}
_MONTHS = {"month": 1, "year": 12}
_AGO = re.compile(r"^(\d{1,4})\s*(days?|weeks?|months?|years?|hours?|minutes?)\s+ago$")
_IN = re.compile(r"^in\s+(\d{1,4})\s*(days?|weeks?|months?|years?)$")
HINT = "use YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, yesterday, a weekday, or 'N days ago'"


def parse_day(text: str, today: date) -> date | None:
    """A calendar day from words or ISO; None when the text is no day at all."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word.removeprefix("last ") in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS.index(word.removeprefix("last "))) % 7 or 7
        return today - timedelta(days=back)
    if match := _IN.match(word):
        return _step(today, int(match[1]), match[2])
    if (match := _AGO.match(word)) and match[2].rstrip("s") in _DAYS | _MONTHS:
        return _step(today, -int(match[1]), match[2])
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None


def _step(today: date, count: int, unit: str) -> date | None:
    unit = unit.rstrip("s")
    try:
        if unit in _MONTHS:
            return clock.add_months(today, count * _MONTHS[unit])
        return today + timedelta(days=count * _DAYS[unit])
    except (OverflowError, ValueError):
        return None  # past year 1 or 9999: not a day anyone means


class When(click.ParamType):
    """A past moment: `--at yesterday`, `--at 2026-03-01`, `--at 2026-03-01T09:30`, `--at '3 hours ago'`."""

    name = "WHEN"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        now = clock.local_now()
        word = value.strip().lower()
        if word == "now":
            return now
        if (match := _AGO.match(word)) and match[2].startswith(("hour", "minute")):
            unit = "hours" if match[2].startswith("hour") else "minutes"
            return now - timedelta(**{unit: int(match[1])})
        day = parse_day(word, now.date())
        if day is not None:
            # A day without a time means that day at the current time of day, or noon if that
            # would be later than now.
            try:
                return datetime.combine(day, now.time() if day == now.date() else time(12, 0)).astimezone()
            except (ValueError, OverflowError):  # year 1 in a zone west of UTC falls before year 1
                self.fail(f"{value!r} is too far in the past: check the date", param, ctx)
        try:
            moment = datetime.fromisoformat(value.strip())
            return moment if moment.tzinfo else moment.astimezone()
        except (ValueError, OverflowError):
            self.fail(f"{value!r} is not a date or time: {HINT}", param, ctx)


class Day(click.ParamType):
    """A calendar day: `2027-03-31`, `today`, `tomorrow`, `in 6 weeks`."""

    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        day = parse_day(value, clock.today())
        if day is None:
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD, today, tomorrow or 'in 6 weeks'", param, ctx)
        return day


WHEN = When()
DAY = Day()
