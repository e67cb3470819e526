"""Sharing with mentors: `mj directory`, `mj share`, `mj shares`, `mj revoke`, `mj inbox`."""

from __future__ import annotations

from datetime import timedelta

import click

from cli.output import counted, emit_json, entries_table, esc, say, stdout_console
from cli.session import pass_session
from domain import clock
from cli.when import DAY


@click.command("directory")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def directory_(session, json_):
    """People known to this store, with roles and fingerprints to compare out of band."""
    from journal.directory import people

    everyone = people(session.app.recorder.datastore)
    if json_:
        emit_json([p.as_json() for p in everyone])
        return
    for person in everyone:
        mark = "" if person.verified else "   SIGNATURE DOES NOT VERIFY: never used"
        click.echo(f"{person.fingerprint}  {person.role:<8} {person.name}{mark}")


@click.command()
@click.argument("prefixes", nargs=-1, metavar="ID...")
@click.option("--with", "who", required=True, metavar="MENTOR", help="The mentor: a name or fingerprint prefix.")
@click.option("--summary", "as_summary", is_flag=True, help="Release a summary of a period instead of entries.")
@click.option("--from", "since", type=DAY, help="With --summary: first day. [default: 30 days ago]")
@click.option("--to", "until", type=DAY, help="With --summary: last day. [default: today]")
@click.option("--goal", "goal_prefix", metavar="ID", help="With --summary: only this goal's story.")
@pass_session
def share(session, prefixes, who, as_summary, since, until, goal_prefix):
    """Release entries (or a period summary) to a mentor. Only what you name is released.

    Each entry's own key is sealed to the mentor and signed by you; the mentor can open that
    entry and nothing else. A summary is sealed as a new record of its own and released alone,
    so the entries under it stay closed. `mj revoke` takes a release back.
    """
    from journal.directory import find
    from journal.sharing import release_entry

    if as_summary == bool(prefixes):
        raise click.UsageError("give entry ids, or --summary, but not both")
    app = session.app
    mentor = find(app.recorder.datastore, who, role="mentor")
    if as_summary:
        from domain.journal import MenteeJournal
        from projections.model import load_model
        from projections.summary import summary

        until = until or clock.today()
        since = since or until - timedelta(days=30)
        if since > until:
            raise click.BadParameter(f"--from {since} is after --to {until}", param_hint="--from")
        goal_id = app.resolve(goal_prefix, "goals") if goal_prefix else None
        view = summary(load_model(app), since, until, goal_id).as_json()
        entry_ids = [app.update(MenteeJournal.publish_summary, view, start=since, end=until, goal_id=goal_id)]
    history = app.history()  # one read for all the releases (releasing appends, it changes no entry)
    if not as_summary:
        from journal.app import resolve

        candidates = [e.id for e in history if e.kind != "retraction"]  # retracted ones are refused by name
        entry_ids = [resolve(p, candidates, "entry") for p in prefixes]
    for entry_id in entry_ids:
        grant = release_entry(app, entry_id, mentor, history)
        click.echo(grant)
        say(f"Released {'summary' if as_summary else 'entry'} {entry_id[:8]} to {mentor.name} "
            f"({mentor.fingerprint}) as grant {grant[:8]}")


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def shares(session, json_):
    """What you released, to whom, when, and whether it still stands."""
    history = session.app.history()
    revoked = {e.fields["grant_id"]: e.at for e in history if e.kind == "revoke"}
    rows = [{"grant": e.fields["grant_id"], "entry": e.fields["target_id"], "mentor": e.fields["mentor_name"],
             "mentor_fingerprint": e.fields["mentor_fingerprint"], "released": e.at.isoformat(),
             "revoked": revoked[e.fields["grant_id"]].isoformat() if e.fields["grant_id"] in revoked else None}
            for e in history if e.kind == "release"]
    if json_:
        emit_json(rows)
        return
    if not rows:
        say("Nothing released yet: see `mj share --help`.")
    for r in rows:
        state = f"revoked {r['revoked'][:10]}" if r["revoked"] else "active"
        click.echo(f"{r['grant'][:8]}  entry {r['entry'][:8]} → {r['mentor']}  {r['released'][:10]}  {state}")


@click.command()
@click.argument("prefix", metavar="GRANT")
@pass_session
def revoke(session, prefix):
    """Take a release back: the grant is deleted, so the mentor can no longer open the entry.

    What the mentor already read cannot be un-read.
    """
    from journal.sharing import revoke_release

    grant = session.app.resolve(prefix, "releases")
    revoke_release(session.app, grant)
    say(f"Revoked grant {grant[:8]}: the key is deleted from the store")


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def inbox(session, json_):
    """Mentor: every entry and summary released to you. Mentee: feedback from your mentors."""
    if session.identity.role != "mentee":
        _mentor_inbox(session, json_)
        return
    feedback = [e for e in session.app.entries() if e.kind == "mentor-feedback"]
    if json_:
        emit_json([e.as_json() for e in feedback])
    elif feedback:
        entries_table(feedback)
    else:
        say("No feedback from mentors yet.")


def _mentor_inbox(session, json_):
    from journal.sharing import released_to_me

    released, rejected = released_to_me(session.app)
    for reason in rejected:
        say(f"Rejected: {reason}")
    if json_:
        emit_json([r.as_json() for r in released])
    else:
        if not released:
            say("Nothing has been released to you yet.")
        for mentee in sorted({r.mentee for r in released}):
            console = stdout_console()
            console.print(f"[bold magenta]{esc(mentee)}[/] [dim](signature verified)[/]")
            for r in (r for r in released if r.mentee == mentee):
                title = _summary_line(r.entry) if r.entry.kind == "summary" else r.entry.title
                console.print(f"  {r.grant_id[:8]}  {clock.local_day(r.entry.at)}  {r.entry.kind:<10} {esc(title)}",
                              highlight=False)
    if rejected:
        raise click.ClickException(f"{counted(len(rejected), 'release')} rejected: see above")


def _summary_line(entry) -> str:
    s = entry.fields["summary"]
    return (f"summary {s['start']} → {s['end']}: {counted(s['checkins'], 'check-in')}, "
            f"{counted(len(s['meetings']), 'meeting')}, {counted(len(s['milestones_reached']), 'milestone')} reached")


COMMANDS = [directory_, share, shares, revoke, inbox]
