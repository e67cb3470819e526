"""Unit tests of the journal aggregate: every rule a verb checks, and what it records."""

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from domain import clock
from domain import events as ev
from domain.errors import RuleBroken
from domain.journal import JournalSnapshot, MenteeJournal
from tests.conftest import FIXED_NOW

TODAY = clock.local_day(FIXED_NOW)  # the suite's fixed calendar, not the real today
NEXT_YEAR = TODAY + timedelta(days=365)


@pytest.fixture
def journal() -> MenteeJournal:
    return MenteeJournal.open("Ada")


@pytest.fixture
def goal(journal) -> str:
    return journal.set_goal("Give a talk", measure="talks given", due=NEXT_YEAR, target=1)


def recorded(journal) -> list:
    return [type(e) for e in journal.collect_events()]


def test_opening_a_journal_records_journal_opened(journal):
    assert recorded(journal) == [ev.JournalOpened]
    assert journal.owner_name == "Ada"


def test_a_check_in_records_its_text_mood_and_tags(journal):
    journal.check_in("Fixed the build", mood=4, confidence=3, tags=["work"])
    event = journal.collect_events()[-1]
    assert isinstance(event, ev.CheckInRecorded)
    assert (event.text, event.mood, event.confidence, event.tags) == ("Fixed the build", 4, 3, ("work",))


@pytest.mark.parametrize("mood", [0, 6, -1])
def test_a_mood_outside_one_to_five_is_refused(journal, mood):
    with pytest.raises(RuleBroken, match="mood"):
        journal.check_in("hello", mood=mood)
    assert journal.version == 1


@pytest.mark.parametrize("text", ["", "   \n  "])
def test_empty_text_is_refused(journal, text):
    with pytest.raises(RuleBroken, match="text"):
        journal.check_in(text)


def test_text_over_the_limit_is_refused(journal):
    with pytest.raises(RuleBroken, match="at most 10000"):
        journal.check_in("x" * (ev.TEXT_LIMIT + 1))
    journal.check_in("x" * ev.TEXT_LIMIT)  # exactly at the limit is fine
    assert journal.version == 2


def test_a_tag_with_spaces_is_refused(journal):
    with pytest.raises(RuleBroken, match="tags"):
        journal.check_in("hello", tags=["two words"])


def test_a_record_dated_in_the_future_is_refused(journal):
    with pytest.raises(RuleBroken, match="in the future"):
        journal.check_in("tomorrow's news", at=clock.now() + timedelta(days=1))


def test_a_record_may_be_written_up_later(journal):
    last_week = clock.now() - timedelta(days=7)
    journal.check_in("written up late", at=last_week)
    assert journal.collect_events()[-1].at == last_week


def test_a_naive_time_is_refused(journal):
    with pytest.raises(RuleBroken, match="time zone"):
        journal.check_in("when?", at=datetime(2026, 1, 1, 12, 0))


def test_a_goal_needs_a_measure(journal):
    with pytest.raises(RuleBroken, match="measure"):
        journal.set_goal("Be better", measure="", due=NEXT_YEAR)


def test_a_new_goal_cannot_be_due_in_the_past(journal):
    with pytest.raises(RuleBroken, match="already past"):
        journal.set_goal("Be better", measure="x", due=TODAY - timedelta(days=1))


def test_a_goal_written_up_later_may_be_due_before_today(journal):
    long_ago = clock.now() - timedelta(days=100)
    journal.set_goal("Old goal", measure="x", due=(long_ago + timedelta(days=30)).date(), at=long_ago)
    assert journal.collect_events()[-1].due < TODAY


def test_a_goal_cannot_serve_an_unknown_aspiration(journal):
    with pytest.raises(RuleBroken, match="no aspiration"):
        journal.set_goal("Lead", measure="x", due=NEXT_YEAR, aspiration_id="0" * 32)


def test_a_goal_can_serve_a_stated_aspiration(journal):
    aspiration = journal.state_aspiration("Lead a team", why="I like people")
    goal_id = journal.set_goal("Run standups", measure="count", due=NEXT_YEAR, aspiration_id=aspiration)
    assert journal.goals[goal_id] == "open"
    assert journal.collect_events()[-1].aspiration_id == aspiration


def test_an_aspiration_horizon_before_its_statement_is_refused(journal):
    with pytest.raises(RuleBroken, match="horizon"):
        journal.state_aspiration("Lead", horizon=TODAY - timedelta(days=3))


def test_progress_on_an_unknown_goal_is_refused(journal):
    with pytest.raises(RuleBroken, match="no goal"):
        journal.progress_goal("f" * 32, 1)


def test_progress_on_a_dropped_goal_is_refused(journal, goal):
    journal.drop_goal(goal, reason="changed teams")
    with pytest.raises(RuleBroken, match="dropped"):
        journal.progress_goal(goal, 1)


