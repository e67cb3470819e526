"""Meetings and what comes of them: `mj meeting log`, `mj action done`."""

from __future__ import annotations

import click

from cli.output import counted, emit_json, esc, recorded, say
from cli.records import RATING, at_option
from cli.session import pass_session


@click.group()
def meeting():
    """Mentoring meetings: concerns, main focus, next focus, action items."""


@meeting.command("log")
@click.option("--minutes", required=True, type=click.IntRange(1, 600), help="How long it lasted.")
@click.option("--focus", help="The main focus of the meeting. [default: the next focus agreed last time]")
@click.option("--concern", "concerns", multiple=True,
              help="An incidental concern raised first (repeatable). [default: the ones noted since, `mj concern`]")
@click.option("--next-focus", help="What the next meeting will focus on.")
@click.option("--action", "actions", multiple=True, help="An action item agreed (repeatable).")
@click.option("--rating", type=RATING, help="How useful this meeting was for you, 1 (not at all) to 5 (very).")
@click.option("--with", "who", metavar="MENTOR",
              help="The mentor you met. [default: your mentor, when you have exactly one]")
@at_option
@pass_session
def meeting_log(session, minutes, focus, concerns, next_focus, actions, rating, who, at):
    """Log a meeting: incidental concerns → main focus → next focus, with action items. It counts
    towards the monthly rhythm of the relationship with the mentor you met (`mj progress`).

    Without --focus, its focus is the next focus agreed at the last meeting; without --concern,
    its concerns are the ones noted since (`mj concern`), which it marks discussed."""
    from domain.journal import MenteeJournal
    from projections.agenda import last_next_focus, open_concerns

    entries = session.app.entries()
    focus = focus or last_next_focus(entries)
    if not focus:
        raise click.UsageError("give --focus: no next focus was agreed at the last meeting")
    noted = [] if concerns else open_concerns(entries)
    concerns = concerns or tuple(c.fields["text"] for c in noted)
    mentor = None
    if who:
        from cli.relationship_commands import find_mentor

        mentor = find_mentor(session, who).fingerprint
    entry_id = session.app.update(MenteeJournal.log_meeting, minutes=minutes, focus=focus, concerns=concerns,
                                  next_focus=next_focus, actions=actions, rating=rating, mentor=mentor,
                                  discussed=tuple(c.id for c in noted), at=at)
    rated = f", rated {rating}/5" if rating else ""
    taken = f", {counted(len(noted), 'noted concern')} discussed" if noted else ""
    recorded("meeting", entry_id, f"{minutes} min, {counted(len(actions), 'action item')}{rated}{taken}")


@click.command()
@click.argument("text")
@at_option
@pass_session
def concern(session, text, at):
    """Note an incidental concern between meetings, so it is not forgotten: the next meeting's
    agenda lists it, and `mj meeting log` takes it up."""
    from domain.journal import MenteeJournal

    recorded("concern", session.app.update(MenteeJournal.note_concern, text, at=at))


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def agenda(session, json_):
    """The next meeting's agenda: concerns noted since the last one, the focus agreed then, open
    action items and goals behind or stalled. `mj share --agenda --with WHO` releases it."""
    from domain import clock
    from projections.agenda import agenda as agenda_view
    from projections.agenda import as_lines
    from projections.model import load_model

    view = agenda_view(load_model(session.app), clock.today())
    if json_:
        emit_json(view)
        return
    for line in as_lines(view):
        click.echo(esc(line, markup=False))


@click.command()
@click.option("--all", "everything", is_flag=True, help="Done ones too.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def actions(session, everything, json_):
    """Action items agreed in meetings: the open ones (with --all, done ones too)."""
    from projections.model import load_model

    model = load_model(session.app)
    rows = [{"id": i, "text": a["text"], "meeting": a["meeting"], "agreed": a["agreed"].isoformat(),
             "done": a["done"].isoformat() if a["done"] else None}
            for i, a in model.actions.items() if everything or a["done"] is None]
    if json_:
        emit_json(rows)
        return
    if not rows:
        say("No open action items." if not everything else "No action items yet.")
    for r in rows:
        mark = "x" if r["done"] else " "
        click.echo(f"[{mark}] {r['id'][:8]}  {esc(r['text'], markup=False)}  (agreed {r['agreed'][:10]}, "
                   f"meeting {r['meeting'][:8]})")


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


COMMANDS = [meeting, action, concern, agenda, actions]
