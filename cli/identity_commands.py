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
    identity = enrol(session.identity_path, session.store_location, name=name, role=role, passphrase=passphrase)
    say(f"Created {role} identity for {identity.name} at {session.identity_path}")
    if role == "mentee":
        say(f"Journal {identity.journal_id.hex[:8]} is in {session.store_location}")
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


COMMANDS = [init, whoami]
