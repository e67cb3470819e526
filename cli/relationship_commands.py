"""Her mentoring relationships: `mj mentor add WHO`, `mj mentor end WHO`, `mj mentors`."""

from __future__ import annotations

import click

from cli.output import counterparty, emit_json, esc, say
from cli.session import pass_session
from cli.when import DAY


def find_mentor(session, who: str, *, confirm: str | None = None):
    """WHO by the directory's rules (a fingerprint first, then an unambiguous name), pinned by the
    mentors she released to or agreed with before."""
    from journal.directory import find, pins

    if session.identity.role != "mentee":
        raise click.ClickException("only a mentee keeps relationships, releases and feedback in her journal")
    app = session.app
    known = [(e.fields["mentor_name"], e.fields["mentor_fingerprint"]) for e in app.history()
             if e.kind in ("release", "mentor", "mentor-ended")]
    return find(app.recorder.datastore, who, role="mentor", pinned=pins(known), confirm=confirm)


@click.group()
def mentor():
    """Your relationship with a mentor: agree it, end it."""


@mentor.command("add")
@click.argument("who", metavar="WHO")
@click.option("--months", type=click.IntRange(1, 36), default=6, show_default=True,
              help="How long you agreed to work together.")
@click.option("--norm", type=click.IntRange(0, 24 * 60), default=60, show_default=True,
              help="The minutes a month you agreed to meet, at least.")
@click.option("--from", "start", type=DAY, help="The day it started. [default: today]")
@click.option("--confirm", metavar="FINGERPRINT",
              help="The mentor's whole fingerprint, when a name you knew before now has other keys.")
@pass_session
def mentor_add(session, who, months, norm, start, confirm):
    """Record that WHO (a name or fingerprint prefix) is your mentor: from when, for how many
    months, meeting at least how many minutes a month. Her feedback is imported from now on, and
    the agreement itself is released to her, so that her client counts you among her mentees.
    """
    from domain import clock
    from domain.journal import MenteeJournal
    from journal.sharing import release_entry

    found = find_mentor(session, who, confirm=confirm)
    app = session.app
    agreed = app.update(MenteeJournal.add_mentor, found.fingerprint, found.name, start=start, months=months, norm=norm)
    shown = counterparty(found.name, found.fingerprint, markup=False)
    click.echo(agreed)
    say(f"{shown} is your mentor from {start or clock.today()} for {months} months, at least {norm} minutes a month; "
        "her feedback is imported from now on")
    try:
        release_entry(app, agreed, found)
    except Exception as error:  # noqa: BLE001 (the agreement stands; the notice can be sent again)
        say(f"Warning: the agreement was recorded but not released to {shown} ({esc(str(error), markup=False)}): "
            f"`mj share {agreed[:8]} --with '{found.fingerprint}'` sends it")


@mentor.command("end")
@click.argument("who", metavar="WHO")
@click.option("--reason", help="Why it ended (kept in your journal only).")
@pass_session
def mentor_end(session, who, reason):
    """End the relationship with WHO: every live release to her is revoked and her feedback is no
    longer imported, in one transaction. What she already read cannot be un-read.
    """
    from domain.journal import MenteeJournal
    from journal.sharing import live_grants_to

    app = session.app
    version = app.head_version()  # before the read: a release written after it makes this start again
    history = app.history()
    # Her current mentors are in her journal: ending one needs no directory (the store may have lost her entry)
    found = _current_mentor(history, who)
    if found is None:
        person = find_mentor(session, who)
        found = (person.name, person.fingerprint)
    name, fingerprint = found
    revoked = tuple(live_grants_to(history, fingerprint))
    app.update(MenteeJournal.end_mentor, fingerprint, name, reason=reason, revoked=revoked,
               grants_revoked=revoked, expect_version=version)
    say(f"Ended your relationship with {counterparty(name, fingerprint, markup=False)}: "
        f"{len(revoked)} release(s) revoked, and her feedback is no longer imported")


def _current_mentor(history, who: str) -> tuple[str, str] | None:
    """(name, fingerprint) of the one current mentor WHO names, by fingerprint prefix (four hex
    digits or more) or by name, as the directory matches them; None if none does."""
    from journal.directory import name_key
    from projections.relationships import relationships

    current = [r for r in relationships(history) if r.ended is None]
    digits = "".join(who.split()).casefold()
    if len(digits) >= 4 and all(c in "0123456789abcdef" for c in digits):
        matches = [r for r in current if r.fingerprint.replace(" ", "").startswith(digits)]
    else:
        matches = [r for r in current if name_key(r.name).startswith(name_key(who))]
    if len(matches) > 1:
        raise click.ClickException(f"{who!r} names more than one of your mentors: give the fingerprint "
                                   f"({'; '.join(counterparty(r.name, r.fingerprint, markup=False) for r in matches)})")
    return (matches[0].name, matches[0].fingerprint) if matches else None


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def mentors(session, json_):
    """Your mentors, current and past: since when, for how long, the monthly norm, how it ended."""
    from projections.relationships import relationships

    rows = relationships(session.app.history())
    if json_:
        emit_json([r.as_json() for r in rows])
        return
    if not rows:
        say("No mentor yet: `mj mentor add WHO` records one")
        return
    for r in rows:
        state = f"ended {r.ended}" + (f" ({esc(r.reason, markup=False)})" if r.reason else "") if r.ended else \
            f"current, {r.months_left} of {r.months} months left"
        click.echo(f"{counterparty(r.name, r.fingerprint, markup=False)}  from {r.start}, {r.months} months, "
                   f"{r.norm} min a month: {state}")


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def mentees(session, json_):
    """Mentor: the mentees who have agreed a relationship with you and not ended it."""
    from journal.sharing import released_to_me
    from projections.relationships import current_mentees, too_many

    if session.identity.role != "mentor":
        raise click.ClickException("only a mentor has mentees: yours are in `mj mentors`")
    released, _ = released_to_me(session.app)
    found = current_mentees(released, session.identity.fingerprint)
    if json_:
        emit_json([m.as_json() for m in found])
    elif not found:
        say("No current mentee: a mentee's `mj mentor add` names you")
    for m in [] if json_ else found:
        click.echo(f"{counterparty(m.name, m.fingerprint, markup=False)}  from {m.start}, {m.months} months, "
                   f"{m.norm} min a month")
    warning = too_many(found)
    if warning:
        say(f"Warning: {warning}")


COMMANDS = [mentor, mentors, mentees]
