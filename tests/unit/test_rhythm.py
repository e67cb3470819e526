"""The monthly rhythm of a relationship (projections/rhythm.py): minutes met against the norm per
calendar month, months without a meeting, and the nudge past a month's middle. On the suite's
fixed calendar, and travelled to awkward moments: month ends, a leap February, New Year's Eve."""

from datetime import date, datetime, timezone

import pytest
import time_machine
from zoneinfo import ZoneInfo

from domain import clock
from domain.errors import RuleBroken
from domain.events import RecordEvent
from domain.journal import MenteeJournal
from journal.views import EntryView
from projections.rhythm import nudges, rhythms

GRACE, ADA = "aaaa " * 7 + "aaaa", "bbbb " * 7 + "bbbb"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def entries(journal: MenteeJournal) -> list[EntryView]:
    return [EntryView.of(e) for e in journal.collect_events() if isinstance(e, RecordEvent)]


def test_minutes_are_counted_per_calendar_month_against_the_norm():
    journal = MenteeJournal.open("Sam")
    journal.add_mentor(GRACE, "Grace", start=date(2026, 1, 15), months=6, norm=60, at=at("2026-01-15 10:00"))
    for moment, minutes in (("2026-01-20 10:00", 60), ("2026-02-03 10:00", 30), ("2026-02-24 10:00", 15),
                            ("2026-04-30 23:30", 90), ("2026-05-02 09:00", 20)):
        journal.log_meeting(minutes=minutes, focus="f", at=at(moment))
    [rhythm] = rhythms(entries(journal), date(2026, 5, 13))
    assert [(m.month, m.minutes, m.meetings, m.status) for m in rhythm.months] == [
        ("2026-01", 60, 1, "met"), ("2026-02", 45, 2, "short"), ("2026-03", 0, 0, "no meeting"),
        ("2026-04", 90, 1, "met"), ("2026-05", 20, 1, "so far")]
    assert rhythm.months_met == 2 and rhythm.months_without == ["2026-03"]
    assert rhythm.relationship.months_left == 2  # to July 15th, from May: June and July to come


def test_a_meeting_counts_for_the_mentor_it_names_or_the_only_one_then():
    journal = MenteeJournal.open("Sam")
    journal.add_mentor(GRACE, "Grace", start=date(2026, 3, 1), at=at("2026-03-01 09:00"))
    journal.log_meeting(minutes=60, focus="with Grace, by default", at=at("2026-03-05 10:00"))
    journal.add_mentor(ADA, "Ada", start=date(2026, 3, 10), at=at("2026-03-10 09:00"))
    with pytest.raises(RuleBroken, match="you have 2 mentors: say which one you met with --with"):
        journal.log_meeting(minutes=30, focus="which?", at=at("2026-03-12 10:00"))
    journal.log_meeting(minutes=30, focus="with Ada", mentor=ADA, at=at("2026-03-12 10:00"))
    grace, ada = rhythms(entries(journal), date(2026, 3, 31))
    assert (grace.months[0].minutes, ada.months[0].minutes) == (60, 30)


def test_an_ended_relationship_stops_its_months_and_a_rematch_starts_its_own():
    journal = MenteeJournal.open("Sam")
    journal.add_mentor(GRACE, "Grace", start=date(2026, 1, 1), at=at("2026-01-01 09:00"))
    journal.end_mentor(GRACE, "Grace", reason="not a fit", at=at("2026-02-10 09:00"))
    journal.add_mentor(ADA, "Ada", start=date(2026, 2, 11), at=at("2026-02-11 09:00"))
    journal.log_meeting(minutes=60, focus="f", at=at("2026-02-20 10:00"))
    grace, ada = rhythms(entries(journal), date(2026, 4, 2))
    assert [m.month for m in grace.months] == ["2026-01", "2026-02"] and grace.relationship.ended == date(2026, 2, 10)
    assert [(m.month, m.minutes) for m in ada.months] == [("2026-02", 60), ("2026-03", 0), ("2026-04", 0)]
    assert ada.months[-1].status == "so far" and not grace.months[-1].current


@pytest.mark.parametrize("today, nudged", [
    (date(2026, 12, 15), False),  # the 15th of 31 days: not yet past the middle
    (date(2026, 12, 16), True),
    (date(2026, 12, 31), True),
    (date(2028, 2, 15), True),   # a leap February: 29 days, the 15th is past its middle
    (date(2027, 2, 14), False),  # a common February: 28 days, the 14th is its middle
])
def test_the_nudge_comes_past_the_middle_of_a_month_with_no_meeting(today, nudged):
    with time_machine.travel(at(f"{today} 12:00"), tick=False):
        journal = MenteeJournal.open("Sam")
        journal.add_mentor(GRACE, "Grace", start=date(2026, 11, 1), months=24, norm=60, at=at("2026-11-01 09:00"))
        found = rhythms(entries(journal), today)
        expected = [f"No meeting with Grace in {today:%B} yet: 0 of 60 minutes"] if nudged else []
        assert nudges(found, today) == expected
        journal.log_meeting(minutes=10, focus="f", at=at(f"{today} 08:00"))  # the honest path: a meeting, no nudge
        assert nudges(rhythms(entries(journal), today), today) == []


def test_a_meeting_late_on_new_years_eve_counts_for_the_local_month():
    # In Auckland (UTC+13 in summer) 23:30 UTC on 31 December is 12:30 on 1 January.
    with time_machine.travel(datetime(2027, 1, 20, 9, 0, tzinfo=ZoneInfo("Pacific/Auckland")), tick=False):
        journal = MenteeJournal.open("Sam")
        journal.add_mentor(GRACE, "Grace", start=date(2026, 12, 1), at=at("2026-12-01 09:00"))
        journal.log_meeting(minutes=60, focus="f", at=at("2026-12-31 23:30"))
        [rhythm] = rhythms(entries(journal), clock.today())
        assert [(m.month, m.minutes) for m in rhythm.months] == [("2026-12", 0), ("2027-01", 60)]


def test_a_relationship_starting_on_the_31st_runs_its_calendar_months():
    journal = MenteeJournal.open("Sam")
    journal.add_mentor(GRACE, "Grace", start=date(2026, 1, 31), months=1, at=at("2026-01-31 09:00"))
    [rhythm] = rhythms(entries(journal), date(2026, 5, 1))
    assert rhythm.relationship.end == date(2026, 2, 28) and [m.month for m in rhythm.months] == ["2026-01", "2026-02"]
    assert rhythm.relationship.months_left == 0


def test_the_report_shows_each_relationships_months():
    from projections.model import JournalModel
    from projections.report import render_report

    journal = MenteeJournal.open("Sam")
    journal.add_mentor(GRACE, "Grace <b>Hopper</b>", start=date(2026, 3, 1), at=at("2026-03-01 09:00"))
    journal.log_meeting(minutes=75, focus="f", at=at("2026-03-10 10:00"))
    page = render_report(JournalModel.build(entries(journal)), date(2026, 5, 13), owner="Sam")
    assert "<h2>The relationship</h2>" in page and "Grace &lt;b&gt;Hopper&lt;/b&gt;" in page  # escaped
    for row in ("<td>2026-03</td><td>75 of 60</td><td>1</td><td>met</td>",
                "<td>2026-04</td><td>0 of 60</td><td>0</td><td>no meeting</td>",
                "<td>2026-05</td><td>0 of 60</td><td>0</td><td>so far</td>"):
        assert row in page
    assert "The relationship" not in render_report(JournalModel.build([]), date(2026, 5, 13), owner="Sam")
