"""`mj demo`: the whole story in a throwaway home, showing what is stored and what is read."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import click

from cli.output import entries_table, esc
from domain import clock


@click.command()
@click.option("--home", "home_option", type=click.Path(file_okay=False, path_type=Path),
              help="Where to play out the story. [default: $MJ_HOME/demo, emptied first]")
def demo(home_option):
    """Run the story: a mentee writes a month of records; see what the store holds and what she reads.

    Nothing touches your own journal: the demo works in its own home ($MJ_HOME/demo, emptied on
    each run and left behind for you to inspect) with a printed, throwaway passphrase.
    """
    from rich.console import Console
    from rich.rule import Rule
    from rich.table import Table

    from journal.demo_story import (DEMO_PASSPHRASE, create_demo_mentee, files_containing,
                                    stored_rows, write_month)

    from cli.views import render_progress
    from journal.config import home as mj_home
    from projections.entries import EntryFilter
    from projections.model import JournalModel
    from projections.progress import progress_view
    from projections.report import render_report, write_report

    console = Console()
    home = home_option or mj_home() / "demo"
    if home_option is None and home.exists():
        shutil.rmtree(home)  # only ever our own demo directory
    elif home_option is not None and home.exists() and any(home.iterdir()):
        raise click.UsageError(f"--home {home} is not empty: give a new or empty directory")
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    console.print(Rule("[bold]mentoring-journal demo"))
    console.print(f"Demo home: {home}\nDemo passphrase: [bold]{DEMO_PASSPHRASE}[/]\n")
    with console.status("Creating Sam's identity (Argon2id, 64 MiB) and journal…"):
        app = create_demo_mentee(home)
    with console.status("Sam writes a month of records…"):
        markers = write_month(app)
    console.print(f"Sam Rivera, fingerprint [bold]{app.identity.fingerprint}[/]\n")

    console.print(Rule("What the store holds (all an operator of the file can see)"))
    rows = stored_rows(app)
    table = Table("record", "stored topic", "ciphertext", "key wrap", box=None, header_style="bold")
    for row in rows[:6] + rows[-3:]:
        table.add_row(str(row.version), row.topic, f"{row.ciphertext_bytes} B", f"{row.key_wrap_bytes} B")
    console.print(table)
    sizes = sorted({r.ciphertext_bytes for r in rows})
    console.print(f"{len(rows)} records; ciphertext sizes seen: {', '.join(map(str, sizes))} bytes "
                  "(padded to powers of two); no event type, no text, no dates inside the rows.")
    leaks = files_containing(home, markers)
    files = ", ".join(sorted(p.name for p in home.iterdir()))
    console.print(f"Scanned every file ({files}) for Sam's words: "
                  + ("[bold green]none found[/]" if not leaks else f"[bold red]FOUND {leaks}[/]") + "\n")

    console.print(Rule("What Sam reads back (with her passphrase)"))
    entries_table(EntryFilter(limit=12).apply(app.entries()))
    console.print(Rule("Aspirations against progress"))
    model = JournalModel.build(app.history())
    render_progress(progress_view(model, clock.today()), console)
    page = home / "report.html"
    write_report(page, render_report(model, clock.today(), owner=app.identity.name))
    console.print(f"\nReport with charts: {page}  (open it in a browser; it is plaintext, mode 0600)")
    _mentor_story(console, home, app, model)
    _programme_story(console, home)
    from cli.demo_relationship import relationship_story

    relationship_story(console, home)
    report = app.verify()
    console.print(f"\n[green]✓[/] verify: {report.records} records and {report.snapshots} snapshot(s) open; "
                  "hash chain matches Sam's signed checkpoint.")
    app.close()
    console.print(f"\nThe demo's files stay in {home} for you to inspect (the next demo replaces them).")
    console.print("Try it yourself:  [bold]mj init --name \"Your Name\"[/]  then  "
                  "[bold]mj checkin \"…\" --mood 4[/]  and  [bold]mj entries[/]")
    if leaks:
        raise click.ClickException("plaintext found at rest: this is a bug, please report it")


def _mentor_story(console, home: Path, app, model) -> None:
    """Sam releases one check-in and a summary to Grace; Grace reads them, sends feedback."""
    from rich.rule import Rule

    from journal.demo_story import create_demo_mentor
    from journal.sharing import import_feedback, release_entry, released_to_me, send_feedback
    from projections.entries import EntryFilter
    from projections.summary import summary

    console.print(Rule("Sam releases one check-in and a summary to her mentor, Grace"))
    mentor_app = create_demo_mentor(home)
    grace = next(p for p in _people(mentor_app) if p.role == "mentor")
    chosen = next(e for e in app.entries() if e.kind == "checkin" and "Presented" in e.fields["text"])
    release_entry(app, chosen.id, grace)
    today = clock.today()
    view = summary(model, today - timedelta(days=30), today).as_json()
    from domain.journal import MenteeJournal

    summary_id = app.update(MenteeJournal.publish_summary, view, start=today - timedelta(days=30), end=today)
    release_entry(app, summary_id, grace)
    released, rejected = released_to_me(mentor_app)
    total = len(app.recorder.select_events(app.journal_id))
    console.print(f"Grace ({grace.fingerprint}) opens {len(released)} of Sam's {total} records, "
                  f"each with a grant signed by Sam; {total - len(released)} stay sealed to her:")
    for r in released:
        text = r.entry.fields.get("text") or f"summary {r.entry.fields['start']} → {r.entry.fields['end']}: " \
            f"{r.entry.fields['summary']['checkins']} check-ins, {len(r.entry.fields['summary']['meetings'])} meeting"
        console.print(f"  [magenta]{r.entry.kind:<8}[/] {esc(text)}", highlight=False)
    send_feedback(mentor_app, next(p for p in _people(mentor_app) if p.role == "mentee"),
                  "Your design presentation landed well. Next time, open with the decision you need.", chosen.id)
    imported, _ = import_feedback(app)
    console.print(f"Grace sends feedback sealed to Sam; Sam's client imports it as her own record "
                  f"({len(imported)} imported, inbox copy deleted). Sam's timeline now ends with:")
    entries_table(EntryFilter(limit=3).apply(app.entries()))
    mentor_app.close()


def _people(app):
    from journal.directory import people

    return people(app.recorder.datastore)


def _programme_story(console, home: Path) -> None:
    """A manager, a steward, a programme on the defaults, and 14 simulated mentees: what each of
    the two aggregators can see, and the figures released."""
    from rich.rule import Rule

    from cli.programme_screen import report_lines
    from journal.app import JournalApp
    from journal.demo_story import DEMO_PASSPHRASE, simulate_cohort
    from journal.directory import find, publish
    from journal.identity import new_identity, save_identity
    from journal.programmes import create_programme
    from domain.programme_catalogue import DEFAULT_K, DEFAULT_MONTHS, DEFAULT_RHO, DEFAULT_SETTLE_DAYS
    from projections.programme_helper import aggregate
    from projections.programme_page import render_programme_report
    from projections.programme_release import release_report
    from projections.report import write_report

    console.print(Rule("A programme: two aggregators, and only noisy totals for the manager"))
    apps = {}
    for file, name, role in (("manager.json", "Morgan Lee", "manager"), ("steward.json", "Rui Alvarez", "steward")):
        identity = new_identity(home / file, name=name, role=role, journal_id=None)
        save_identity(identity, DEMO_PASSPHRASE)
        apps[role] = JournalApp(home / "journal.db", identity)
        publish(apps[role].recorder.datastore, identity)
    manager, steward = apps["manager"], apps["steward"]
    start = clock.month_of_day(clock.add_months(clock.today().replace(day=1), -DEFAULT_MONTHS))
    create_programme(manager, "Spring cohort", helper=find(manager.recorder.datastore, "Rui Alvarez", role="steward"),
                     k=DEFAULT_K, rho=DEFAULT_RHO, start=start, months=DEFAULT_MONTHS,
                     settle_days=DEFAULT_SETTLE_DAYS)
    with console.status("14 simulated mentees write six months of records and send their monthly shares…"):
        events, mentees = simulate_cohort(home, "Spring cohort")
        sent = _send_all(home, mentees)
        release_report(manager, "Spring cohort", clock.today())  # the manager batches each settled month
        aggregate(steward, "Spring cohort", clock.today())  # the steward adds the noise and keeps the budget
        report = release_report(manager, "Spring cohort", clock.today())
    console.print(f"{events:,} sealed events from 14 mentees; {sent} monthly contributions, each split into a "
                  "share for the manager and one for the steward, under a pseudonym that changes every month.")
    console.print(f"On the defaults (k = {report.k}, ρ = {report.rho} per quarter), each figure with its 95% "
                  "interval:")
    for line in report_lines(report, console.width):
        console.print(line, highlight=False)
    for row in report.waiting:
        console.print(f"{row['period']}: {row['reason']}", highlight=False)
    page = home / "programme.html"
    write_report(page, render_programme_report(report))
    console.print(f"Programme page with charts: {page}")
    manager.close()
    steward.close()


def _send_all(home: Path, identities: list) -> int:
    """Each simulated mentee's client sends its closed months (as it would on its next command)."""
    from journal.app import JournalApp
    from projections.member_months import contribute_closed_periods

    sent = 0
    for identity in identities:
        app = JournalApp(home / "journal.db", identity)
        sent += contribute_closed_periods(app, clock.today())
        app.close()
    return sent
