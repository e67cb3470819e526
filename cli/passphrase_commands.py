"""`mj passphrase change`: the identity file re-sealed under a new passphrase."""

from __future__ import annotations

import click

from cli.output import esc, say
from cli.session import ask_passphrase, pass_session


@click.group()
def passphrase():
    """The passphrase that seals your identity file."""


@passphrase.command("change")
@pass_session
def passphrase_change(session):
    """Re-seal your identity file under a new passphrase.

    The current passphrase unlocks it (MJ_PASSPHRASE, MJ_PASSPHRASE_COMMAND, or the prompt); the
    new one comes from MJ_NEW_PASSPHRASE or MJ_NEW_PASSPHRASE_COMMAND, or is asked twice. It must
    be hard to guess. The file is replaced atomically (a fresh 0600 file, synced, renamed over the
    old one): a crash leaves the old passphrase or the new one working, never neither. Copies of
    the old file (backups) still open with the old passphrase.
    """
    from journal.errors import PassphraseUnavailable
    from journal.identity import check_new_passphrase, passphrase_from_environment, save_identity

    identity = session.identity  # unlocked with the current passphrase, or refused
    new = ask_passphrase("New passphrase", confirm=True, suggest=True, variable="MJ_NEW_PASSPHRASE")
    old = passphrase_from_environment()
    if old is not None and new == old:
        raise PassphraseUnavailable("the new passphrase is the one you have: nothing was changed")
    check_new_passphrase(new, hints=(identity.name,))
    save_identity(identity, new)
    say(f"Re-sealed {esc(str(session.identity_path), markup=False)} under the new passphrase; "
        "backups of the old file still open with the old one")


COMMANDS = [passphrase]
