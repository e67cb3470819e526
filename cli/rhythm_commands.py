"""The relationship at a glance: `mj status`, the monthly rhythm under `mj progress`, and the
one-line nudge when a month is past its middle without a meeting."""

from __future__ import annotations

import click

from cli.output import counterparty, emit_json, esc, say
from cli.session import pass_session
from domain import clock

STATUS_STYLE = {"met": "green", "short": "yellow", "no meeting": "red", "so far": "dim"}


def say_nudges(entries) -> None:
    """Under a command that has read her entries: the months past their middle without a meeting."""
    from projections.rhythm import nudges, rhythms

    for line in nudges(rhythms(entries, clock.today()), clock.today()):
        say(f"Note: {esc(line, markup=False)}")


def render_rhythm(found, console) -> None:
    """Per relationship, a row of months: minutes met against the norm."""
    from rich.table import Table

    for rhythm in found:
        r = rhythm.relationship
        state = f"ended {r.ended}" if r.ended else f"{r.months_left} of {r.months} months left"
        # The heading on a line of its own: as a table title it would wrap to the narrow table's width
        console.print(f"[bold magenta]{esc(counterparty(r.name, r.fingerprint, markup=False))}[/]: from {r.start}, "
                      f"{r.norm} min a month, {state}; {rhythm.months_met} of {len(rhythm.months)} month(s) met the "
                      "norm", highlight=False)
        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("month", "minutes", "meetings", ""):
            table.add_column(column, no_wrap=True)
        for m in rhythm.months:
            style = STATUS_STYLE[m.status]
            table.add_row(m.month, f"{m.minutes} of {m.norm}", str(m.meetings), f"[{style}]{m.status}[/]")
        console.print(table)


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def status(session, json_):
    """The whole picture at a glance: your relationships and this month's rhythm, open action
    items, and the goals that need attention (behind or stalled)."""
    from projections.agenda import agenda
    from projections.model import load_model
    from projections.rhythm import nudges, rhythms

    today = clock.today()
    model = load_model(session.app)
    found = rhythms(model.entries, today)
    current = [r for r in found if r.relationship.ended is None]
    view = agenda(model, today)
    actions, attention = view["actions"], view["goals"]
    if json_:
        emit_json({"today": today.isoformat(), "relationships": [r.as_json() for r in current],
                   "open_actions": actions, "goals_needing_attention": attention, "concerns": view["concerns"],
                   "nudges": nudges(found, today)})
        return
    if not current:
        click.echo("No current mentor: `mj mentor add WHO` records one")
    for rhythm in current:
        r, month = rhythm.relationship, rhythm.months[-1] if rhythm.months else None
        this = (f"{month.minutes} of {r.norm} minutes in {today:%B}" if month and month.current
                else "its agreed months are over (`mj completion` states what you did together, `mj mentor end` "
                     "closes it)" if month else "not started yet")
        click.echo(f"Mentor: {counterparty(r.name, r.fingerprint, markup=False)}, {r.months_left} of {r.months} "
                   f"months left; {this}; {rhythm.months_met} month(s) met the norm"
                   + (f"; no meeting in {', '.join(rhythm.months_without)}" if rhythm.months_without else ""))
    click.echo(f"Open action items: {len(actions)}")
    for a in actions:
        click.echo(f"  {a['id'][:8]}  {esc(a['text'], markup=False)}")
    click.echo(f"Goals needing attention: {len(attention)}")
    for g in attention:
        click.echo(f"  {g['id'][:8]}  {esc(g['text'], markup=False)} ({g['verdict']}, due {g['due']})")
    for line in nudges(found, today):
        say(f"Note: {esc(line, markup=False)}")


COMMANDS = [status]
