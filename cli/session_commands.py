"""`mj unlock [--for 15m]` and `mj lock`: one passphrase for many commands, as `bw unlock` does."""

from __future__ import annotations

import re
from datetime import timedelta

import click

from cli.output import esc, say
from cli.session import pass_session

_PART = re.compile(r"(\d{1,5})([smh])")


class Duration(click.ParamType):
    name = "DURATION"

    def convert(self, value, param, ctx):
        if isinstance(value, timedelta):
            return value
        text = str(value).strip().lower().replace(" ", "")
        parts = _PART.findall(text)
        if not text or "".join(n + u for n, u in parts) != text:
            self.fail(f"{value!r} is not a length of time: use 90s, 15m, 2h or 1h30m", param, ctx)
        seconds = sum(int(n) * {"s": 1, "m": 60, "h": 3600}[u] for n, u in parts)
        return timedelta(seconds=seconds)


@click.command()
@click.option("--for", "length", type=Duration(), default="15m", show_default=True,
              help="How long the session lasts (1 minute to 12 hours).")
@pass_session
def unlock(session, length):
    """Unlock your identity once for the commands that follow: in this shell,

        eval "$(mj unlock --for 30m)"

    prints `export MJ_SESSION=…`. Until the session ends (or `mj lock`), commands in a shell that
    has MJ_SESSION skip the passphrase and its key derivation. The passphrase's key is kept
    sealed in a 0600 file on a file system in RAM ($XDG_RUNTIME_DIR or /dev/shm), under a
    random key that only MJ_SESSION holds; neither opens anything alone."""
    from journal.sessions import start

    session.passphrase_only = True  # a session is never extended by itself: the passphrase, once
    identity = session.identity
    token, expires = start(session.identity_path, session.sealing[1], length)
    click.echo(f"export MJ_SESSION={token}")
    say(f"Unlocked {esc(identity.name, markup=False)} until {expires.astimezone():%Y-%m-%d %H:%M}; "
        "`mj lock` ends it sooner (run this as eval \"$(mj unlock)\" to set MJ_SESSION in this shell)")


@click.command()
@pass_session
def lock(session):
    """End the session `mj unlock` started: its sealed key is removed, so MJ_SESSION opens nothing.
    Prints `unset MJ_SESSION` for eval "$(mj lock)"."""
    from journal.sessions import end

    ended = end(session.identity_path)
    click.echo("unset MJ_SESSION")
    say("Locked: the session is ended; commands ask for the passphrase again" if ended
        else "No session was open for this identity")


COMMANDS = [unlock, lock]
