"""Views of the journal: `mj timeline`, `mj progress`, `mj summary`, `mj report`."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from cli.output import KIND_STYLE, emit_json, esc, say
from cli.reading import KINDS
from cli.session import pass_session
from cli.when import DAY
from domain import clock

VERDICT_STYLE = {"achieved": "bold green", "target reached": "bold green", "on track": "green",
                 "behind": "yellow", "stalled": "red", "not started": "dim", "dropped": "dim strike"}


WINDOW_WEEKS = 12  # what `mj timeline` shows unless told otherwise


def _console():
    from cli.output import stdout_console

    return stdout_console()


def _bar(fraction: float | None, width: int = 10) -> str:
    if fraction is None:
        return "·" * width
    filled = round(max(0.0, min(fraction, 1.0)) * width)
    return "█" * filled + "░" * (width - filled)


def _time_left(goal) -> str:
    """Days left (or late) to today; for a closed goal, how early or late it closed."""
    if goal.days_left < 0:
        return f"{-goal.days_left}d late"
    if goal.closed_on is None:
        return f"{goal.days_left}d left"
    return f"{goal.days_left}d early" if goal.days_left else "on time"


def _period(since, until):
    if since and until and since > until:
        raise click.BadParameter(f"--from {since} is after --to {until}", param_hint="--from")


@click.command()
@click.option("--from", "since", type=DAY, help="First day to include.")
@click.option("--to", "until", type=DAY, help="Last day to include.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only this kind (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only entries with this tag (repeatable).")
@click.option("--by", type=click.Choice(["week", "month"]), default="week", show_default=True)
@click.option("--all", "everything", is_flag=True, help=f"Every record, not only the last {WINDOW_WEEKS} weeks.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def timeline(session, since, until, kinds, tags, by, everything, json_):
    """Your records in time order, grouped by week or month, with goal and milestone marks: the
    last 12 weeks unless you give --from/--to or --all. Piped, one plain line a record."""
    from projections.entries import EntryFilter
    from projections.model import load_model
    from projections.timeline import MARKS, describe, timeline as build

    _period(since, until)
    window = None if since or until or everything else clock.today() - timedelta(weeks=WINDOW_WEEKS)
    model = load_model(session.app)
    periods = build(model, EntryFilter(since or window, until, tuple(kinds), tuple(tags)), by)
    earlier = window is not None and any(clock.local_day(e.at) < window for e in model.entries)
    if json_:
        from projections.timeline import timeline_json

        emit_json(timeline_json(periods, model))
    elif not periods:
        say("No entries match.")
    elif sys.stdout.isatty():
        console = _console()
        for period in periods:
            counts = ", ".join(f"{n} {kind}" for kind, n in period.counts().items())
            console.print(f"[bold]{period.label}[/]  [dim]{counts}[/]")
            for entry in period.entries:
                style, day = KIND_STYLE.get(entry.kind, ""), clock.local_day(entry.at)
                console.print(f"  {day:%a %d %b}  [{style or 'default'}]{MARKS.get(entry.kind, '·')} "
                              f"{entry.kind:<10}[/] {esc(describe(entry, model))}  [dim]{entry.id[:8]}[/]",
                              highlight=False)
    else:  # piped: plain lines, one a record, no layout to compute
        lines = []
        for period in periods:
            lines.append(f"{period.label}  " + ", ".join(f"{n} {kind}" for kind, n in period.counts().items()))
            lines += [f"  {clock.local_day(e.at):%a %d %b}  {MARKS.get(e.kind, '·')} {e.kind:<10} "
                      f"{esc(describe(e, model), markup=False)}  {e.id[:8]}" for e in period.entries]
        click.echo("\n".join(lines))
    if earlier:
        say(f"Showing the last {WINDOW_WEEKS} weeks, from {window}: --all for every record, or --from/--to")


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def progress(session, json_):
    """Aspirations against progress: goals, milestones, time, and a verdict for each goal; then
    each relationship's monthly rhythm, minutes met against the norm."""
    from projections.model import load_model
    from projections.progress import progress_view

    from cli.rhythm_commands import render_rhythm, say_nudges
    from projections.rhythm import rhythms

    model = load_model(session.app)
    view, found = progress_view(model, clock.today()), rhythms(model.entries, clock.today())
    from projections.skills import as_lines, skills

    by_skill = skills(model.entries)
    if json_:
        emit_json(view.as_json() | {"relationships": [r.as_json() for r in found], "skills": by_skill})
    else:
        render_progress(view, _console())
        render_rhythm(found, _console())
        if by_skill:
            click.echo("Skills, your ratings beside your mentors' (the latest four):")
            for line in as_lines(by_skill):
                click.echo("  " + esc(line, markup=False))
    say_nudges(model.entries)


