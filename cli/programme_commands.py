"""`mj program …`: programmes for managers (create, report) and mentees (join, leave, contribute)."""

from __future__ import annotations

from fractions import Fraction

import click

from cli.output import counted, emit_json, esc, say, stdout_console
from cli.session import pass_session
from domain import clock


@click.group()
def program():
    """Programmes: anonymised, differentially private aggregates across a cohort of mentees."""


@program.command("create")
@click.argument("name")
@click.option("--k", type=int, default=10, show_default=True, help="Smallest cell released (never below 5).")
@click.option("--epsilon", default="1", show_default=True, help="Privacy budget per quarter (e.g. 1 or 1/2).")
@click.option("--months", type=int, default=6, show_default=True, help="The programme's length in months.")
@pass_session
def program_create(session, name, k, epsilon, months):
    """Manager: create a programme with its own aggregation key."""
    from journal.programmes import create_programme

    try:
        budget = Fraction(epsilon)
    except (ValueError, ZeroDivisionError):
        raise click.BadParameter(f"{epsilon!r} is not a number", param_hint="--epsilon") from None
    programme = create_programme(session.app, name, k=k, epsilon=budget, months=months)
    say(f"Created programme {esc(repr(programme.name), markup=False)}: k={programme.k}, "
        f"ε={programme.epsilon} per quarter, {programme.months} months")


@program.command("join")
@click.argument("name")
@pass_session
def program_join(session, name):
    """Mentee: consent to send this programme bounded monthly figures, with no name attached."""
    from journal.programmes import join_programme

    programme = join_programme(session.app, name)
    say(f"Joined {esc(repr(programme.name), markup=False)}, run by manager "
        f"{esc(programme.manager_fingerprint, markup=False)} (compare this fingerprint "
        "with your manager out of band): each closed month, your client sends counts and 1–5 ratings, "
        "sealed to the programme, under a pseudonym that changes every month")
    say(f"Pinned in your journal: {esc(programme.terms(), markup=False)}; a programme row that differs "
        "later gets nothing")


@program.command("leave")
@click.argument("name")
@pass_session
def program_leave(session, name):
    """Mentee: stop contributing to this programme (what was sent stays in its aggregates)."""
    from domain.journal import MenteeJournal

    session.app.update(MenteeJournal.leave_programme, name)
    say(f"Left {esc(repr(name), markup=False)}: no further months will be sent")


@program.command("contribute")
@pass_session
def program_contribute(session):
    """Mentee: send every closed month not yet sent (write commands do this too)."""
    from projections.programme import contribute_closed_periods

    notes: list[str] = []
    session.contribute_in_background = False  # said once, by this command, not also as a warning
    try:
        sent = contribute_closed_periods(session.app, clock.today(), notes=notes)
    finally:  # what was pinned on first use is said even when a later programme is refused
        for note in notes:
            say(esc(note, markup=False))
    say(f"Sent {counted(sent, 'new monthly contribution')}" if sent else "Nothing new to send")


@program.command("report")
@click.argument("name")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Also write a page with charts.")
@click.option("--rebuild", is_flag=True, help="Rebuild the aggregates from every contribution first.")
@pass_session
def program_report(session, name, json_, html_path, rebuild):
    """Manager: the fixed catalogue per closed month, with differential-privacy noise.

    Each month is released once, when first reported, at a third of the quarter's ε; later
    reports show it again at no cost. Months the quarter's ε cannot pay for are listed as
    waiting. Cells under k are shown as suppressed.
    """
    from rich.progress import Progress

    from projections.programme import CATALOGUE, catch_up, release_report

    if rebuild:
        with Progress(transient=True) as bar:
            task = bar.add_task("Rebuilding the aggregates", total=None)
            catch_up(session.app, name, progress=lambda n: bar.advance(task, n), from_scratch=True)
    report = release_report(session.app, name, clock.today())
    for line in report.ignored:  # release rows its manager did not sign
        click.echo(f"Warning: {esc(line, markup=False)}", err=True)
    if html_path:
        from projections.programme import render_programme_report
        from projections.report import write_report

        write_report(html_path, render_programme_report(report))
        say(f"Wrote {html_path}")
    if json_:
        emit_json(report.as_json())
        return
    from rich.table import Table

    title = f"{esc(name)}: k={report.k}, ε spent now {report.epsilon_spent}, left this quarter {report.epsilon_left}"
    table = Table(title=title, box=None, header_style="bold")
    table.add_column("period")
    for column in CATALOGUE:
        table.add_column(column, justify="right")
    for row in report.periods:
        cells = [f"[dim]{row[c]}[/]" if row[c] == "suppressed" else esc(row[c]) for c in CATALOGUE]
        table.add_row(esc(row["period"]), *cells)
    stdout_console().print(table)
    for row in report.waiting:
        say(esc(f"{row['period']}: {row['reason']}", markup=False))


COMMANDS = [program]
