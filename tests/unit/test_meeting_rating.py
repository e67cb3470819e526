"""A meeting carries her own 1–5 rating of how useful it was, and that rating, not her mood, is
the month's satisfaction figure."""

import json
from datetime import datetime, time, timedelta
from uuid import uuid4

import pytest

from domain import clock
from domain import events as ev
from domain.errors import RuleBroken
from domain.journal import MenteeJournal
from journal.mapper import encode_event
from journal.views import EntryView
from projections.member_months import monthly_metrics
from projections.model import JournalModel
from tests.conftest import FIXED_NOW
from tests.unit.test_sealing_roundtrip import MAPPER, sealed_row

TODAY = clock.local_day(FIXED_NOW)
RATED, MOOD_ONLY = (datetime.combine(clock.add_months(TODAY.replace(day=10), -n), time(12)).astimezone()
                    for n in (2, 1))


@pytest.fixture
def journal() -> MenteeJournal:
    return MenteeJournal.open("Ada")


def test_a_meeting_records_how_useful_she_found_it(journal):
    journal.log_meeting(minutes=45, focus="Career plan", rating=4)
    assert journal.collect_events()[-1].rating == 4


def test_a_meeting_without_a_rating_is_unrated(journal):
    journal.log_meeting(minutes=45, focus="Career plan")
    assert journal.collect_events()[-1].rating is None


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_meeting_rating_outside_one_to_five_is_refused(journal, rating):
    with pytest.raises(RuleBroken, match="rating"):
        journal.log_meeting(minutes=45, focus="Career plan", rating=rating)
    assert [type(e) for e in journal.collect_events()] == [ev.JournalOpened]  # nothing recorded


def test_a_meeting_stored_before_ratings_opens_unrated_and_is_written_back_as_version_2():
    stream_id, entry_id = uuid4(), uuid4().hex
    v1 = {"type": "MeetingLogged", "v": 1, "ts": "2025-11-03T08:00:00+00:00",
          "data": {"entry_id": entry_id, "at": "2025-11-02T18:30:00+01:00", "minutes": 60,
                   "concerns": ["tired"], "focus": "career plan", "next_focus": None, "actions": []}}
    event = MAPPER.to_domain_event(sealed_row(v1, stream_id=stream_id, version=3))
    assert isinstance(event, ev.MeetingLogged) and ev.MeetingLogged.class_version == 2
    assert (event.minutes, event.focus, event.concerns, event.rating) == (60, "career plan", ("tired",), None)
    assert json.loads(encode_event(event))["v"] == 2


def _model(journal) -> JournalModel:
    return JournalModel.build([EntryView.of(e) for e in journal.collect_events() if isinstance(e, ev.RecordEvent)])


def test_satisfaction_is_the_mean_meeting_rating_of_the_month_never_the_mood(journal):
    journal.check_in("good week", mood=1, at=RATED)
    journal.log_meeting(minutes=30, focus="plan", rating=3, at=RATED + timedelta(days=1))
    journal.log_meeting(minutes=30, focus="review", rating=5, at=RATED + timedelta(days=2))
    journal.log_meeting(minutes=30, focus="unrated", at=RATED + timedelta(days=3))  # not counted as a rating
    journal.check_in("fine", mood=5, at=MOOD_ONLY)
    journal.log_meeting(minutes=30, focus="no rating given", at=MOOD_ONLY + timedelta(days=1))
    model = _model(journal)
    rated = monthly_metrics(model, clock.local_month(RATED), "x")["metrics"]
    assert rated["satisfaction"] == 4  # (3 + 5) / 2; her mood of 1 plays no part
    assert rated["meetings"] == 3
    mood_only = monthly_metrics(model, clock.local_month(MOOD_ONLY), "x")["metrics"]
    assert mood_only["satisfaction"] is None  # no rated meeting: no figure, however she felt
    assert mood_only["meetings"] == 1