def render_progress(view, console) -> None:
    """Per aspiration, a table of its goals with bars for done and for time used."""
    from rich.table import Table

    groups = [(a.text, a.goals) for a in view.aspirations]
    if view.unlinked:
        groups.append(("Goals serving no aspiration — link them with --aspiration", view.unlinked))
    if not groups:
        say("No aspirations or goals yet: try `mj aspiration add` and `mj goal add`.")
    for title, goals in groups:
        table = Table(title=esc(title), title_justify="left", title_style="bold magenta", box=None,
                      header_style="bold", pad_edge=False)
        table.add_column("goal", overflow="fold", ratio=1, min_width=14)
        for column in ("done", "value", "miles.", "time", "verdict"):
            table.add_column(column, no_wrap=True)
        for g in goals:
            value = "–" if g.value is None else f"{g.value:g}" + (f"/{g.target:g}" if g.target else "")
            table.add_row(f"{esc(g.text)} [dim]{g.id[:8]}[/]", _bar(g.done_fraction), value,
                          f"{g.milestones_reached}/{g.milestones_total}",
                          f"{_bar(g.time_fraction, 5)} {_time_left(g)}",
                          f"[{VERDICT_STYLE[g.verdict]}]{g.verdict}[/]")
        if not goals:
            table.add_row("[dim]no goals yet[/]", "", "", "", "", "")
        console.print(table)
        console.print()
        for g in goals:
            if g.verdict == "target reached":
                say(f"Goal {g.id[:8]} has reached its target: `mj goal achieve {g.id[:8]}` marks it achieved.")
    console.print(f"Confidence: [bold]{view.confidence_trend}[/] over {len(view.confidence)} readings")
    for win in view.small_wins:
        console.print(f"  [yellow]◆[/] {win['reached']}  {esc(win['text'])} [dim]({esc(win['goal'])})[/]")


@click.command()
@click.option("--from", "since", type=DAY, help="First day. [default: 30 days ago]")
@click.option("--to", "until", type=DAY, help="Last day. [default: today]")
@click.option("--goal", "goal_prefix", metavar="ID", help="Only this goal's story.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def summary(session, since, until, goal_prefix, json_):
    """The period at a glance: exactly what you would release to a mentor."""
    from projections.model import load_model
    from projections.summary import summary as build

    until = until or clock.today()
    since = since or until - timedelta(days=30)
    _period(since, until)
    goal_id = session.app.resolve(goal_prefix, "goals") if goal_prefix else None
    view = build(load_model(session.app), since, until, goal_id)
    if json_:
        emit_json(view.as_json())
    else:
        render_summary(view, _console())


def render_summary(view, console) -> None:
    """Each meeting with its own concerns, then open actions; each goal with its own milestones."""
    goal_id = view.goal
    console.print(f"[bold]Summary {view.start} → {view.end}[/]" + (" (one goal)" if goal_id else ""))
    if not goal_id:
        console.print(f"Check-ins: {view.checkins}; mood {view.mood_trend}, confidence {view.confidence_trend}")
        for m in view.meetings:
            console.print(f"Meeting {m['at']} ({m['minutes']} min): {esc(m['focus'])}"
                          + (f" → next: {esc(m['next_focus'])}" if m["next_focus"] else ""))
            for concern in m["concerns"]:
                console.print(f"  concern: {esc(concern)}")
        for action in view.open_actions:
            console.print(f"  open action [dim]{action['id'][:8]}[/]: {esc(action['text'])} (since {action['agreed']})")
    for goal in view.goals_progressed:
        start = "–" if goal["from"] is None else f"{goal['from']:g}"
        end = "–" if goal["to"] is None else f"{goal['to']:g}"
        console.print(f"Goal: {esc(goal['text'])}: {start} → {end} {esc(goal['measure'])} ({goal['status']})")
        for win in (w for w in view.milestones_reached if w["goal_id"] == goal["id"]):
            console.print(f"  [yellow]◆[/] {win['reached']} {esc(win['text'])}")


@click.command()
@click.option("--html", "html_path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the self-contained report page.")
@pass_session
def report(session, html_path):
    """Write a self-contained HTML report with charts (no network needed to view or print it)."""
    from projections.model import load_model
    from projections.report import render_report, write_report


    page = render_report(load_model(session.app), clock.today(), owner=session.identity.name)
    write_report(html_path, page)
    say(f"Wrote {html_path} ({len(page) // 1024} KiB). It holds your journal in plain text: keep it private.")


COMMANDS = [timeline, progress, summary, report]
