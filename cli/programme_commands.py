"""`mj program …`: programmes for managers (create, report), anyone (plan) and mentees (join, leave,
contribute, status)."""

from __future__ import annotations

from fractions import Fraction

import click

from cli.output import counted, emit_json, esc, say, stdout_console
from cli.session import pass_session
from cli.when import WHEN
from domain import clock


@click.group()
def program():
    """Programmes: anonymised, differentially private aggregates across a cohort of mentees."""


DEFAULT_K, DEFAULT_EPSILON = 10, "1"  # `program create` and `program plan` share them


def _budget(epsilon: str) -> Fraction:
    try:
        return Fraction(epsilon)
    except (ValueError, ZeroDivisionError):
        raise click.BadParameter(f"{epsilon!r} is not a number", param_hint="--epsilon") from None


@program.command("create")
@click.argument("name")
@click.option("--k", type=int, default=DEFAULT_K, show_default=True, help="Smallest cell released (never below 5).")
@click.option("--epsilon", default=DEFAULT_EPSILON, show_default=True,
              help="Privacy budget per quarter (e.g. 1 or 1/2).")
@click.option("--months", type=int, default=6, show_default=True, help="The programme's length in months.")
@pass_session
def program_create(session, name, k, epsilon, months):
    """Manager: create a programme with its own aggregation key."""
    from journal.programmes import create_programme
    from projections.programme_plan import cohort_warning

    programme = create_programme(session.app, name, k=k, epsilon=_budget(epsilon), months=months)
    say(f"Created programme {esc(repr(programme.name), markup=False)}: k={programme.k}, "
        f"ε={programme.epsilon} per quarter, {programme.months} months")
    if warning := cohort_warning(programme.k, programme.epsilon):
        click.echo(f"Warning: {warning}", err=True)


@program.command("plan")
@click.option("--members", type=int, required=True, help="The cohort's size, every member active.")
@click.option("--k", type=int, default=DEFAULT_K, show_default=True, help="Smallest cell released.")
@click.option("--epsilon", default=DEFAULT_EPSILON, show_default=True, help="Privacy budget per quarter.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
def program_plan(members, k, epsilon, json_):
    """Anyone, before anyone joins: how often each figure of a cohort of N would be released on
    these terms, and its 95% noise half-width. Needs no identity and no store.

    Ratios (per mentee, ratings, retention) are approximated as their sum's half-width over N.
    """
    from projections.programme_plan import plan

    result = plan(members, k, _budget(epsilon))
    if json_:
        emit_json(result.as_json())
        return
    from rich.table import Table

    table = Table(title=f"A cohort of {result.members}: k={result.k}, ε={result.epsilon} per quarter "
                        f"(ε={result.epsilon_per_figure} per figure a month)", box=None, header_style="bold",
                  caption=f"The active count is released in 95% of months from {result.smallest_cohort:,} members.")
    for column, justify in (("figure", "left"), ("released", "right"), ("± 95%", "right"), ("units", "left")):
        table.add_column(column, justify=justify)
    for row in result.figures:
        width = f"± {row.half_width:,}" if isinstance(row.half_width, int) else f"± {row.half_width:,.2f}"
        table.add_row(row.figure, f"{row.released:.1%}", width, row.units)
    stdout_console().print(table)


@program.command("join")
@click.argument("name")
@click.option("--at", type=WHEN, metavar="WHEN",
              help="When you joined, if earlier (a late join written up, or months to backfill): your "
                   "consent covers the months from then on, never before the programme was created. [default: now]")
@pass_session
def program_join(session, name, at):
    """Mentee: consent to send this programme bounded monthly figures, with no name attached."""
    from journal.programmes import join_programme

    programme = join_programme(session.app, name, at=at)
    say(f"Joined {esc(repr(programme.name), markup=False)}, run by manager "
        f"{esc(programme.manager_fingerprint, markup=False)} (compare this fingerprint "
        "with your manager out of band): each closed month, your client sends counts and 1–5 ratings, "
        "sealed to the programme, under a pseudonym that changes every month")
    say(f"Pinned in your journal: {esc(programme.terms(), markup=False)}; a programme row that differs "
        "later gets nothing")
    if at is not None:
        say(f"Joined as of {clock.local_day(at)}: your consent covers the months from {clock.local_month(at)} on")


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
    from projections.member_months import contribute_closed_periods

    notes: list[str] = []
    session.contribute_in_background = False  # said once, by this command, not also as a warning
    try:
        sent = contribute_closed_periods(session.app, clock.today(), notes=notes)
    finally:  # what was pinned on first use is said even when a later programme is refused
        for note in notes:
            say(esc(note, markup=False))
    say(f"Sent {counted(sent, 'new monthly contribution')}" if sent else "Nothing new to send")


@program.command("status")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def program_status(session, json_):
    """Mentee: for each programme you joined, each closed month since, whether your client sent
    it and the figures it carries (recomputed from your journal). Sends nothing itself."""
    from cli.membership_screen import status_lines
    from projections.member_status import membership_status

    session.contribute_in_background = False  # it shows what was sent, as found
    statuses = membership_status(session.app, clock.today())
    if json_:
        emit_json([s.as_json() for s in statuses])
    elif statuses:
        click.echo("\n".join(status_lines(statuses)))
    else:
        say("You have joined no programme")


@program.command("report")
@click.argument("name")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Also write a page with charts.")
@click.option("--rebuild", is_flag=True, help="Rebuild the aggregates from every contribution first.")
@pass_session
def program_report(session, name, json_, html_path, rebuild):
    """Manager: the fixed catalogue per closed month, with differential-privacy noise.

    Each month is released once, when first reported, at a third of its own quarter's ε; later
    reports show it again at no cost. Months whose quarter's ε is spent are listed as waiting.
    Cells whose noisy count is under k are shown as suppressed.
    """
    from rich.progress import Progress

    from projections.programme_release import CATALOGUE, release_report
    from projections.programme_view import catch_up

    if rebuild:
        with Progress(transient=True) as bar:
            task = bar.add_task("Rebuilding the aggregates", total=None)
            catch_up(session.app, name, progress=lambda n: bar.advance(task, n), from_scratch=True)
    report = release_report(session.app, name, clock.today())
    for line in report.ignored:  # release rows its manager did not sign
        click.echo(f"Warning: {esc(line, markup=False)}", err=True)
    if html_path:
        from projections.programme_page import render_programme_report
        from projections.report import write_report

        write_report(html_path, render_programme_report(report))
        say(f"Wrote {html_path}")
    if json_:
        emit_json(report.as_json())
        return
    from cli.programme_screen import report_lines

    console = stdout_console()
    console.print(f"{esc(name)}: k={report.k}, ε spent now {report.epsilon_spent}, "
                  f"left this quarter {report.epsilon_left}", highlight=False)
    for line in report_lines(report, CATALOGUE, console.width):
        console.print(line, highlight=False)
    for row in report.waiting:
        say(esc(f"{row['period']}: {row['reason']}", markup=False))


COMMANDS = [program]
