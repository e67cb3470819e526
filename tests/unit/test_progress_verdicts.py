"""Progress verdicts and lateness: a closed goal is judged on the day it closed, a goal at its
target says so, past due beats stalled, and closing a goal is activity on it."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from rich.console import Console

from cli.views import render_progress
from domain import clock
from domain.events import RecordEvent
from domain.journal import MenteeJournal
from journal.views import EntryView
from projections.model import JournalModel
from projections.progress import progress_view


def days_ago(n: int) -> datetime:
    return clock.now() - timedelta(days=n)


def view_of(journal: MenteeJournal):
    model = JournalModel.build([EntryView.of(e) for e in journal.collect_events() if isinstance(e, RecordEvent)])
    return progress_view(model, clock.today())


def only_line(journal: MenteeJournal):
    [line] = view_of(journal).unlinked
    return line


def rendered(view) -> str:
    out = io.StringIO()
    render_progress(view, Console(file=out, width=120, color_system=None))
    return out.getvalue()


def goal_due(journal, *, set_days_ago: int, due_days_ago: int, target=10.0) -> str:
    return journal.set_goal("Give talks", measure="talks", target=target, at=days_ago(set_days_ago),
                            due=clock.local_day(days_ago(due_days_ago)))


def test_a_goal_achieved_before_its_due_date_is_early_not_late():
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=60, due_days_ago=32)
    journal.progress_goal(goal, 10, at=days_ago(41))
    journal.achieve_goal(goal, at=days_ago(40))
    view = view_of(journal)
    [line] = view.unlinked
    assert (line.verdict, line.days_left, line.closed_on) == ("achieved", 8, clock.local_day(days_ago(40)))
    assert line.days_elapsed == 20 and line.time_fraction == 20 / 28
    assert "8d early" in rendered(view) and "late" not in rendered(view)


def test_a_goal_achieved_after_its_due_date_is_late_by_the_days_to_its_achievement():
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=60, due_days_ago=20)
    journal.achieve_goal(goal, at=days_ago(10))
    view = view_of(journal)
    assert view.unlinked[0].days_left == -10 and "10d late" in rendered(view)


def test_an_open_goal_past_its_due_date_is_late_by_the_days_to_today():
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=60, due_days_ago=5)
    journal.progress_goal(goal, 2, at=days_ago(1))
    view = view_of(journal)
    assert view.unlinked[0].days_left == -5 and "5d late" in rendered(view)


def test_a_goal_at_its_target_says_target_reached_and_suggests_achieving_it(capsys):
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=10, due_days_ago=-20)
    journal.progress_goal(goal, 10, at=days_ago(1))
    view = view_of(journal)
    assert view.unlinked[0].verdict == "target reached"
    assert "target reached" in rendered(view)
    assert f"mj goal achieve {goal[:8]}" in capsys.readouterr().err


def test_a_goal_short_of_its_target_is_still_on_track():
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=10, due_days_ago=-20)
    journal.progress_goal(goal, 9, at=days_ago(1))
    assert only_line(journal).verdict == "on track"


def test_a_goal_with_every_milestone_reached_and_no_target_has_reached_its_target():
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=10, due_days_ago=-20, target=None)
    journal.reach_milestone(journal.add_milestone(goal, "Outline", at=days_ago(9)), at=days_ago(2))
    assert only_line(journal).verdict == "target reached"


def test_a_past_due_goal_without_recent_activity_is_behind_not_stalled():
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=60, due_days_ago=10)
    journal.progress_goal(goal, 2, at=days_ago(30))
    assert only_line(journal).verdict == "behind"


def test_a_goal_still_before_its_due_date_without_recent_activity_is_stalled():
    journal = MenteeJournal.open("Ada")
    goal = goal_due(journal, set_days_ago=60, due_days_ago=-10)
    journal.progress_goal(goal, 8, at=days_ago(30))
    assert only_line(journal).verdict == "stalled"


def test_achieving_or_dropping_a_goal_is_its_last_activity():
    journal = MenteeJournal.open("Ada")
    achieved = goal_due(journal, set_days_ago=60, due_days_ago=-10)
    journal.progress_goal(achieved, 10, at=days_ago(30))
    journal.achieve_goal(achieved, at=days_ago(2))
    dropped = goal_due(journal, set_days_ago=60, due_days_ago=-10)
    journal.drop_goal(dropped, reason="changed teams", at=days_ago(3))
    lines = {line.id: line for line in view_of(journal).unlinked}
    assert lines[achieved].last_activity == clock.local_day(days_ago(2))
    assert lines[dropped].last_activity == clock.local_day(days_ago(3))


def test_days_are_counted_on_the_wall_clock_west_of_utc():
    # Records made without --at carry UTC moments. 07:00 UTC is 20:00 the day before in Pago Pago
    # (UTC-11): the progress was made on the 22nd of April there, 21 days before the evening of
    # 13 May, so the goal has stalled (by UTC dates it would be the 23rd, 20 days).
    utc, samoa = ZoneInfo("UTC"), ZoneInfo("Pacific/Pago_Pago")
    with time_machine.travel(datetime(2026, 5, 13, 20, 0, tzinfo=samoa), tick=False):
        journal = MenteeJournal.open("Ada")
        goal = journal.set_goal("Give talks", measure="talks", target=10, due=date(2026, 8, 1),
                                at=datetime(2026, 4, 2, 7, 0, tzinfo=utc))
        journal.progress_goal(goal, 3, at=datetime(2026, 4, 23, 7, 0, tzinfo=utc))
        milestone = journal.add_milestone(goal, "Outline", at=datetime(2026, 4, 2, 8, 0, tzinfo=utc))
        journal.reach_milestone(milestone, at=datetime(2026, 4, 23, 7, 30, tzinfo=utc))
        view = view_of(journal)
        [line] = view.unlinked
        assert (line.set_on, line.last_activity, line.verdict) == (date(2026, 4, 1), date(2026, 4, 22), "stalled")
        assert view.small_wins[0]["reached"] == date(2026, 4, 22)
