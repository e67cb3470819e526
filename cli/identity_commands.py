"""`mj init` and `mj whoami`: creating an identity (and a mentee's journal), and showing it."""

from __future__ import annotations

import click

from cli.output import emit_json, say
from cli.session import ask_passphrase, pass_session


@click.command()
@click.option("--name", required=True, help="Your display name.")
@click.option("--role", type=click.Choice(["mentee", "mentor", "manager", "steward"]), default="mentee",
              show_default=True, help="A mentee keeps a journal; mentors and managers read what they are given; "
                                      "a steward (e.g. a data-protection officer) is a programme's helper, who adds "
                                      "the noise and keeps the budget.")
@pass_session
def init(session, name, role):
    """Create your identity (and, for a mentee, an empty journal in the store).

    Your keys are sealed in the identity file under your passphrase (Argon2id). Keep a backup
    of that file: without it and the passphrase, nobody can read the journal, including you.
    """
    from journal.enrolment import enrol
    from journal.identity import check_new_name, ensure_no_identity

    ensure_no_identity(session.identity_path)  # before asking for a passphrase
    check_new_name(name)
    passphrase = ask_passphrase("New passphrase", confirm=True, suggest=True)
    from journal.recovery import new_code

    code = new_code()
    identity = enrol(session.identity_path, session.store_location, name=name, role=role, passphrase=passphrase,
                     recovery_code=code)
    say(f"Created {role} identity for {identity.name} at {session.identity_path}")
    if role == "mentee":
        say(f"Journal {identity.journal_id.hex[:8]} is in {session.store_location}")
    from cli.key_commands import show_recovery_code

    show_recovery_code(code, session.identity_path)
    say("Fingerprint (compare it out of band before sharing):")
    click.echo(identity.fingerprint)


@click.command()
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@pass_session
def whoami(session, json_):
    """Show your name, role and fingerprint (no passphrase needed)."""
    import base64

    from journal.identity import fingerprint_of, read_header

    header = read_header(session.identity_path)
    fingerprint = fingerprint_of(base64.b64decode(header["public"]["x25519"]),
                                 base64.b64decode(header["public"]["ed25519"]))
    info = {"name": header["name"], "role": header["role"], "fingerprint": fingerprint,
            "journal": header.get("journal_id"), "identity": str(session.identity_path),
            "store": str(session.store_location)}
    if json_:
        emit_json(info)
        return
    for key, value in info.items():
        if value:
            click.echo(f"{key:<12}{value}")


@click.command()
@pass_session
def recover(session):
    """Rebuild your identity file on a new device from your recovery code and the store.

    The code (24 words) is read from MJ_RECOVERY_CODE or asked for; a new passphrase comes from
    MJ_NEW_PASSPHRASE (or MJ_NEW_PASSPHRASE_COMMAND) or is asked twice. Nothing is written
    unless the code opens the keys sealed under it in the store.
    """
    import os

    from journal.errors import JournalError
    from journal.identity import ensure_no_identity, save_identity
    from journal.passphrases import check_new_passphrase
    from journal.recovery import recover_from

    ensure_no_identity(session.identity_path)
    code = os.environ.get("MJ_RECOVERY_CODE")
    if code is None:
        from cli.session import terminal_available

        if not terminal_available():
            raise JournalError("no recovery code: set MJ_RECOVERY_CODE, or run mj recover in a terminal")
        import getpass

        code = getpass.getpass("Recovery code (24 words): ")
    identity = recover_from(session.store_location, code, session.identity_path)
    passphrase = ask_passphrase("New passphrase", confirm=True, suggest=True, variable="MJ_NEW_PASSPHRASE")
    check_new_passphrase(passphrase, hints=(identity.name,))
    save_identity(identity, passphrase)
    say(f"Recovered the {identity.role} identity of {identity.name} into {session.identity_path}")
    click.echo(identity.fingerprint)


COMMANDS = [init, whoami, recover]
