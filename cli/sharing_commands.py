"""Sharing with mentors: `mj directory`, `mj share`, `mj shares`, `mj revoke`, `mj inbox`."""

from __future__ import annotations

from datetime import timedelta

import click

from cli.inbox_commands import accept, block, say_waiting
from cli.output import counterparty, emit_json, entries_table, esc, say
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
        if person.verified and person.predecessors:  # signed over by her old keys: pins on them follow
            mark = f"   (new keys, signed by the old: {', '.join(person.predecessors)})"
        role, name = esc(person.role, markup=False), esc(person.name, markup=False)
        click.echo(f"{esc(person.fingerprint, markup=False)}  {role:<8} {name}{mark}")


@click.command()
@click.argument("prefixes", nargs=-1, metavar="ID...")
@click.option("--with", "who", required=True, metavar="MENTOR", help="The mentor: a name or fingerprint prefix.")
@click.option("--summary", "as_summary", is_flag=True, help="Release a summary of a period instead of entries.")
@click.option("--from", "since", type=DAY, help="With --summary: first day. [default: 30 days ago]")
@click.option("--to", "until", type=DAY, help="With --summary: last day. [default: today]")
@click.option("--goal", "goal_prefix", metavar="ID", help="With --summary: only this goal's story.")
@click.option("--agenda", "as_agenda", is_flag=True, help="Release the next meeting's agenda (`mj agenda`).")
@click.option("--confirm", metavar="FINGERPRINT",
              help="The mentor's whole fingerprint, when a name you released to before now has other keys.")
@pass_session
def share(session, prefixes, who, as_summary, since, until, goal_prefix, as_agenda, confirm):
    """Release entries (or a period summary, or the next meeting's agenda) to a mentor. Only what
    you name is released.

    Each entry's own key is sealed to the mentor and signed by you; the mentor can open that
    entry and nothing else. A summary or an agenda is sealed as a new record of its own and
    released alone, so the entries under it stay closed. `mj revoke` takes a release back.

    A name is pinned to the keys you first released to under it: if it later resolves to other
    keys, nothing is released until you give --confirm with the new fingerprint.
    """
    from journal.directory import find, pins
    from journal.sharing import release_entry

    if (as_summary + as_agenda + bool(prefixes)) != 1:
        raise click.UsageError("give entry ids, or --summary, or --agenda: one of them")
    app = session.app
    history = app.history()  # one read for the pins and all the releases (releasing changes no entry)
    mentor = find(app.recorder.datastore, who, role="mentor", confirm=confirm, pinned=pins(
        (e.fields["mentor_name"], e.fields["mentor_fingerprint"]) for e in history
        if e.kind in ("release", "mentor", "mentor-ended")))
    if as_agenda:
        from domain.journal import MenteeJournal
        from projections.agenda import agenda
        from projections.model import load_model

        entry_ids = [app.update(MenteeJournal.publish_agenda, agenda(load_model(app), clock.today()))]
        history = app.history()  # with the agenda just sealed
    elif as_summary:
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
        history = app.history()  # with the summary just sealed
    else:
        from journal.app import resolve

        # Records by their own ids (a correction is its record's); retracted ones are refused by name
        candidates = [e.id for e in history if e.kind not in ("retraction", "amendment")]
        entry_ids = [resolve(p, candidates, "entry") for p in prefixes]
    for entry_id in entry_ids:
        grant = release_entry(app, entry_id, mentor, history)
        click.echo(grant)
        what = "summary" if as_summary else "agenda" if as_agenda else "entry"
        say(f"Released {what} {entry_id[:8]} to {esc(mentor.name, markup=False)} "
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
    first = {}  # grouped by the keys released to, not by name: two people may share one
    for r in rows:
        first.setdefault(r["mentor_fingerprint"], len(first))
    for r in sorted(rows, key=lambda r: first[r["mentor_fingerprint"]]):
        state = f"revoked {r['revoked'][:10]}" if r["revoked"] else "active"
        mentor = counterparty(r["mentor"], r["mentor_fingerprint"], markup=False)
        click.echo(f"{r['grant'][:8]}  entry {r['entry'][:8]} → {mentor}  {r['released'][:10]}  {state}")


@click.command()
@click.argument("prefixes", nargs=-1, metavar="GRANT...")
@click.option("--with", "who", metavar="MENTOR", help="Every live release to this mentor (a name or fingerprint).")
@pass_session
def revoke(session, prefixes, who):
    """Take releases back: each grant is deleted, so the mentor can no longer open the entry.
    Several grants, or every live one to a mentor with --with, go in one transaction.

    What the mentor already read cannot be un-read.
    """
    from domain.journal import MenteeJournal

    if bool(prefixes) == bool(who):
        raise click.UsageError("give grant ids, or --with MENTOR, but not both")
    app = session.app
    version = app.head_version()
    if who:
        from cli.relationship_commands import find_mentor
        from journal.sharing import live_grants_to

        mentor = find_mentor(session, who)
        grants = live_grants_to(app.history(), mentor.fingerprint)
        if not grants:
            raise click.ClickException(f"nothing released to {esc(mentor.name, markup=False)} is live: nothing to "
                                       "revoke")
    else:
        grants = list(dict.fromkeys(app.resolve(prefix, "releases") for prefix in prefixes))
    app.update(MenteeJournal.revoke_all, tuple(grants), grants_revoked=tuple(grants), expect_version=version)
    for grant in grants:
        say(f"Revoked grant {grant[:8]}: the key is deleted from the store")


@click.group(invoke_without_command=True)
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@click.pass_context
def inbox(context, json_):
    """Mentor: every entry and summary released to you. Mentee: feedback from your mentors.

    Feedback is imported only from mentors you released to or accepted (`mj inbox accept`), never
    from one you blocked; the rest waits unopened, counted here."""
    if context.invoked_subcommand is not None:
        return
    session = context.obj
    if session.identity.role != "mentee":
        from cli.mentor_commands import mentor_inbox

        mentor_inbox(session, json_)
        return
    feedback = [e for e in session.app.entries() if e.kind in ("mentor-feedback", "evaluation")]
    senders = {}  # grouped by the sender's keys, each shown as `Name (ab12 cd34)`, never by name alone
    for e in feedback:
        senders.setdefault(e.fields["from_fingerprint"], len(senders))
    if json_:
        emit_json([e.as_json() for e in feedback])
    elif feedback:
        entries_table(sorted(feedback, key=lambda e: senders[e.fields["from_fingerprint"]]))
    else:
        say("No feedback from mentors yet.")
    say_waiting(session.app)


inbox.add_command(accept)
inbox.add_command(block)

COMMANDS = [directory_, share, shares, revoke, inbox]
