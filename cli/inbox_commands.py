"""`mj inbox accept WHO` and `mj inbox block WHO`: whom a mentee takes feedback from."""

from __future__ import annotations

import click

from cli.output import counted, counterparty, say
from cli.session import pass_session


def _mentor(session, who: str):
    """WHO by the directory's rules, pinned by her releases and agreements (cli/relationship_commands.py)."""
    from cli.relationship_commands import find_mentor

    return find_mentor(session, who)


@click.command()
@click.argument("who", metavar="WHO")
@pass_session
def accept(session, who):
    """Import feedback from this mentor (a fingerprint or name), as from one you released to."""
    from cli.session import _import_feedback
    from domain.journal import MenteeJournal

    mentor = _mentor(session, who)
    session.app.update(MenteeJournal.accept_correspondent, mentor.fingerprint)
    say(f"Accepted feedback from {counterparty(mentor.name, mentor.fingerprint, markup=False)} "
        f"({mentor.fingerprint})")
    _import_feedback(session.app)  # what was waiting comes in now


@click.command()
@click.argument("who", metavar="WHO")
@pass_session
def block(session, who):
    """Never open feedback from this mentor, even one you released to (`mj inbox accept` undoes it)."""
    from domain.journal import MenteeJournal

    mentor = _mentor(session, who)
    session.app.update(MenteeJournal.block_correspondent, mentor.fingerprint)
    say(f"Blocked feedback from {counterparty(mentor.name, mentor.fingerprint, markup=False)} "
        f"({mentor.fingerprint}): it stays unopened in the store")


def say_waiting(app) -> None:
    """How many messages wait for her consent, from whom: `2 messages waiting from Alan (ab12 cd34)`."""
    from journal.inbox import waiting_senders

    for fingerprint, name, count in waiting_senders(app):
        sender = counterparty(name if len(name) <= 40 else name[:40] + "…", fingerprint, markup=False)
        say(f"{counted(count, 'message')} waiting from {sender}: "
            f"`mj inbox accept '{fingerprint}'` imports them, `mj inbox block` leaves them unopened")
