"""The per-invocation session: which store and identity, and unlocking them on first use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import click


# At a terminal a typo costs a retry, not the command (as sudo and gpg allow); a passphrase from
# MJ_PASSPHRASE or MJ_PASSPHRASE_COMMAND gets one try, since asking it again would give the same.
PASSPHRASE_TRIES = 3


def ask_passphrase(prompt: str, *, confirm: bool = False, suggest: bool = False,
                   variable: str = "MJ_PASSPHRASE") -> str:
    """`variable` / `variable`_COMMAND, else the terminal (never stdin, which may hold text). With
    `suggest`, the terminal is offered a generated word passphrase first."""
    from journal.passphrases import passphrase_from_environment

    passphrase = passphrase_from_environment(variable)
    if passphrase is not None:
        return passphrase
    if suggest and terminal_available():
        from journal.passphrases import SUGGESTED_WORDS, suggest_passphrase

        click.echo(f"A suggestion, {SUGGESTED_WORDS} random words (write it down, or choose your own): "
                   f"{suggest_passphrase()}", err=True)
    return terminal_passphrase(prompt, confirm=confirm)


def terminal_passphrase(prompt: str, *, confirm: bool = False) -> str:
    from journal.errors import PassphraseUnavailable

    if not terminal_available():
        raise PassphraseUnavailable("no passphrase: set MJ_PASSPHRASE or MJ_PASSPHRASE_COMMAND, "
                                    "or run mj in a terminal") from None
    import getpass

    passphrase = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass("Repeat it: ") != passphrase:
        raise PassphraseUnavailable("the two passphrases differ; nothing was written")
    return passphrase


def terminal_available() -> bool:
    try:
        with open("/dev/tty"):
            return True
    except OSError:
        return False


class Session:
    accept_rollback = False  # set by `mj verify --accept-rollback` before the app is made
    passphrase_only = False  # set by the commands that change her secrets: no unlocked session for them
    contribute_in_background = True  # off for `mj program contribute`, which does it as its own command

    def __init__(self, store: str | None, identity: str | None):
        from journal import config

        self.store_location = config.store_location(store)
        self.identity_path = config.identity_path(identity)

    @cached_property
    def identity(self) -> Any:
        from journal.errors import WrongPassphrase
        from journal.identity import begin_unlock, read_header
        from journal.passphrases import passphrase_from_environment

        read_header(self.identity_path)  # a missing or damaged file is reported before any prompt
        resumed = None if self.passphrase_only else self._resumed()
        if resumed is not None:
            return resumed
        given = passphrase_from_environment()
        tries = 1 if given is not None else PASSPHRASE_TRIES
        for attempt in range(1, tries + 1):
            passphrase = given if given is not None else terminal_passphrase(f"Passphrase for {self.identity_path}")
            pending = begin_unlock(self.identity_path, passphrase)
            import journal.app  # noqa: F401  (the slow import overlaps the key derivation)

            try:
                identity = pending.finish()
            except WrongPassphrase:
                if attempt == tries:
                    raise
                click.echo("Sorry, try again.", err=True)
                continue
            self.sealing = (pending.header["kdf"], pending.sealing_key)  # new keys go under the same passphrase
            return self._after_unlock(identity)

    def _resumed(self) -> Any:
        """The identity from an unlocked session (`mj unlock`), when MJ_SESSION opens one."""
        import os

        token = os.environ.get("MJ_SESSION")
        if not token:
            return None
        from journal.identity import read_header
        from journal.sessions import resume

        found = resume(self.identity_path, token, report=lambda line: click.echo(f"Note: {line}", err=True))
        if found is None:
            return None
        identity, sealing_key = found
        import journal.app  # noqa: F401  (as after a derivation: the commands need it)

        self.sealing = (read_header(self.identity_path)["kdf"], sealing_key)
        return self._after_unlock(identity)

    def _after_unlock(self, identity: Any) -> Any:
        if self.identity_path.with_name(self.identity_path.name + ".next").exists():
            from journal.rotation_files import finish_interrupted  # a rotation's new file: finished or removed

            identity = finish_interrupted(self.store_location, identity, *self.sealing,
                                          report=lambda line: click.echo(f"Note: {line}", err=True))
        return identity

    @cached_property
    def app(self) -> Any:
        identity = self.identity  # first: unlocking overlaps the import below
        from journal.app import JournalApp

        app = JournalApp(self.store_location, identity)
        # A journal-key row not signed by her is ignored: one line, once, and her command goes on.
        app.keyring.report = lambda line: click.echo(f"Warning: {line}", err=True)
        app.report = lambda line: click.echo(f"Warning: {line}", err=True)  # a snapshot not believed, say
        if identity.role == "mentee":
            try:  # a store older than this device has seen is refused in one line, before any duty reads it
                if self.accept_rollback:
                    app.accept_rollback()
                else:
                    app.check_anchor()
            except BaseException:
                app.close()
                raise
            _import_feedback(app)
            if self.contribute_in_background:
                _contribute(app)
        return app

    def close(self) -> None:
        if "app" in self.__dict__:
            self.app.close()


def pass_session(function):
    return click.pass_obj(function)


@contextmanager
def background_duty(duty: str) -> Iterator[None]:
    """A duty done on the way to the user's own command: whatever goes wrong in it, a malformed
    row included, is one line naming the duty, and her command goes on."""
    from journal.errors import NoJournal, StoreUnavailable, TamperedRecord

    try:
        yield
    except (StoreUnavailable, NoJournal, TamperedRecord):
        # The store or the journal as a whole: read-only or busy (the duty waits for a command
        # that can write), or what the user's own command meets and reports in its one line.
        pass
    except Exception as error:  # a row from another person must never stop her command
        from cli.output import esc

        said = esc(str(error) or type(error).__name__, markup=False)  # it may quote the row
        click.echo(f"Warning: could not {duty}: {said[:DUTY_LINE_LIMIT]}", err=True)


DUTY_LINE_LIMIT = 300


def _import_feedback(app: Any) -> None:
    """Mentor feedback waiting in the inbox becomes the mentee's own record at her next command."""
    from journal.inbox import import_feedback

    from journal.store_errors import store_errors

    imported: list[str] = []
    rejected: list[str] = []
    with background_duty("import feedback"), store_errors(app.store):
        imported, rejected = import_feedback(app)
    if imported:
        from cli.output import counted

        click.echo(f"Imported {counted(len(imported), 'feedback message')} from your mentors (see `mj inbox`)",
                   err=True)
    from cli.output import esc

    for reason in rejected:  # reasons name the sender as the store has it
        click.echo(f"Rejected: {esc(reason, markup=False)}", err=True)


def _contribute(app: Any) -> None:
    """Closed months of joined programmes are sent at the mentee's next command."""
    from domain import clock
    from projections.member_months import contribute_closed_periods

    from journal.store_errors import store_errors

    with background_duty("send programme months"), store_errors(app.store):
        contribute_closed_periods(app, clock.today())
