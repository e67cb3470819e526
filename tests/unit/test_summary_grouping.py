"""`mj summary`: each concern under its own meeting, each milestone under its own goal, every
string typed by a person shown as typed, and days counted on the wall clock."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from rich.console import Console

from cli.views import render_summary
from domain import clock
from domain.events import RecordEvent
from domain.journal import MenteeJournal
from journal.views import EntryView
from projections.model import JournalModel
from projections.summary import summary


def days_ago(n: int) -> datetime:
    return clock.now() - timedelta(days=n)


def summary_of(journal: MenteeJournal, goal_id=None, *, start=None, end=None):
    model = JournalModel.build([EntryView.of(e) for e in journal.collect_events() if isinstance(e, RecordEvent)])
    end = end or clock.today()
    return summary(model, start or end - timedelta(days=30), end, goal_id)


def rendered(view) -> list[str]:
    out = io.StringIO()
    render_summary(view, Console(file=out, width=200, color_system=None))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def goal_with_a_win(journal, text: str, win: str, *, measure="talks") -> str:
    goal = journal.set_goal(text, measure=measure, target=10, due=clock.today() + timedelta(days=30), at=days_ago(20))
    journal.progress_goal(goal, 3, at=days_ago(5))
    journal.reach_milestone(journal.add_milestone(goal, win, at=days_ago(19)), at=days_ago(4))
    return goal


def test_each_concern_sits_under_its_own_meeting():
    journal = MenteeJournal.open("Ada")
    journal.log_meeting(minutes=30, focus="Career plan", concerns=["tired", "deadline"], at=days_ago(10))
    journal.log_meeting(minutes=45, focus="Delegation", concerns=["nerves"], at=days_ago(3))
    view = summary_of(journal)
    assert [m["concerns"] for m in view.meetings] == [["tired", "deadline"], ["nerves"]]
    assert view.concerns == ["tired", "deadline", "nerves"]
    lines = rendered(view)
    first, second = (lines.index(next(x for x in lines if focus in x)) for focus in ("Career plan", "Delegation"))
    assert lines[first + 1:second] == ["  concern: tired", "  concern: deadline"]
    assert lines[second + 1] == "  concern: nerves"


def test_each_milestone_sits_under_its_own_goal():
    journal = MenteeJournal.open("Ada")
    goal_with_a_win(journal, "Give talks", "First talk")
    goal_with_a_win(journal, "Run standups", "First standup")
    lines = rendered(summary_of(journal))
    talks, standups = (lines.index(next(x for x in lines if x.startswith(f"Goal: {g}"))) for g in
                       ("Give talks", "Run standups"))
    assert "First talk" in lines[talks + 1] and "First standup" in lines[standups + 1]
    assert standups == talks + 2


def test_a_goal_whose_only_news_is_a_milestone_is_listed_with_it():
    journal = MenteeJournal.open("Ada")
    goal = journal.set_goal("Give talks", measure="talks", due=clock.today() + timedelta(days=30), at=days_ago(40))
    journal.progress_goal(goal, 1, at=days_ago(35))
    journal.reach_milestone(journal.add_milestone(goal, "Outline", at=days_ago(39)), at=days_ago(2))
    view = summary_of(journal)
    assert [(g["text"], g["from"], g["to"]) for g in view.goals_progressed] == [("Give talks", 1, 1)]
    assert [(m["text"], m["goal_id"]) for m in view.milestones_reached] == [("Outline", goal)]
    lines = rendered(view)
    assert lines[-2].startswith("Goal: Give talks") and "Outline" in lines[-1]


def test_what_people_typed_is_shown_as_typed_not_read_as_markup():
    journal = MenteeJournal.open("Ada")
    goal_with_a_win(journal, "Speak [bold]up[/bold]", "Draft [/x] done", measure="talks [/x]")
    journal.log_meeting(minutes=30, focus="[red]plan", concerns=["[/]"], next_focus="[i]next",
                        actions=["[link=x]CV"], at=days_ago(3))
    text = "\n".join(rendered(summary_of(journal)))
    for typed in ("Speak [bold]up[/bold]", "talks [/x]", "Draft [/x] done", "[red]plan", "concern: [/]",
                  "[i]next", "[link=x]CV"):
        assert typed in text, typed


def test_plain_text_is_shown_unchanged():
    journal = MenteeJournal.open("Ada")
    goal_with_a_win(journal, "Give talks", "First talk")
    assert "Goal: Give talks: – → 3 talks (open)" in rendered(summary_of(journal))


def test_days_are_wall_clock_days_west_of_utc():
    # 07:30 UTC on 13 May is 20:30 on 12 May in Pago Pago (UTC-11): a summary ending on the 12th
    # holds the milestone reached then, and dates it (and the action agreed then) the 12th.
    utc, samoa = ZoneInfo("UTC"), ZoneInfo("Pacific/Pago_Pago")
    with time_machine.travel(datetime(2026, 5, 13, 20, 0, tzinfo=samoa), tick=False):
        journal = MenteeJournal.open("Ada")
        goal = journal.set_goal("Give talks", measure="talks", due=date(2026, 8, 1),
                                at=datetime(2026, 5, 1, 7, 0, tzinfo=utc))
        journal.reach_milestone(journal.add_milestone(goal, "Outline", at=datetime(2026, 5, 1, 7, 0, tzinfo=utc)),
                                at=datetime(2026, 5, 13, 7, 30, tzinfo=utc))
        journal.log_meeting(minutes=30, focus="plan", actions=["draft CV"], at=datetime(2026, 5, 13, 7, 0, tzinfo=utc))
        view = summary_of(journal, start=date(2026, 5, 1), end=date(2026, 5, 12))
        assert [m["reached"] for m in view.milestones_reached] == [date(2026, 5, 12)]
        assert [a["agreed"] for a in view.open_actions] == [date(2026, 5, 12)]