def test_a_negative_progress_value_is_refused(journal, goal):
    with pytest.raises(RuleBroken, match="value"):
        journal.progress_goal(goal, -1)


def test_achieving_a_goal_closes_it(journal, goal):
    journal.achieve_goal(goal)
    assert journal.goals[goal] == "achieved"
    with pytest.raises(RuleBroken, match="achieved"):
        journal.achieve_goal(goal)


def test_dropping_needs_a_reason(journal, goal):
    with pytest.raises(RuleBroken, match="reason"):
        journal.drop_goal(goal, reason=" ")


def test_a_milestone_on_an_unknown_goal_is_refused(journal):
    with pytest.raises(RuleBroken, match="no goal"):
        journal.add_milestone("a" * 32, "first draft")


def test_a_milestone_on_a_closed_goal_is_refused(journal, goal):
    journal.achieve_goal(goal)
    with pytest.raises(RuleBroken, match="achieved"):
        journal.add_milestone(goal, "late milestone")


def test_a_milestone_is_reached_once(journal, goal):
    milestone = journal.add_milestone(goal, "outline written")
    journal.reach_milestone(milestone, evidence="outline.md")
    assert journal.milestones[milestone] == [goal, "reached"]
    with pytest.raises(RuleBroken, match="already reached"):
        journal.reach_milestone(milestone)


def test_a_milestone_of_a_dropped_goal_cannot_be_reached(journal, goal):
    milestone = journal.add_milestone(goal, "outline written")
    journal.drop_goal(goal, reason="no conference this year")
    with pytest.raises(RuleBroken, match="dropped"):
        journal.reach_milestone(milestone)


def test_a_meeting_records_its_structure_and_opens_its_action_items(journal):
    journal.log_meeting(minutes=60, focus="Career plan", concerns=["tired"], next_focus="Feedback",
                        actions=["Draft CV", "Ask for a stretch task"])
    event = journal.collect_events()[-1]
    assert (event.minutes, event.focus, event.concerns, event.next_focus) == (60, "Career plan", ("tired",), "Feedback")
    assert [a.text for a in event.actions] == ["Draft CV", "Ask for a stretch task"]
    assert set(journal.actions.values()) == {"open"} and len(journal.actions) == 2


@pytest.mark.parametrize("minutes", [0, 601])
def test_meeting_minutes_must_be_plausible(journal, minutes):
    with pytest.raises(RuleBroken, match="minutes"):
        journal.log_meeting(minutes=minutes, focus="x")


def test_an_action_item_is_done_once(journal):
    journal.log_meeting(minutes=30, focus="x", actions=["Draft CV"])
    action = next(iter(journal.actions))
    journal.complete_action(action)
    with pytest.raises(RuleBroken, match="already done"):
        journal.complete_action(action)


def test_self_assessment_ratings_are_one_to_five(journal):
    with pytest.raises(RuleBroken, match="rating 'public speaking' is 7: it must be at most 5"):
        journal.assess_self({"public speaking": 7})
    journal.assess_self({"public speaking": 3, "delegation": 2})
    assert journal.collect_events()[-1].ratings == {"public speaking": 3, "delegation": 2}


def test_a_retracted_entry_cannot_be_retracted_again_or_used(journal):
    aspiration = journal.state_aspiration("Lead a team")
    journal.retract(aspiration)
    with pytest.raises(RuleBroken, match="already retracted"):
        journal.retract(aspiration)
    with pytest.raises(RuleBroken, match="retracted"):
        journal.set_goal("Run standups", measure="count", due=NEXT_YEAR, aspiration_id=aspiration)


def test_state_keeps_ids_and_statuses_but_no_text(journal, goal):
    journal.check_in("a very private thought")
    journal.add_milestone(goal, "secret milestone")
    state = JournalSnapshot.take(journal).state
    assert "private" not in repr(state) and "secret" not in repr(state)


def test_a_snapshot_restores_the_same_journal(journal, goal):
    milestone = journal.add_milestone(goal, "outline")
    journal.reach_milestone(milestone)
    journal.collect_events()
    restored = JournalSnapshot.take(journal).mutate(None)
    assert (restored.id, restored.version, restored.goals, restored.milestones) == \
        (journal.id, journal.version, journal.goals, journal.milestones)


def test_events_are_frozen(journal):
    journal.check_in("hello")
    event = journal.collect_events()[-1]
    with pytest.raises(ValidationError, match="frozen_instance"):
        event.text = "changed"  # type: ignore[misc]
    assert event.text == "hello"


def test_every_event_is_named_in_the_past_tense():
    from journal.mapper import event_types

    TYPES = event_types()
    assert {"CheckInRecorded", "ProgrammeJoined", "CorrespondentAccepted"} <= set(TYPES)
    for name in set(TYPES) - {"JournalSnapshot"}:
        assert name.endswith(("ed", "Set", "Done", "Left")), name  # irregular past participles
