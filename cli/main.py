"""The `mj` group, its global options, and the one place project errors become `Error: …`."""

from __future__ import annotations

import click

from cli import (certificate_commands, completion_commands, correct_commands, export_commands, identity_commands,
                 key_commands, meeting_commands, mentor_commands, programme_commands, reading, records,
                 relationship_commands, rhythm_commands, session_commands, sharing_commands, store_commands, views)


class MjGroup(click.Group):
    def invoke(self, ctx: click.Context):
        from domain.errors import JournalError

        try:
            return super().invoke(ctx)
        except JournalError as error:  # messages may quote names and values from the store: neutralised
            from cli.output import esc

            raise click.ClickException(esc(error, markup=False)) from None
        except Exception as error:
            # A database failure outside the application's own translation (a locked or
            # read-only store met by a sharing or programme command) is still one clear line.
            from journal.store_errors import store_failure

            failure = store_failure(error, getattr(ctx.obj, "store_location", "?"))
            if failure is None:
                raise
            from cli.output import esc

            raise click.ClickException(esc(failure, markup=False)) from None


@click.group(cls=MjGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", envvar="MJ_STORE", metavar="PATH|URL",
              help="The journal store: an SQLite file, or postgresql://user@host:port/dbname for a "
                   "programme's shared store. [env: MJ_STORE; default: $MJ_HOME/journal.db]")
@click.option("--identity", envvar="MJ_IDENTITY", metavar="FILE",
              help="Your identity file. [env: MJ_IDENTITY; default: $MJ_HOME/identity.json]")
@click.version_option(package_name="mentoring-journal", prog_name="mj")
@click.pass_context
def cli(ctx: click.Context, store: str | None, identity: str | None) -> None:
    """A mentoring journal in which the mentee owns every record.

    Every check-in, goal, milestone and meeting note is an event sealed under keys only you
    hold. The passphrase comes from a prompt, MJ_PASSPHRASE, or MJ_PASSPHRASE_COMMAND.

    \b
    Start with:   mj init --name "Your Name"
    Then:         mj checkin "Shipped the parser" --mood 4 --tag work
    See it all:   mj entries
    Try it out:   mj demo
    """
    from cli.session import Session

    ctx.obj = Session(store, identity)
    ctx.call_on_close(ctx.obj.close)


for module in (identity_commands, key_commands, records, meeting_commands, correct_commands, reading, export_commands,
               store_commands, views, sharing_commands, relationship_commands, rhythm_commands, mentor_commands,
               programme_commands, completion_commands, certificate_commands, session_commands):
    for command in module.COMMANDS:
        cli.add_command(command)


def _add_demo() -> None:
    from cli.demo import demo

    cli.add_command(demo)


_add_demo()


def _set_clock() -> None:
    """MJ_NOW=2026-03-01T09:00+00:00 starts the clock at that moment (for tests and demos)."""
    import os

    value = os.environ.get("MJ_NOW")
    if not value:
        return
    from datetime import datetime

    from domain import clock

    try:
        moment = datetime.fromisoformat(value)
        clock.run_from(moment if moment.tzinfo else moment.astimezone())
    except ValueError:
        raise SystemExit(f"Error: MJ_NOW={value!r} is not a moment: use 2026-03-01T09:00+00:00") from None


def main() -> None:
    _set_clock()
    cli(prog_name="mj")
