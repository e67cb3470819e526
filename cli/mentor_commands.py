"""A mentor's side of the relationship: `mj evaluate --to WHO` (and the mentee-finding that
`mj feedback send` shares)."""

from __future__ import annotations

import click

from cli.output import counterparty, say
from cli.session import pass_session


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


COMMANDS = [evaluate]
