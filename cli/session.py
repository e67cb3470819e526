"""The per-invocation session: which store and identity, and unlocking them on first use."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import click


def ask_passphrase(prompt: str, *, confirm: bool = False) -> str:
    """MJ_PASSPHRASE / MJ_PASSPHRASE_COMMAND, else the terminal (never stdin, which may hold text)."""
    from journal.errors import PassphraseUnavailable
    from journal.identity import passphrase_from_environment

    passphrase = passphrase_from_environment()
    if passphrase is not None:
        return passphrase
    try:
        with open("/dev/tty"):
            pass
    except OSError:
        raise PassphraseUnavailable("no passphrase: set MJ_PASSPHRASE or MJ_PASSPHRASE_COMMAND, "
                                    "or run mj in a terminal") from None
    import getpass

    passphrase = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass("Repeat it: ") != passphrase:
        raise PassphraseUnavailable("the two passphrases differ; nothing was written")
    return passphrase


class Session:
    def __init__(self, store: str | None, identity: str | None):
        from journal import config

        self.store_location = config.store_location(store)
        self.identity_path = config.identity_path(identity)

    @cached_property
    def identity(self) -> Any:
        from journal.identity import begin_unlock, read_header

        read_header(self.identity_path)  # a missing or damaged file is reported before any prompt
        pending = begin_unlock(self.identity_path, ask_passphrase(f"Passphrase for {self.identity_path}"))
        import journal.app  # noqa: F401  (the slow import overlaps the key derivation)

        return pending.finish()

    @cached_property
    def app(self) -> Any:
        identity = self.identity  # first: unlocking overlaps the import below
        from journal.app import JournalApp

        app = JournalApp(self.store_location, identity)
        if identity.role == "mentee":
            _import_feedback(app)
            _contribute(app)
        return app

    def close(self) -> None:
        if "app" in self.__dict__:
            self.app.close()


def pass_session(function):
    return click.pass_obj(function)


def _import_feedback(app: Any) -> None:
    """Mentor feedback waiting in the inbox becomes the mentee's own record at her next command."""
    from domain.errors import JournalError
    from journal.sharing import import_feedback

    from journal.app import store_errors

    try:
        with store_errors(app.store):
            imported, rejected = import_feedback(app)
    except JournalError:
        return  # a read-only or busy store: the feedback waits for the next command
    if imported:
        click.echo(f"Imported {len(imported)} feedback message(s) from your mentors (see `mj inbox`)", err=True)
    for reason in rejected:
        click.echo(f"Rejected: {reason}", err=True)


def _contribute(app: Any) -> None:
    """Closed months of joined programmes are sent at the mentee's next command."""
    from datetime import date

    from domain.errors import JournalError
    from projections.programme import contribute_closed_periods

    from journal.app import store_errors

    try:
        with store_errors(app.store):
            contribute_closed_periods(app, date.today())
    except JournalError:
        return  # a read-only or busy store, or a programme gone: the months wait for the next command
