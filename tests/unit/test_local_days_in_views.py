"""Every view puts a record on the day of the user's own wall clock, not on its UTC date.

The suite's moments are stored in UTC; 07:30 UTC on 1 May is 20:30 on 30 April in Pago Pago
(UTC-11), so there the record belongs to April, to ISO week 18 and to the day 30 April."""

from datetime import date, datetime

import pytest
import time_machine
from zoneinfo import ZoneInfo

from domain.events import RecordEvent
from domain.journal import MenteeJournal
from journal.views import EntryView
from projections.entries import EntryFilter
from projections.model import JournalModel
from projections.report import report_context
from projections.timeline import timeline

UTC, SAMOA = ZoneInfo("UTC"), ZoneInfo("Pacific/Pago_Pago")
EVENING_OF_30_APRIL = datetime(2026, 5, 1, 7, 30, tzinfo=UTC)


@pytest.fixture
def in_samoa():
    with time_machine.travel(datetime(2026, 5, 13, 20, 0, tzinfo=SAMOA), tick=False):
        yield


def model_of(journal: MenteeJournal) -> JournalModel:
    return JournalModel.build([EntryView.of(e) for e in journal.collect_events() if isinstance(e, RecordEvent)])


def test_the_timeline_groups_by_the_local_month_and_week(in_samoa):
    journal = MenteeJournal.open("Ada")
    journal.check_in("late evening", at=EVENING_OF_30_APRIL)
    model = model_of(journal)
    assert [p.label for p in timeline(model, EntryFilter(), "month")] == ["2026-04"]
    assert [p.label for p in timeline(model, EntryFilter(), "week")] == ["2026-W18"]


def test_entries_are_filtered_by_their_local_day(in_samoa):
    journal = MenteeJournal.open("Ada")
    journal.check_in("late evening", at=EVENING_OF_30_APRIL)
    entries = list(model_of(journal).live.values())
    assert len(EntryFilter(since=date(2026, 4, 30), until=date(2026, 4, 30)).apply(entries)) == 1
    assert EntryFilter(since=date(2026, 5, 1)).apply(entries) == []


def test_the_report_dates_a_milestone_on_the_local_day_it_was_reached(in_samoa):
    journal = MenteeJournal.open("Ada")
    goal = journal.set_goal("Give talks", measure="talks", due=date(2026, 8, 1),
                            at=datetime(2026, 4, 20, 7, 0, tzinfo=UTC))
    journal.reach_milestone(journal.add_milestone(goal, "Outline", at=datetime(2026, 4, 20, 7, 0, tzinfo=UTC)),
                            at=EVENING_OF_30_APRIL)
    context = report_context(model_of(journal), date(2026, 5, 13), "Ada")
    assert "Outline: reached 2026-04-30" in context["charts"]["milestones"]
