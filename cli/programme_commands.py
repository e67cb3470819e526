"""`mj program …`: programmes for managers (create, report), helpers (aggregate), anyone (plan) and
mentees (join, leave, contribute, status)."""

from __future__ import annotations

from fractions import Fraction

import click

from cli.output import counted, emit_json, esc, say, stdout_console
from cli.session import pass_session
from cli.when import WHEN
from domain import clock
from domain.programme_catalogue import DEFAULT_K, DEFAULT_MONTHS, DEFAULT_RHO, DEFAULT_SETTLE_DAYS


@click.group()
def program():
    """Programmes: a cohort's monthly figures as two shares (manager and helper), released only as
    differentially private totals."""


def _rho(rho: str) -> Fraction:
    try:
        return Fraction(rho)
    except (ValueError, ZeroDivisionError):
        raise click.BadParameter(f"{rho!r} is not a number", param_hint="--rho") from None


def _month(value: str | None) -> str:
    import re

    if value is None:
        return clock.month_of_day(clock.today())
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])(-\d{2})?", value):
        raise click.BadParameter(f"{value!r} is not a month (YYYY-MM) or a day (YYYY-MM-DD)", param_hint="--start")
    return value[:7]


@program.command("create")
@click.argument("name")
@click.option("--helper", metavar="WHO", help="The steward (name or fingerprint) who adds the noise and keeps "
                                              "the budget, so that you never hold a member's figures.")
@click.option("--no-helper", is_flag=True, help="No helper: you can then read every member's monthly figures, "
                                                "and members are told so when they join.")
@click.option("--start", metavar="MONTH", help="The programme's first month (YYYY-MM). [default: this month]")
@click.option("--months", type=int, default=DEFAULT_MONTHS, show_default=True, help="The programme's length.")
@click.option("--k", type=int, default=DEFAULT_K, show_default=True,
              help="Fewest members a month is released for (never below 5).")
@click.option("--rho", default=str(DEFAULT_RHO), show_default=True,
              help="zCDP budget ρ per quarter (e.g. 2 or 1/2); see `mj program plan`.")
@click.option("--settle-days", type=int, default=DEFAULT_SETTLE_DAYS, show_default=True,
              help="Days after a month closes before it is released (late records still count).")
@pass_session
def program_create(session, name, helper, no_helper, start, months, k, rho, settle_days):
    """Manager: create a programme with its own aggregation key and a helper.

    Each member's client splits her monthly figures into two shares, one for you and one for the
    helper; neither says anything alone. The helper adds the noise and keeps the budget; you see
    only the noisy totals.
    """
    from journal import directory
    from journal.programmes import HELPER_ROLE, create_programme
    from projections.programme_plan import cohort_warning

    if bool(helper) == no_helper:
        raise click.UsageError("name the programme's helper with --helper WHO, or pass --no-helper")
    person = None if no_helper else directory.find(session.app.recorder.datastore, helper, role=HELPER_ROLE)
    programme = create_programme(session.app, name, helper=person, k=k, rho=_rho(rho), start=_month(start),
                                 months=months, settle_days=settle_days)
    helper_text = f"helper {esc(person.name, markup=False)} ({person.fingerprint})" if person else "no helper"
    say(f"Created programme {esc(repr(programme.name), markup=False)}: {helper_text}, k={programme.k}, "
        f"ρ={programme.rho} per quarter, {programme.months} months from {programme.start}, "
        f"each month released {programme.settle_days} days after it closes")
    if no_helper:
        click.echo("Warning: without a helper you can read every member's monthly figures; members are told "
                   "so when they join", err=True)
    if warning := cohort_warning(programme.k, programme.rho):
        click.echo(f"Warning: {warning}", err=True)


