"""Her records out and in: `mj export`, `mj import FILE`, `mj import jrnl FILE`."""

from __future__ import annotations

import click

from cli.output import esc, say
from cli.session import pass_session

PLAINTEXT = "Warning: the export is plaintext: anyone who can read it reads your journal"


@click.command()
@click.option("--format", "form", type=click.Choice(["json", "markdown"]), default="json", show_default=True,
              help="json: every field, for scripts and `mj import`; markdown: a readable diary.")
@click.option("-o", "--output", "path", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (0600, through a fresh file). [default: stdout]")
@pass_session
def export(session, form, path):
    """Export every live record, in its latest version, with its fields and dates.

    The JSON is a versioned schema (`mentoring-journal/export` version 1, described in the
    README) that `mj import` reads back into a new or empty journal. Records of sharing and of
    programmes are not exported: they name keys and grants that stay with this store.
    """
    from cli.output import json_safe
    from projections.export import as_json_text, as_markdown, export_document

    document = export_document(session.identity.name, session.app.entries())
    if form == "json":
        text = json_safe(as_json_text(document))
    else:
        # No escape sequence reaches a terminal; line by line, since a printable line is checked at C speed.
        text = "\n".join(esc(line, markup=False) for line in as_markdown(document).split("\n"))
    say(PLAINTEXT)
    if path is None:
        click.echo(text, nl=False)
        return
    from journal.private_files import write_private

    try:
        write_private(path, text.encode())
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from None
    say(f"Exported {len(document['records'])} records to {esc(path, markup=False)} (readable only by you)")


@click.command("import")
@click.argument("args", nargs=-1, required=True, metavar="[jrnl] FILE")
@click.option("--merge", is_flag=True, help="Import into a journal that already has records (an export of mj).")
@click.option("--tag-symbols", "symbols", default="#@", show_default=True,
              help="jrnl: the symbols its tags begin with (its `tagsymbols` setting).")
@click.option("--json", "json_", is_flag=True, help="Print what was imported as JSON.")
@pass_session
def import_(session, args, merge, symbols, json_):
    """Import an export of mj (`mj import FILE`) into a new or empty journal, or jrnl's
    journal (`mj import jrnl FILE`: its `--export json` file or its plain-text journal; each
    entry becomes a check-in at its date, with its tags, starred ones tagged `starred`).

    Everything in the file is imported in one transaction, or nothing is. Records already in the
    journal are recognised by their content and not written twice, so importing the same file
    again adds nothing. Ids are renumbered; links between records follow them.
    """
    from journal.importing import import_records, known_hashes, read_export, read_limited

    if len(args) == 2 and args[0] == "jrnl":
        kind, path = "jrnl", args[1]
    elif len(args) == 1:
        kind, path = "mj", args[0]
    else:
        raise click.UsageError("give FILE (an export of mj), or `jrnl FILE`")
    data = read_limited(path)
    app = session.app
    if kind == "jrnl":
        from journal.jrnl import read_jrnl

        records = read_jrnl(data, path, symbols)
    else:
        records = read_export(data, path)
    entries = app.entries()
    from journal.importing import RECORD_KINDS

    if kind == "mj" and not merge and any(e.kind in RECORD_KINDS for e in entries):
        raise click.ClickException("this journal already has records: import into a new or empty journal, "
                                   "or give --merge to add what it does not have")
    hash_of, by_hash = known_hashes(entries)
    done = app.update(import_records, records, hash_of, by_hash) if records else None
    written, already, unlinked = (done.written, done.already, done.unlinked) if done else (0, 0, 0)
    if json_:
        from cli.output import emit_json

        emit_json({"imported": written, "already_here": already, "unlinked": unlinked,
                   "ids": done.ids if done else {}})
    say(f"Imported {written} record(s)" + (f"; {already} already here" if already else "")
        + (f"; {unlinked} left out: they refer to records that are not in the file" if unlinked else ""))


COMMANDS = [export, import_]
