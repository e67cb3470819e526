"""A record about a goal, milestone or action item cannot be dated on a day before that goal,
milestone or action item existed; the same day, or any day after, is accepted."""

from datetime import datetime, timedelta, timezone

import pytest

from domain import clock
from domain.errors import RuleBroken
from domain.journal import JournalSnapshot, MenteeJournal

SET = datetime(2026, 4, 3, 15, 0, tzinfo=timezone.utc)  # when the goal (or meeting) came to be
BEFORE = datetime(2026, 4, 1, 12, 0, tzinfo=timezone.utc)
SAME_DAY_EARLIER = datetime(2026, 4, 3, 12, 0, tzinfo=timezone.utc)  # `--at 2026-04-03` means noon
AFTER = datetime(2026, 4, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def journal() -> MenteeJournal:
    return MenteeJournal.open("Ada")


@pytest.fixture
def goal(journal) -> str:
    return journal.set_goal("Give a talk", measure="talks", target=3, due=clock.local_day(SET) + timedelta(days=60),
                            at=SET)


@pytest.fixture
def milestone(journal, goal) -> str:
    return journal.add_milestone(goal, "Outline", at=SET)


@pytest.fixture
def action(journal) -> str:
    journal.log_meeting(minutes=30, focus="plan", actions=["draft CV"], at=SET)
    [action_id] = journal.actions
    return action_id


def test_progress_dated_before_its_goal_was_set_is_refused(journal, goal):
    with pytest.raises(RuleBroken) as refusal:
        journal.progress_goal(goal, 1, at=BEFORE)
    assert str(refusal.value) == f"progress dated 2026-04-01 is before goal {goal[:8]} was set (2026-04-03)"
    journal.progress_goal(goal, 1, at=AFTER)


def test_an_achievement_dated_before_its_goal_was_set_is_refused(journal, goal):
    with pytest.raises(RuleBroken, match=f"an achievement dated 2026-04-01 is before goal {goal[:8]} was set"):
        journal.achieve_goal(goal, at=BEFORE)
    assert journal.goals[goal] == "open"
    journal.achieve_goal(goal, at=AFTER)


def test_a_drop_dated_before_its_goal_was_set_is_refused(journal, goal):
    with pytest.raises(RuleBroken, match=f"a drop dated 2026-04-01 is before goal {goal[:8]} was set"):
        journal.drop_goal(goal, reason="changed teams", at=BEFORE)
    journal.drop_goal(goal, reason="changed teams", at=AFTER)


def test_a_milestone_dated_before_its_goal_was_set_is_refused(journal, goal):
    with pytest.raises(RuleBroken, match=f"a milestone dated 2026-04-01 is before goal {goal[:8]} was set"):
        journal.add_milestone(goal, "Outline", at=BEFORE)
    journal.add_milestone(goal, "Outline", at=AFTER)


def test_a_milestone_reached_before_it_was_added_is_refused(journal, milestone):
    with pytest.raises(RuleBroken, match=f"a reached milestone dated 2026-04-01 is before milestone "
                                         f"{milestone[:8]} was added \\(2026-04-03\\)"):
        journal.reach_milestone(milestone, at=BEFORE)
    journal.reach_milestone(milestone, at=AFTER)


def test_an_action_done_before_its_meeting_is_refused(journal, action):
    with pytest.raises(RuleBroken, match=f"an action done dated 2026-04-01 is before action item {action[:8]} "
                                         f"was agreed \\(2026-04-03\\)"):
        journal.complete_action(action, at=BEFORE)
    assert journal.actions[action] == "open"
    journal.complete_action(action, at=AFTER)


def test_records_on_the_very_day_are_accepted_whatever_the_hour(journal, goal, action):
    journal.progress_goal(goal, 1, at=SAME_DAY_EARLIER)
    milestone = journal.add_milestone(goal, "Outline", at=SAME_DAY_EARLIER)
    journal.reach_milestone(milestone, at=SAME_DAY_EARLIER)
    journal.complete_action(action, at=SAME_DAY_EARLIER)
    journal.achieve_goal(goal, at=SAME_DAY_EARLIER)


def test_records_written_now_are_accepted(journal, goal, milestone, action):
    journal.progress_goal(goal, 1)
    journal.reach_milestone(milestone)
    journal.complete_action(action)
    journal.drop_goal(goal, reason="done with it")


def test_a_snapshot_keeps_when_each_goal_milestone_and_action_began(journal, goal, milestone, action):
    journal.collect_events()
    restored = JournalSnapshot.take(journal).mutate(None)
    with pytest.raises(RuleBroken, match="before goal"):
        restored.progress_goal(goal, 1, at=BEFORE)
    with pytest.raises(RuleBroken, match="before milestone"):
        restored.reach_milestone(milestone, at=BEFORE)
    with pytest.raises(RuleBroken, match="before action item"):
        restored.complete_action(action, at=BEFORE)
    restored.progress_goal(goal, 1, at=AFTER)


def test_a_snapshot_taken_before_creation_moments_were_kept_still_loads(journal, goal, action):
    journal.collect_events()
    snapshot = JournalSnapshot.take(journal)
    old_state = {k: v for k, v in snapshot.state.items() if k != "created_at"}
    old = snapshot.model_copy(update={"state": old_state}).mutate(None)
    old.progress_goal(goal, 1, at=BEFORE)  # nothing known about when it was set: nothing to refuse
    later = old.set_goal("Lead a retro", measure="retros", due=clock.local_day(AFTER), at=SET)
    with pytest.raises(RuleBroken, match="before goal"):
        old.progress_goal(later, 1, at=BEFORE)
    old.progress_goal(later, 1, at=AFTER)
