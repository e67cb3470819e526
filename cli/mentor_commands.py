"""A mentor's side of the relationship: `mj evaluate --to WHO` (and the mentee-finding that
`mj feedback send` shares)."""

from __future__ import annotations

import click

from cli.output import counted, counterparty, emit_json, esc, say, stdout_console
from cli.session import pass_session
from domain import clock


def find_mentee(session, to: str, confirm: str | None):
    """The mentee WHO names, pinned to the keys this device sent to before and to those that
    released to this mentor; remembered (pinned) on this device once found."""
    from journal.directory import find, known_people, pins

    if session.identity.role != "mentor":
        raise click.ClickException("only mentors send feedback and evaluations this way: a mentee's own "
                                   "feedback is `mj feedback add`, her self-assessment `mj assess`")
    from journal.sharing import released_to_me

    released, _ = released_to_me(session.app)
    return find(session.app.recorder.datastore, to, role="mentee", confirm=confirm, pinned=pins(
        known_people(session.identity_path) + [(r.mentee, r.mentee_fingerprint) for r in released]))


def remember_mentee(session, mentee) -> None:
    from journal.directory import remember
    from journal.errors import JournalError

    try:
        remember(session.identity_path, mentee)  # first use pins the name to these keys on this device
    except JournalError as error:
        say(f"Warning: {error}")


@click.command()
@click.option("--to", "to", required=True, metavar="MENTEE", help="Your mentee: a name or fingerprint prefix.")
@click.option("--rate", "rates", multiple=True, required=True, metavar="SKILL=N",
              help="A rating from 1 to 5 (repeatable): --rate 'public speaking=4'.")
@click.option("--note", default="", help="A note on the evaluation.")
@click.option("--confirm", metavar="FINGERPRINT",
              help="The mentee's whole fingerprint, when the name of someone who released to you now has other keys.")
@pass_session
def evaluate(session, to, rates, note, confirm):
    """Mentor: evaluate your mentee skill by skill, sealed to her and signed by you. It becomes her
    record, beside her own self-assessments, if you are her mentor (`mj mentor add` on her side);
    otherwise her journal refuses it, once."""
    from cli.records import parse_rating
    from journal.sharing import send_feedback

    ratings = dict(parse_rating(r) for r in rates)
    mentee = find_mentee(session, to, confirm)
    message = send_feedback(session.app, mentee, note, None, ratings)
    click.echo(message)
    remember_mentee(session, mentee)
    shown = counterparty(mentee.name, mentee.fingerprint, markup=False)
    say(f"Sent an evaluation of {len(ratings)} skill(s) to {shown}; it is imported at her next command")


def mentor_inbox(session, json_):
    """Every release she can open, grouped by mentee's keys, each marked new when this device has
    not shown it before (`<identity>.looked.json`: the grant ids shown, for the marks only)."""
    from journal.sharing import released_to_me

    released, rejected = released_to_me(session.app)
    for reason in rejected:
        say(f"Rejected: {esc(reason, markup=False)}")
    once: dict[tuple[str, str, int], object] = {}  # one record released twice (two grants) is shown once;
    for r in released:  # two versions of an amended entry, each released, are two
        once.setdefault((r.mentee_fingerprint, r.entry.id, r.entry.version), r)
    released = list(once.values())
    from projections.relationships import current_mentees, too_many

    warning = too_many(current_mentees(released, session.identity.fingerprint))
    if warning:
        say(f"Warning: {warning} (`mj mentees`)")
    looked = looked_path(session.identity_path)
    shown_before = _looked(looked)
    if json_:
        emit_json([r.as_json() | {"new": r.grant_id not in shown_before} for r in released])
    else:
        if not released:
            say("Nothing has been released to you yet.")
        # One group per mentee's keys, never per name: an impostor who took "Ada Lovelace" as
        # her name is a group of her own, with her own fingerprint.
        names = {r.mentee_fingerprint: r.mentee for r in released}
        console = stdout_console()
        for fingerprint, mentee in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])):
            shared = sum(1 for other in names.values() if other.casefold() == mentee.casefold()) > 1
            console.print(f"[bold magenta]{counterparty(mentee, fingerprint)}[/] [dim](signature verified)[/]"
                          + (" [yellow]another person here has this name: compare fingerprints[/]"
                             if shared else ""), highlight=False)
            for r in (r for r in released if r.mentee_fingerprint == fingerprint):
                title = _summary_line(r.entry) if r.entry.kind == "summary" else r.entry.title
                mark = "[bold cyan]new[/]" if r.grant_id not in shown_before else "   "
                console.print(f"  {r.grant_id[:8]}  {mark} {clock.local_day(r.entry.at)}  {r.entry.kind:<10} "
                              f"{esc(title)}", highlight=False)
    _remember_looked(looked, shown_before, {r.grant_id for r in released})
    if rejected:
        raise click.ClickException(f"{counted(len(rejected), 'release')} rejected: see above")


def _summary_line(entry) -> str:
    s = entry.fields["summary"]
    return (f"summary {s['start']} → {s['end']}: {counted(s['checkins'], 'check-in')}, "
            f"{counted(len(s['meetings']), 'meeting')}, {counted(len(s['milestones_reached']), 'milestone')} reached")


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def sent(session, json_):
    """Mentor: the feedback and evaluations you sent, from your own sealed copies, oldest first."""
    from journal.outbox import OutboxStore
    from journal.store_errors import store_errors

    if session.identity.role != "mentor":
        raise click.ClickException("only a mentor keeps copies of what she sent: yours are your own records")
    with store_errors(session.store_location):
        copies, refused = OutboxStore.read(session.app.recorder.datastore, session.identity)
    for line in refused:
        say(f"Warning: {line}")
    if json_:
        emit_json(copies)
        return
    if not copies:
        say("Nothing sent yet: `mj feedback send` and `mj evaluate` keep a copy here")
    for c in copies:
        what = ", ".join(f"{k} {v}/5" for k, v in c["ratings"].items()) if c.get("ratings") else c["text"]
        note = f" ({c['text']})" if c.get("ratings") and c["text"] else ""
        to = counterparty(c["to_name"], c["to_fingerprint"], markup=False)
        click.echo(f"{c['sent_at'][:16].replace('T', ' ')}  to {to}: {esc(str(what) + note, markup=False)}")


def looked_path(identity_path):
    from pathlib import Path

    path = Path(identity_path)
    return path.with_name(path.name.removesuffix(".json") + ".looked.json")


def _looked(path) -> set[str]:
    """The grant ids this device has shown before; none if the file is missing or unreadable
    (it only marks what is new)."""
    import json

    try:
        return {str(g) for g in json.loads(path.read_bytes())["grants"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _remember_looked(path, before: set[str], now: set[str]) -> None:
    import json

    from journal.private_files import write_private

    if now <= before:
        return
    try:
        write_private(path, json.dumps({"format": 1, "grants": sorted(before | now)}).encode())
    except OSError as error:
        say(f"Warning: cannot write {path} ({error.strerror}): what is new is marked again next time")


COMMANDS = [evaluate, sent]
