"""Reading commands: `mj entries`, `mj show`, `mj verify`."""

from __future__ import annotations

import click

from cli.output import counted, emit_json, entries_table, entry_detail, say
from cli.session import pass_session
from cli.when import DAY

# Written out rather than read from domain.events, so that `mj --help` need not import pydantic;
# tests/unit/test_kinds.py checks it against the events.
KINDS = ["checkin", "aspiration", "goal", "progress", "achieved", "dropped", "milestone", "reached",
         "meeting", "done", "feedback", "assessment", "summary", "mentor-feedback", "release", "revoke",
         "joined", "left"]


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
    chosen = EntryFilter(since, until, tuple(kinds), tuple(tags), contains, limit).apply(session.app.entries())
    if json_:
        emit_json([e.as_json() for e in chosen])
    elif chosen:
        entries_table(chosen)
    else:
        say("No entries match.")


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
    if session.identity.role == "mentee":
        entry = session.app.show(prefix)
    else:
        from journal.app import resolve
        from journal.sharing import released_to_me

        released, _ = released_to_me(session.app)
        by_id = {r.grant_id: r.entry for r in released} | {r.entry.id: r.entry for r in released}
        entry = by_id[resolve(prefix, list(by_id), "released entry")]
    if json_:
        emit_json(entry.as_json())
    else:
        entry_detail(entry)


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@click.option("--accept-rollback", is_flag=True,
              help="You restored an older copy of the store on purpose: this device accepts it as it is.")
@pass_session
def verify(session, json_, accept_rollback):
    """Open every record, check the hash chain against your signed checkpoint and this device's
    anchor, and compare every snapshot and the view cache with the records."""
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


COMMANDS = [entries, show, verify]
