"""Write commands: one per kind of record. Each parses, calls the application, and renders."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from cli.output import counterparty, recorded, say
from cli.session import pass_session
from cli.when import DAY, WHEN

at_option = click.option("--at", type=WHEN, metavar="WHEN",
                         help="When it happened, for notes written up later: a date, a time, "
                              "'yesterday', 'monday', '3 days ago'. [default: now]")
RATING = click.IntRange(1, 5)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


CLOSED_STDIN = ('no text, and stdin is closed: give the text as an argument (mj checkin "Paired on the parser") '
                'or on stdin (mj checkin < notes.txt)')


def read_text(text: str | None, *, before_editor: Callable[[], object]) -> str:
    """The TEXT argument, else piped stdin, else $EDITOR. `before_editor` unlocks the journal,
    so that a mistyped passphrase never throws away what was written in the editor."""
    if text is not None:
        return text
    if sys.stdin is None or sys.stdin.closed:  # `<&-`: there is no stdin to read or to be a terminal
        raise click.ClickException(CLOSED_STDIN)
    if not stdin_is_terminal():
        try:
            return sys.stdin.read()
        except OSError:
            raise click.ClickException(CLOSED_STDIN) from None
    before_editor()
    from cli.drafts import edit_draft

    written = edit_draft("\n# Write your entry above. Lines starting with '# ' are ignored.\n")
    return "\n".join(line for line in written.splitlines() if not line.startswith("# "))


@click.command()
@click.argument("text", required=False)
@click.option("--mood", type=RATING, help="How you feel, 1 (low) to 5 (great).")
@click.option("--confidence", type=RATING, help="How sure of yourself, 1 to 5.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable): --tag work --tag health.")
@at_option
@pass_session
def checkin(session, text, mood, confidence, tags, at):
    """Record a daily check-in: what happened, how you feel.

    TEXT may be given as an argument, piped on stdin, or written in $EDITOR.
    """
    body = read_text(text, before_editor=lambda: session.app)
    from domain.journal import MenteeJournal  # here, not at the top: `mj` starts without pydantic

    entry_id = session.app.update(MenteeJournal.check_in, body, mood=mood, confidence=confidence, tags=tags, at=at)
    recorded("check-in", entry_id, f"mood {mood}/5" if mood else "")


@click.group()
def aspiration():
    """Aspirations: the longer-term direction your goals serve."""


@aspiration.command("add")
@click.argument("text")
@click.option("--why", help="Why this matters to you.")
@click.option("--horizon", type=DAY, help="When you hope to be there (a date).")
@at_option
@pass_session
def aspiration_add(session, text, why, horizon, at):
    """State an aspiration."""
    from domain.journal import MenteeJournal

    entry_id = session.app.update(MenteeJournal.state_aspiration, text, why=why, horizon=horizon, at=at)
    recorded("aspiration", entry_id)


@click.group()
def goal():
    """SMART goals: set, progress, achieve, drop."""


@goal.command("add")
@click.argument("text")
@click.option("--measure", required=True, help="How progress is measured (e.g. 'talks given').")
@click.option("--due", required=True, type=DAY, help="Due date: 2027-03-31, 'in 8 weeks'.")
@click.option("--target", type=click.FloatRange(min=0, max=1e12), help="The value that means done.")
@click.option("--aspiration", "aspiration_prefix", metavar="ID", help="The aspiration this goal serves.")
@at_option
@pass_session
def goal_add(session, text, measure, due, target, aspiration_prefix, at):
    """Set a SMART goal: specific TEXT, a --measure, an optional --target, a --due date."""
    app = session.app
    aspiration_id = app.resolve(aspiration_prefix, "aspirations") if aspiration_prefix else None
    from domain.journal import MenteeJournal

    entry_id = app.update(MenteeJournal.set_goal, text, measure=measure, due=due, target=target,
                          aspiration_id=aspiration_id, at=at)
    recorded("goal", entry_id, f"due {due}")


@goal.command("progress")
@click.argument("goal_prefix", metavar="ID")
@click.argument("value", type=click.FloatRange(min=0, max=1e12))
@click.option("--note", help="What moved it.")
@at_option
@pass_session
def goal_progress(session, goal_prefix, value, note, at):
    """Record where goal ID now stands (VALUE against its measure)."""
    goal_id = session.app.resolve(goal_prefix, "goals")
    from domain.journal import MenteeJournal

    entry_id = session.app.update(MenteeJournal.progress_goal, goal_id, value, note=note, at=at)
    recorded("progress", entry_id, f"goal {goal_id[:8]} at {value:g}")


@goal.command("achieve")
@click.argument("goal_prefix", metavar="ID")
@click.option("--note", help="How it went.")
@at_option
@pass_session
def goal_achieve(session, goal_prefix, note, at):
    """Mark goal ID achieved."""
    goal_id = session.app.resolve(goal_prefix, "goals")
    from domain.journal import MenteeJournal

    recorded("achievement", session.app.update(MenteeJournal.achieve_goal, goal_id, note=note, at=at))


@goal.command("drop")
@click.argument("goal_prefix", metavar="ID")
@click.option("--reason", required=True, help="Why you are letting it go.")
@at_option
@pass_session
def goal_drop(session, goal_prefix, reason, at):
    """Drop goal ID, with a reason."""
    goal_id = session.app.resolve(goal_prefix, "goals")
    from domain.journal import MenteeJournal

    recorded("drop", session.app.update(MenteeJournal.drop_goal, goal_id, reason=reason, at=at))


@click.group()
def milestone():
    """Milestones and small wins on the way to a goal."""


@milestone.command("add")
@click.argument("goal_prefix", metavar="GOAL_ID")
@click.argument("text")
@click.option("--due", type=DAY, help="When you expect to reach it.")
@at_option
@pass_session
def milestone_add(session, goal_prefix, text, due, at):
    """Add a milestone to goal GOAL_ID."""
    goal_id = session.app.resolve(goal_prefix, "goals")
    from domain.journal import MenteeJournal

    recorded("milestone", session.app.update(MenteeJournal.add_milestone, goal_id, text, due=due, at=at))


@milestone.command("reach")
@click.argument("milestone_prefix", metavar="ID")
@click.option("--evidence", help="What shows it (a link, a result).")
@at_option
@pass_session
def milestone_reach(session, milestone_prefix, evidence, at):
    """Mark milestone ID reached: a small win."""
    milestone_id = session.app.resolve(milestone_prefix, "milestones")
    from domain.journal import MenteeJournal

    recorded("win", session.app.update(MenteeJournal.reach_milestone, milestone_id, evidence=evidence, at=at))


@click.group()
def feedback():
    """Feedback on the mentoring."""


@feedback.command("add")
@click.argument("text")
@click.option("--about", "about_prefix", metavar="ID", help="The entry this feedback is about.")
@at_option
@pass_session
def feedback_add(session, text, about_prefix, at):
    """Add your own feedback on the mentoring."""
    about = session.app.resolve_entry(about_prefix) if about_prefix else None
    from domain.journal import MenteeJournal

    recorded("feedback", session.app.update(MenteeJournal.add_feedback, text, about=about, at=at))


@feedback.command("send")
@click.argument("text")
@click.option("--to", "to", required=True, metavar="MENTEE", help="The mentee: a name or fingerprint prefix.")
@click.option("--about", metavar="ID", help="The released entry this feedback is about: its id, or the grant id "
                                           "your inbox shows.")
@click.option("--confirm", metavar="FINGERPRINT",
              help="The mentee's whole fingerprint, when the name of someone who released to you now has other keys.")
@pass_session
def feedback_send(session, text, to, about, confirm):
    """Mentor: send feedback, sealed to the mentee and signed by you. It becomes her record."""
    from cli.mentor_commands import find_mentee, remember_mentee
    from journal.sharing import send_feedback

    mentee = find_mentee(session, to, confirm)
    about_id = _released_entry(session, about) if about else None
    message = send_feedback(session.app, mentee, text, about_id)
    click.echo(message)
    remember_mentee(session, mentee)
    say(f"Sent feedback {message[:8]} to {counterparty(mentee.name, mentee.fingerprint, markup=False)}; "
        "it is imported at her next command")


def _released_entry(session, prefix: str) -> str:
    """The released entry PREFIX names: its own id, or the grant id her inbox shows first."""
    from journal.app import resolve
    from journal.sharing import released_to_me

    released, _ = released_to_me(session.app)
    by_id = {r.grant_id: r.entry.id for r in released} | {r.entry.id: r.entry.id for r in released}
    return by_id[resolve(prefix, list(by_id), "released entry")]


def parse_rating(value: str) -> tuple[str, int]:
    skill, sep, number = value.rpartition("=")
    if not sep or not skill.strip() or not number.strip().isdigit() or not 1 <= int(number) <= 5:
        raise click.BadParameter(f"{value!r} is not SKILL=N with N from 1 to 5", param_hint="--rate")
    return skill.strip(), int(number)


@click.command()
@click.option("--rate", "rates", multiple=True, required=True, metavar="SKILL=N",
              help="A self-rating from 1 to 5 (repeatable): --rate 'public speaking=3'.")
@click.option("--note", help="A note on the assessment.")
@at_option
@pass_session
def assess(session, rates, note, at):
    """Record a self-assessment of skills and confidence."""
    ratings = dict(parse_rating(r) for r in rates)
    from domain.journal import MenteeJournal

    recorded("self-assessment", session.app.update(MenteeJournal.assess_self, ratings, note=note, at=at))


COMMANDS = [checkin, aspiration, goal, milestone, feedback, assess]
