"""Properties: a model folded one event at a time equals one rebuilt from scratch at every step,
and every goal's verdict follows its definition."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import clock
from domain.errors import RuleBroken
from domain.events import RecordEvent
from domain.journal import MenteeJournal
from journal.views import EntryView
from projections.model import JournalModel
from projections.progress import STALLED_AFTER, TOLERANCE, progress_view
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW  # the suite's fixed calendar: module-level times must not be the real now
TODAY = clock.local_day(NOW)

pick = st.integers(min_value=0, max_value=50)
ago = st.integers(min_value=0, max_value=120)
command = st.one_of(
    st.tuples(st.just("aspiration"), ago),
    st.tuples(st.just("goal"), ago, st.integers(0, 200), st.one_of(st.none(), st.floats(1, 100)), pick),
    st.tuples(st.just("progress"), pick, st.floats(0, 150), ago),
    st.tuples(st.just("achieve"), pick, ago),
    st.tuples(st.just("drop"), pick, ago),
    st.tuples(st.just("milestone"), pick, ago),
    st.tuples(st.just("reach"), pick, ago),
    st.tuples(st.just("checkin"), st.integers(1, 5), st.integers(1, 5), ago),
    st.tuples(st.just("meeting"), st.integers(1, 3), ago),
    st.tuples(st.just("done"), pick, ago),
    st.tuples(st.just("assess"), st.integers(1, 5), ago),
    st.tuples(st.just("retract"), pick, ago),
)


def nth(items, n):
    items = list(items)
    return items[n % len(items)] if items else "0" * 32


def play(commands) -> list[EntryView]:
    """Runs the commands through the real aggregate; those its rules refuse are skipped."""
    journal, written = MenteeJournal.open("Ada"), []
    for name, *args in commands:
        at = NOW - timedelta(days=args[-1])
        # Each verb binds this command's `at` and `args` as defaults, not through the loop's closure.
        verbs = {
            "aspiration": lambda at=at: journal.state_aspiration("aim", at=at),
            "goal": lambda at=at, args=args: journal.set_goal(
                "goal", measure="m", due=(at + timedelta(days=args[1])).date(), target=args[2],
                aspiration_id=nth(journal.aspirations, args[3]) if args[3] % 2 else None, at=at),
            "progress": lambda at=at, args=args: journal.progress_goal(nth(journal.goals, args[0]), args[1], at=at),
            "achieve": lambda at=at, args=args: journal.achieve_goal(nth(journal.goals, args[0]), at=at),
            "drop": lambda at=at, args=args: journal.drop_goal(nth(journal.goals, args[0]), reason="r", at=at),
            "milestone": lambda at=at, args=args: journal.add_milestone(nth(journal.goals, args[0]), "m", at=at),
            "reach": lambda at=at, args=args: journal.reach_milestone(nth(journal.milestones, args[0]), at=at),
            "checkin": lambda at=at, args=args: journal.check_in("c", mood=args[0], confidence=args[1], at=at),
            "meeting": lambda at=at, args=args: journal.log_meeting(minutes=60, focus="f", actions=["a"] * args[0],
                                                                    at=at),
            "done": lambda at=at, args=args: journal.complete_action(nth(journal.actions, args[0]), at=at),
            "assess": lambda at=at, args=args: journal.assess_self({"skill": args[0]}, at=at),
            "retract": lambda at=at, args=args: journal.retract(nth(written, args[0]) if written else "0" * 32,
                                                                at=at),
        }
        try:
            written.append(verbs[name]())
        except RuleBroken:
            pass
    return [EntryView.of(e) for e in journal.collect_events() if isinstance(e, RecordEvent)]


@settings(max_examples=150, deadline=None)
@given(st.lists(command, max_size=40))
def test_folding_one_at_a_time_equals_rebuilding_at_every_step(commands):
    history = play(commands)
    incremental = JournalModel()
    for n, entry in enumerate(history, start=1):
        incremental.apply(entry)
        assert incremental.state() == JournalModel.build(history[:n]).state()


@settings(max_examples=150, deadline=None)
@given(st.lists(command, max_size=40))
def test_every_verdict_follows_its_definition(commands):
    model = JournalModel.build(play(commands))
    view = progress_view(model, TODAY)
    lines = [g for a in view.aspirations for g in a.goals] + view.unlinked
    assert sorted(g.id for g in lines) == sorted(model.goals)
    for line in lines:
        goal = model.goals[line.id]
        started = bool(goal.progress) or line.milestones_reached > 0
        idle = TODAY - line.last_activity >= STALLED_AFTER
        if goal.status in ("achieved", "dropped"):
            assert line.verdict == goal.status
        elif line.done_fraction == 1:
            assert line.verdict == "target reached"
        elif TODAY > goal.due:
            assert line.verdict == "behind"
        elif idle:
            assert line.verdict == "stalled"
        elif not started:
            assert line.verdict == "not started"
        elif line.done_fraction is not None and line.done_fraction < line.time_fraction - TOLERANCE:
            assert line.verdict == "behind"
        else:
            assert line.verdict == "on track"
        if line.done_fraction is not None:
            assert 0 <= line.done_fraction <= 1
        # time stops on the day a goal closed, and closing it is its last activity
        closed_on = clock.local_day(goal.closed_at) if goal.closed_at else None
        assert line.closed_on == closed_on
        assert line.days_left == (goal.due - (closed_on or TODAY)).days
        assert line.last_activity >= max(clock.local_day(goal.set_at), closed_on or clock.local_day(goal.set_at))
