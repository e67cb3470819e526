"""Meetings and what comes of them: `mj meeting log`, `mj action done`."""

from __future__ import annotations

import click

from cli.output import counted, recorded
from cli.records import RATING, at_option
from cli.session import pass_session


@click.group()
def meeting():
    """Mentoring meetings: concerns, main focus, next focus, action items."""


@meeting.command("log")
@click.option("--minutes", required=True, type=click.IntRange(1, 600), help="How long it lasted.")
@click.option("--focus", required=True, help="The main focus of the meeting.")
@click.option("--concern", "concerns", multiple=True, help="An incidental concern raised first (repeatable).")
@click.option("--next-focus", help="What the next meeting will focus on.")
@click.option("--action", "actions", multiple=True, help="An action item agreed (repeatable).")
@click.option("--rating", type=RATING, help="How useful this meeting was for you, 1 (not at all) to 5 (very).")
@click.option("--with", "who", metavar="MENTOR",
              help="The mentor you met. [default: your mentor, when you have exactly one]")
@at_option
@pass_session
def meeting_log(session, minutes, focus, concerns, next_focus, actions, rating, who, at):
    """Log a meeting: incidental concerns → main focus → next focus, with action items. It counts
    towards the monthly rhythm of the relationship with the mentor you met (`mj progress`)."""
    from domain.journal import MenteeJournal

    mentor = None
    if who:
        from cli.relationship_commands import find_mentor

        mentor = find_mentor(session, who).fingerprint
    entry_id = session.app.update(MenteeJournal.log_meeting, minutes=minutes, focus=focus, concerns=concerns,
                                  next_focus=next_focus, actions=actions, rating=rating, mentor=mentor, at=at)
    rated = f", rated {rating}/5" if rating else ""
    recorded("meeting", entry_id, f"{minutes} min, {counted(len(actions), 'action item')}{rated}")


@click.group()
def action():
    """Action items agreed in meetings."""


@action.command("done")
@click.argument("action_prefix", metavar="ID")
@at_option
@pass_session
def action_done(session, action_prefix, at):
    """Mark action item ID done (ids are shown by `mj show MEETING_ID`)."""
    action_id = session.app.resolve(action_prefix, "actions")
    from domain.journal import MenteeJournal

    entry_id = session.app.update(MenteeJournal.complete_action, action_id, at=at)
    recorded("done", entry_id, sentence=f"Recorded action {action_id[:8]} as done (record {entry_id[:8]})")


COMMANDS = [meeting, action]