@program.command("plan")
@click.option("--members", type=int, required=True, help="The cohort's size, every member sending.")
@click.option("--k", type=int, default=DEFAULT_K, show_default=True, help="Fewest members a month is released for.")
@click.option("--rho", default=str(DEFAULT_RHO), show_default=True, help="zCDP budget ρ per quarter.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
def program_plan(members, k, rho, json_):
    """Anyone, before anyone joins: each figure's 95% noise half-width for a cohort of N on these
    terms, and how often the rating means are released. Needs no identity and no store."""
    from projections.programme_plan import plan

    result = plan(members, k, _rho(rho))
    if json_:
        emit_json(result.as_json())
        return
    from cli.programme_screen import plan_table

    stdout_console().print(plan_table(result))


@program.command("join")
@click.argument("name")
@click.option("--at", type=WHEN, metavar="WHEN",
              help="When you joined, if earlier (a late join written up, or months to backfill): your "
                   "consent covers the months from then on, never before the programme starts. [default: now]")
@pass_session
def program_join(session, name, at):
    """Mentee: consent to send this programme bounded monthly figures, with no name attached."""
    from journal.programmes import join_programme

    programme = join_programme(session.app, name, at=at)
    say(f"Joined {esc(repr(programme.name), markup=False)}, run by manager "
        f"{esc(programme.manager_fingerprint, markup=False)} (compare fingerprints with people out of band)")
    if programme.has_helper:
        say(f"Each closed month your client sends counts and 1–5 ratings split in two shares, one for the manager "
            f"and one for the helper {esc(programme.helper_fingerprint, markup=False)}: neither alone says "
            "anything about you; together they give only noisy totals")
    else:
        click.echo("Warning: this programme has no helper: its manager can read your monthly figures "
                   "(counts of check-ins, meetings, goals and your 1–5 ratings), though no name is attached",
                   err=True)
    say(f"Pinned in your journal: {esc(programme.terms(), markup=False)}; a programme row that differs "
        "later gets nothing")
    if at is not None:
        say(f"Joined as of {clock.local_day(at)}: your consent covers the months from "
            f"{max(clock.local_month(at), programme.start)} on")


@program.command("leave")
@click.argument("name")
@pass_session
def program_leave(session, name):
    """Mentee: stop contributing to this programme (what was sent stays in its aggregates)."""
    from domain.journal import MenteeJournal
    from journal.programmes import sign_membership

    joined = session.app.programmes().get(name, (None, None))[0]
    session.app.update(MenteeJournal.leave_programme, name)
    left = session.app.programmes()[name][1]
    sign_membership(session.app, name, joined, left)
    say(f"Left {esc(repr(name), markup=False)}: no month from {left} on will be sent")


@program.command("contribute")
@pass_session
def program_contribute(session):
    """Mentee: send every closed month not yet sent, or changed since (write commands do this too)."""
    from projections.member_months import contribute_closed_periods

    session.contribute_in_background = False  # said once, by this command, not also as a warning
    sent = contribute_closed_periods(session.app, clock.today())
    say(f"Sent {counted(sent, 'monthly contribution')}" if sent else "Nothing new to send")


@program.command("aggregate")
@click.argument("name")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def program_aggregate(session, name, json_):
    """Helper (steward): for each month the manager batched, check it (settled, in the programme, no
    more months than signed members, at least k), add the noise, charge its quarter's budget and
    sign your aggregate share. Each month once: running it again re-publishes, never re-draws."""
    from projections.programme_helper import aggregate

    ignored: list[str] = []
    outcomes = aggregate(session.app, name, clock.today(), ignored=ignored)
    for line in ignored:
        click.echo(f"Warning: {esc(line, markup=False)}", err=True)
    if json_:
        emit_json([o.__dict__ for o in outcomes])
        return
    for o in outcomes:
        say(esc(f"{o.period}: {o.state}" + (f" ({o.reason})" if o.reason else ""), markup=False))
    if not outcomes:
        say("No month is batched yet")


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
@pass_session
def program_report(session, name, json_, html_path):
    """Manager: the catalogue per released month, each figure with its 95% interval.

    Batches every month that has settled; releases every month the helper has aggregated (once,
    signed: later reports show it again); lists the others as waiting, and why. Ratings are
    released once a quarter; a mean is suppressed when its noisy count of raters is under k.
    """
    from projections.programme_release import release_report

    report = release_report(session.app, name, clock.today())
    for line in report.ignored:  # rows in the store nobody it trusts signed
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
    helper = f"helper {report.helper}" if report.helper else "no helper"
    console.print(f"{esc(name)}: {helper}, k={report.k}, ρ={report.rho} per quarter", highlight=False)
    for line in report_lines(report, console.width):
        console.print(line, highlight=False)
    for row in report.waiting:
        say(esc(f"{row['period']}: {row['reason']}", markup=False))


COMMANDS = [program]
