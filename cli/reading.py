"""Reading commands: `mj entries`, `mj show`, `mj verify`."""

from __future__ import annotations

import click

from cli.output import counted, emit_json, entries_table, entry_detail, say
from cli.session import pass_session
from cli.when import DAY
from domain import clock

# Written out rather than read from domain.events, so that `mj --help` need not import pydantic;
# tests/unit/test_kinds.py checks it against the events.
KINDS = ["checkin", "aspiration", "goal", "progress", "achieved", "dropped", "milestone", "reached",
         "meeting", "done", "feedback", "assessment", "summary", "mentor-feedback", "release", "revoke",
         "joined", "left", "mentor", "mentor-ended", "concern", "agenda", "evaluation", "completion",
         "countersigned"]


@click.command()
@click.option("--from", "since", type=DAY, help="First day to include.")
@click.option("--to", "until", type=DAY, help="Last day to include.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only this kind (repeatable).")
@click.option("--tag", "tags", multiple=True, help="Only entries with this tag (repeatable: any of them).")
@click.option("--contains", help="Only entries whose text contains this (case-insensitive).")
@click.option("-n", "limit", type=click.IntRange(min=1), help="Only the N most recent.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def entries(session, since, until, kinds, tags, contains, limit, json_):
    """List your entries, oldest first, with filters."""
    from projections.entries import EntryFilter

    if since and until and since > until:
        raise click.BadParameter(f"--from {since} is after --to {until}", param_hint="--from")
    chosen = session.app.ask(EntryFilter(since, until, tuple(kinds), tuple(tags), contains, limit).question())
    if json_:
        emit_json([e.as_json() for e in chosen])
    elif chosen:
        entries_table(chosen)
    else:
        say("No entries match.")
    if session.identity.role == "mentee":
        from cli.rhythm_commands import say_nudges
        from projections.rhythm import nudge_question

        say_nudges(session.app.ask(nudge_question(clock.today())))


@click.command()
@click.argument("prefix", metavar="ID")
@click.option("--history", "all_versions", is_flag=True, help="Every version of an amended entry, the first first.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def show(session, prefix, all_versions, json_):
    """Show one entry in full. ID may be any unambiguous prefix (for a mentor: an entry or grant id)."""
    if all_versions and session.identity.role == "mentee":
        versions = session.app.versions(prefix)
        if json_:
            emit_json([v.as_json() for v in versions])
            return
        for number, version in enumerate(versions, 1):
            when = (version.amended or version.recorded).astimezone().strftime("%Y-%m-%d %H:%M %Z")
            click.echo(("" if number == 1 else "\n") + f"version {number} of {len(versions)}, written {when}")
            entry_detail(version)
        return
    if all_versions:
        raise click.UsageError("--history shows the versions of your own entries: a mentor sees the version released")
    done = None
    if session.identity.role == "mentee":
        entry = session.app.show(prefix)
        if entry.kind == "meeting":  # which of its action items are done since
            done = {e.fields["action_id"] for e in session.app.entries() if e.kind == "done"}
    else:
        from journal.app import resolve
        from journal.sharing import released_to_me

        released, _ = released_to_me(session.app)
        by_id = {r.grant_id: r.entry for r in released} | {r.entry.id: r.entry for r in released}
        entry = by_id[resolve(prefix, list(by_id), "released entry")]
    if json_:
        data = entry.as_json()
        if done is not None:
            data["actions"] = [a | {"done": a["id"] in done} for a in data["actions"]]
        emit_json(data)
    elif entry.kind in ("summary", "agenda"):
        _readable(entry)
    else:
        entry_detail(entry, done)


def _readable(entry) -> None:
    """A summary or an agenda as it reads, not as the dict it is sealed as."""
    from types import SimpleNamespace

    from cli.output import esc, stdout_console

    console = stdout_console()
    console.print(f"[bold]{entry.kind}[/] {entry.id}, written {entry.at.astimezone():%Y-%m-%d %H:%M %Z}")
    if entry.kind == "summary":
        from cli.views import render_summary

        render_summary(SimpleNamespace(**entry.fields["summary"]), console)
        return
    from projections.agenda import as_lines

    for line in as_lines(entry.fields["agenda"]):
        console.print(esc(line))


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@click.option("--accept-rollback", is_flag=True,
              help="You restored an older copy of the store on purpose: this device accepts it as it is.")
@click.option("--backup", "backup_file", type=click.Path(dir_okay=False, exists=True), metavar="FILE",
              help="Check a backup made by `mj backup` instead, and how far behind the journal it is.")
@pass_session
def verify(session, json_, accept_rollback, backup_file):
    """Open every record, check the hash chain against your signed checkpoint and this device's
    anchor, and compare every snapshot and the view cache with the records.

    With --backup FILE, the same checks of a backup (read from a private copy: FILE is never
    written), which may be older than what this device has seen: it is said how many records
    behind the journal it is, and whether its records are the journal's own."""
    if backup_file is not None:
        _verify_backup(session, backup_file, json_)
        return
    session.accept_rollback = accept_rollback
    report = session.app.verify()
    if json_:
        emit_json(report.as_json())
        return
    records = counted(report.records - report.forgotten, "record")
    forgotten = f" ({report.forgotten} forgotten: their keys are deleted)" if report.forgotten else ""
    click.echo(f"ok: journal {report.journal_id[:8]}: {records} and "
               f"{counted(report.snapshots, 'snapshot')} open{forgotten}; chain head {report.head[:16]}… matches the "
               "checkpoint you signed; snapshots and view cache match the records")


def _verify_backup(session, path: str, json_: bool) -> None:
    from journal.backup import verify_backup
    from journal.errors import TamperedRecord

    checked = verify_backup(session.identity, path, session.app)
    if json_:
        emit_json(checked.as_json())
    report = checked.report
    if checked.matching < min(report.records, checked.journal_records):
        raise TamperedRecord(f"the backup's record {checked.matching + 1} differs from the journal's: it holds "
                             "another history of the journal (a fork), not an older copy of it")
    if report.records > checked.journal_records:
        where = (f"{report.records - checked.journal_records} records ahead of the store: the store may have "
                 "been rolled back (run `mj verify`)")
    elif checked.behind:
        where = (f"{counted(checked.behind, 'record')} behind the journal (its {report.records} records are "
                 "the journal's own)")
    else:
        where = "up to date with the journal"
    if not json_:
        opened = f"{counted(report.records, 'record')} and {counted(report.snapshots, 'snapshot')} open"
        click.echo(f"ok: backup {path}: {opened}; its chain matches the checkpoint you signed; {where}")


COMMANDS = [entries, show, verify]
