"""A meeting carries her own 1–5 rating of how useful it was, and that rating, not her mood, is
the quarter's satisfaction figure; every figure of her monthly vector is clamped to its bound."""

import json
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest

from domain import clock
from domain import events as ev
from domain.errors import RuleBroken
from domain.journal import MenteeJournal
from journal.mapper import encode_event
from journal.views import EntryView
from domain.programme_catalogue import BOUNDS, QUARTERLY, VECTOR
from projections import member_months
from projections.member_months import monthly_vector
from projections.model import JournalModel
from tests.conftest import FIXED_NOW
from tests.unit.test_sealing_roundtrip import MAPPER, sealed_row

TODAY = clock.local_day(FIXED_NOW)
FEBRUARY, MARCH, APRIL = (datetime.combine(clock.add_months(TODAY.replace(day=10), -n), time(12)).astimezone()
                           for n in (3, 2, 1))
MONTH_OF_MARCH, MONTH_OF_APRIL = clock.local_month(MARCH), clock.local_month(APRIL)


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


def test_a_meeting_stored_before_ratings_opens_unrated_and_is_written_back_as_the_current_version():
    stream_id, entry_id = uuid4(), uuid4().hex
    v1 = {"type": "MeetingLogged", "v": 1, "ts": "2025-11-03T08:00:00+00:00",
          "data": {"entry_id": entry_id, "at": "2025-11-02T18:30:00+01:00", "minutes": 60,
                   "concerns": ["tired"], "focus": "career plan", "next_focus": None, "actions": []}}
    event = MAPPER.to_domain_event(sealed_row(v1, stream_id=stream_id, version=3))
    assert isinstance(event, ev.MeetingLogged) and ev.MeetingLogged.class_version == 3
    assert (event.minutes, event.focus, event.concerns, event.rating, event.mentor_fingerprint) == (
        60, "career plan", ("tired",), None, None)
    assert json.loads(encode_event(event))["v"] == 3


def test_a_meeting_stored_before_mentors_were_named_opens_with_none():
    stream_id, entry_id = uuid4(), uuid4().hex
    v2 = {"type": "MeetingLogged", "v": 2, "ts": "2026-04-03T08:00:00+00:00",
          "data": {"entry_id": entry_id, "at": "2026-04-02T18:30:00+01:00", "minutes": 45, "concerns": [],
                   "focus": "delegation", "next_focus": None, "actions": [], "rating": 4}}
    event = MAPPER.to_domain_event(sealed_row(v2, stream_id=stream_id, version=3))
    assert (event.minutes, event.rating, event.mentor_fingerprint) == (45, 4, None)


def _model(journal) -> JournalModel:
    return JournalModel.build([EntryView.of(e) for e in journal.collect_events() if isinstance(e, ev.RecordEvent)])


def figures(journal, period: str, *, joined: str = "2026-01", last: str = "2026-06") -> dict[str, int]:
    """Her vector for `period` of a programme from January to `last`, by coordinate name."""
    programme = SimpleNamespace(start="2026-01", last_period=last)
    vector = monthly_vector(_model(journal), period, programme, joined)
    return dict(zip([name for name, _ in VECTOR], vector, strict=True))


def rated_quarter(journal, *, moods: tuple[int, int]) -> None:
    """A rating of 1 in February, 3 and 5 in March, one unrated meeting, and check-ins with `moods`."""
    journal.log_meeting(minutes=30, focus="start", rating=1, at=FEBRUARY)
    journal.check_in("good week", mood=moods[0], at=MARCH)
    journal.log_meeting(minutes=30, focus="plan", rating=3, at=MARCH + timedelta(days=1))
    journal.log_meeting(minutes=30, focus="review", rating=5, at=MARCH + timedelta(days=2))
    journal.log_meeting(minutes=30, focus="unrated", at=MARCH + timedelta(days=3))  # not counted as a rating
    journal.check_in("a hard one", mood=moods[1], at=MARCH + timedelta(days=4))


def test_satisfaction_is_the_mean_meeting_rating_of_the_quarter_never_the_mood(journal):
    rated_quarter(journal, moods=(1, 1))
    march = figures(journal, MONTH_OF_MARCH)  # March closes Q1: the quarter's ratings
    assert (march["satisfaction"], march["rated_satisfaction"]) == (2, 1)  # mean (1 + 3 + 5) / 3 = 3, sent as 3 - 1
    assert march["meetings"] == 2  # capped at its bound: three were held
    other = MenteeJournal.open("Bea")
    rated_quarter(other, moods=(5, 5))  # the same meetings, the opposite moods
    assert figures(other, MONTH_OF_MARCH) == march


def test_a_late_joiner_rates_the_quarter_from_her_join_month_only(journal):
    rated_quarter(journal, moods=(3, 3))
    march = figures(journal, MONTH_OF_MARCH, joined=MONTH_OF_MARCH)
    assert (march["satisfaction"], march["rated_satisfaction"]) == (3, 1)  # mean (3 + 5) / 2 = 4: February's 1 left out


def test_a_quarter_without_a_rated_meeting_sends_no_satisfaction_however_she_felt(journal):
    journal.check_in("fine", mood=5, confidence=4, at=APRIL)
    journal.log_meeting(minutes=30, focus="no rating given", at=APRIL + timedelta(days=1))
    april = figures(journal, MONTH_OF_APRIL, last=MONTH_OF_APRIL)  # the programme's last month closes its quarter
    assert (april["satisfaction"], april["rated_satisfaction"]) == (0, 0)
    assert (april["confidence"], april["rated_confidence"]) == (3, 1)  # her check-in's confidence, as 4 - 1
    assert april["meetings"] == 1


def test_a_month_that_closes_no_quarter_sends_no_rating(journal):
    rated_quarter(journal, moods=(3, 3))
    february = figures(journal, "2026-02")
    assert [february[name] for name, _ in QUARTERLY] == [0, 0, 0, 0]
    assert (february["active"], february["meetings"]) == (1, 1)


def test_every_coordinate_is_clamped_to_its_bound_before_it_leaves(journal):
    due = clock.local_day(MARCH) + timedelta(days=60)
    for n in range(4):
        goal = journal.set_goal(f"goal {n}", measure="done", due=due, at=MARCH)
        for m in range(2):
            milestone = journal.add_milestone(goal, f"step {n}.{m}", at=MARCH + timedelta(hours=1))
            journal.reach_milestone(milestone, at=MARCH + timedelta(hours=2))
        journal.achieve_goal(goal, at=MARCH + timedelta(hours=3))
    for day in range(6):
        journal.log_meeting(minutes=90, focus="long", rating=5, at=MARCH + timedelta(days=day))
        journal.check_in("sure of it", confidence=5, at=MARCH + timedelta(days=day, hours=1))
    march = figures(journal, MONTH_OF_MARCH)
    assert march == {"active": 1, "meetings": 2, "met_norm": 1, "goals_achieved": 2, "milestones": 3,
                     "confidence": 4, "rated_confidence": 1, "satisfaction": 4, "rated_satisfaction": 1}
    assert all(0 <= value <= BOUNDS[name] for name, value in march.items())
    assert [member_months.clamp(name, 10**6) for name, _ in VECTOR] == [bound for _, bound in VECTOR]
    assert [member_months.clamp(name, -3) for name, _ in VECTOR] == [0] * len(VECTOR)


def test_a_month_with_no_entries_is_all_zeros(journal):
    journal.check_in("only in March", mood=2, at=MARCH)
    assert figures(journal, MONTH_OF_APRIL) == {name: 0 for name, _ in VECTOR}
