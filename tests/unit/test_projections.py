"""Projections from a real journal: verdicts, timeline, summary, and retracted entries vanishing."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from domain import clock
from domain.journal import MenteeJournal
from projections.entries import EntryFilter
from projections.model import JournalModel, load_model
from projections.progress import progress_view, trend, verdict
from projections.report import render_report
from projections.summary import summary
from projections.timeline import timeline
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW  # the suite's fixed calendar: module-level times must not be the real now
TODAY = clock.local_day(NOW)


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def app(unlocked):
    return unlocked()


def line(app, goal_id):
    view = progress_view(load_model(app), TODAY)
    return next(g for a in view.aspirations for g in a.goals if g.id == goal_id) if any(
        g.id == goal_id for a in view.aspirations for g in a.goals) else next(
        g for g in view.unlinked if g.id == goal_id)


def goal(app, *, set_days_ago=10, due_in=20, target=10.0, aspiration=None):
    return app.update(lambda j: j.set_goal("Give talks", measure="talks", target=target, aspiration_id=aspiration,
                                           due=(NOW + timedelta(days=due_in)).date(), at=days_ago(set_days_ago)))


def test_a_new_goal_is_not_started(app):
    assert line(app, goal(app)).verdict == "not started"


def test_a_goal_ahead_of_its_time_is_on_track(app):
    g = goal(app, set_days_ago=10, due_in=10)  # half the time used
    app.update(lambda j: j.progress_goal(g, 6, at=days_ago(1)))  # 60% done
    assert line(app, g).verdict == "on track"


def test_a_goal_lagging_its_time_is_behind(app):
    g = goal(app, set_days_ago=15, due_in=5)  # 75% of the time used
    app.update(lambda j: j.progress_goal(g, 2, at=days_ago(1)))  # 20% done
    assert line(app, g).verdict == "behind"


def test_a_goal_without_activity_for_21_days_is_stalled(app):
    g = goal(app, set_days_ago=40, due_in=40)
    app.update(lambda j: j.progress_goal(g, 9, at=days_ago(21)))
    assert line(app, g).verdict == "stalled"


def test_an_achieved_goal_is_achieved_and_milestones_count_when_there_is_no_target(app):
    g = goal(app, target=None)
    m = app.update(lambda j: j.add_milestone(g, "Outline"))
    app.update(lambda j: j.add_milestone(g, "Slides"))
    app.update(lambda j: j.reach_milestone(m))
    assert (line(app, g).done_fraction, line(app, g).milestones_reached, line(app, g).milestones_total) == (0.5, 1, 2)
    app.update(lambda j: j.achieve_goal(g))
    assert line(app, g).verdict == "achieved"


def test_goals_serving_no_aspiration_are_listed_apart(app):
    a = app.update(lambda j: j.state_aspiration("Speak in public"))
    linked, unlinked = goal(app, aspiration=a), goal(app)
    view = progress_view(load_model(app), TODAY)
    assert [g.id for g in view.aspirations[0].goals] == [linked]
    assert [g.id for g in view.unlinked] == [unlinked]


def test_the_verdict_rules_in_their_order():
    due = TODAY + timedelta(days=5)
    assert verdict("achieved", TODAY - timedelta(days=90), TODAY, due, True, 0.1, 0.9) == "achieved"
    assert verdict("open", TODAY - timedelta(days=90), TODAY, TODAY - timedelta(days=9), True, 1.0, 1.0) == \
        "target reached"
    assert verdict("open", TODAY - timedelta(days=90), TODAY, TODAY - timedelta(days=9), False, 0.1, 1.0) == "behind"
    assert verdict("open", TODAY - timedelta(days=21), TODAY, due, True, 0.9, 0.5) == "stalled"
    assert verdict("open", TODAY - timedelta(days=20), TODAY, due, False, None, 0.5) == "not started"
    assert verdict("open", TODAY, TODAY, TODAY - timedelta(days=1), True, 0.9, 1.0) == "behind"
    assert verdict("open", TODAY, TODAY, due, True, 0.39, 0.5) == "behind"
    assert verdict("open", TODAY, TODAY, due, True, 0.41, 0.5) == "on track"


def test_confidence_trend_compares_the_later_half_with_the_earlier():
    assert trend([2, 2, 3, 4]) == "rising" and trend([4, 4, 2, 2]) == "falling"
    assert trend([3, 3, 3, 3]) == "steady" and trend([5]) == "too few points"


def test_the_timeline_groups_records_by_week_and_month(app):
    app.update(lambda j: j.check_in("old", at=datetime(2026, 1, 5, 12, tzinfo=timezone.utc)))
    app.update(lambda j: j.check_in("older", at=datetime(2025, 12, 30, 12, tzinfo=timezone.utc)))
    model = load_model(app)
    assert [p.label for p in timeline(model, EntryFilter(), "week")] == ["2026-W01", "2026-W02"]
    assert [p.label for p in timeline(model, EntryFilter(), "month")] == ["2025-12", "2026-01"]


def test_the_summary_covers_only_its_period(app):
    g = goal(app, set_days_ago=60, due_in=60)
    app.update(lambda j: j.progress_goal(g, 2, at=days_ago(45)))
    app.update(lambda j: j.progress_goal(g, 5, at=days_ago(3)))
    app.update(lambda j: j.check_in("recent", mood=4, at=days_ago(2)))
    app.update(lambda j: j.check_in("long ago", mood=1, at=days_ago(50)))
    app.update(lambda j: j.log_meeting(minutes=60, focus="plan", concerns=["time"], actions=["write"], at=days_ago(5)))
    view = summary(load_model(app), TODAY - timedelta(days=30), TODAY)
    assert view.checkins == 1 and view.mood[0][1] == 4
    assert [(p["from"], p["to"]) for p in view.goals_progressed] == [(2, 5)]
    assert view.concerns == ["time"] and [a["text"] for a in view.open_actions] == ["write"]
    assert summary(load_model(app), TODAY - timedelta(days=30), TODAY, goal_id=g).checkins == 0


def test_retracted_entries_disappear_from_every_view(app):
    a = app.update(lambda j: j.state_aspiration("Speak in public"))
    g = goal(app, aspiration=a)
    kept = app.update(lambda j: j.check_in("KEPT-MARKER", mood=3))
    gone = app.update(lambda j: j.check_in("GONE-MARKER", mood=1))
    milestone = app.update(lambda j: j.add_milestone(g, "MILESTONE-GONE"))
    progress = app.update(lambda j: j.progress_goal(g, 7))
    for entry_id in (gone, milestone, progress):
        app.update(MenteeJournal.retract, entry_id)
    model = load_model(app)
    views = {
        "entries": json.dumps([e.as_json() for e in app.entries()]),
        "timeline": json.dumps([e.as_json() for p in timeline(model, EntryFilter()) for e in p.entries]),
        "progress": json.dumps(progress_view(model, TODAY).as_json()),
        "summary": json.dumps(summary(model, TODAY - timedelta(days=30), TODAY).as_json()),
        "report": render_report(model, TODAY, "Ada"),
    }
    for name, text in views.items():
        assert "GONE-MARKER" not in text and "MILESTONE-GONE" not in text, name
    assert "KEPT-MARKER" in views["entries"] and "KEPT-MARKER" in views["timeline"]
    assert line(app, g).value is None and line(app, g).milestones_total == 0
    assert kept in views["entries"]


def test_a_model_grows_one_entry_at_a_time_like_one_built_at_once(app):
    goal(app)
    app.update(lambda j: j.check_in("one"))
    history = app.history()
    model = JournalModel()
    for entry in history:
        model.apply(entry)
    assert model.state() == JournalModel.build(history).state()
