"""Store commands: `mj backup FILE`."""

from __future__ import annotations

from pathlib import Path

import click

from cli.output import say
from cli.session import pass_session


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_session
def backup(session, file):
    """Write a consistent copy of the SQLite store to FILE (a new file, mode 0600)."""
    from journal.backup import backup_sqlite, refuse_postgres

    refuse_postgres(session.store_location)
    app = session.app
    backup_sqlite(session.store_location.path, file)
    say(f"Backed up {app.head_version()} records of journal {app.journal_id.hex[:8]} to {file}")


COMMANDS = [backup]
