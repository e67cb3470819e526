"""Correcting her records: `mj amend`. Every version is kept; views show the latest."""

from __future__ import annotations

import sys

import click

from cli.output import counterparty, say
from cli.records import RATING, at_option, parse_rating
from cli.session import pass_session
from cli.when import DAY

# Each flag's field, and the fields `--clear` may empty (the others every version must have).
FLAGS = {"text": "text", "mood": "mood", "confidence": "confidence", "tags": "tags", "why": "why",
         "horizon": "horizon", "measure": "measure", "target": "target", "due": "due", "value": "value",
         "note": "note", "reason": "reason", "evidence": "evidence", "minutes": "minutes", "focus": "focus",
         "concerns": "concerns", "next_focus": "next_focus", "rating": "rating", "rates": "ratings"}
CLEARABLE = ["mood", "confidence", "tags", "why", "horizon", "target", "note", "evidence", "next-focus",
             "rating", "concerns"]
EMPTY = {"tags": [], "concerns": []}


@click.command()
@click.argument("prefix", metavar="ID")
@click.option("--text", help="The new text (check-ins, aspirations, goals, milestones, feedback).")
@click.option("--mood", type=RATING, help="Check-in: how you felt, 1 to 5.")
@click.option("--confidence", type=RATING, help="Check-in: how sure of yourself, 1 to 5.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Check-in: its tags, all of them (repeatable).")
@click.option("--why", help="Aspiration: why it matters.")
@click.option("--horizon", type=DAY, help="Aspiration: when you hope to be there.")
@click.option("--measure", help="Goal: how progress is measured.")
@click.option("--target", type=click.FloatRange(min=0, max=1e12), help="Goal: the value that means done.")
@click.option("--due", type=DAY, help="Goal or milestone: the due date.")
@click.option("--value", type=click.FloatRange(min=0, max=1e12), help="Progress: where the goal stood.")
@click.option("--note", help="Progress, achievement or self-assessment: its note.")
@click.option("--reason", help="Dropped goal: why.")
@click.option("--evidence", help="Reached milestone: what shows it.")
@click.option("--minutes", type=click.IntRange(1, 600), help="Meeting: how long it lasted.")
@click.option("--focus", help="Meeting: the main focus.")
@click.option("--concern", "concerns", multiple=True, help="Meeting: its concerns, all of them (repeatable).")
@click.option("--next-focus", help="Meeting: the next meeting's focus.")
@click.option("--rating", type=RATING, help="Meeting: how useful it was, 1 to 5.")
@click.option("--rate", "rates", multiple=True, metavar="SKILL=N",
              help="Self-assessment: all its ratings (repeatable).")
@click.option("--clear", "clears", multiple=True, type=click.Choice(CLEARABLE),
              help="Empty an optional field (repeatable).")
@at_option
@click.option("--release", "release_again", is_flag=True,
              help="If the entry was released, release the new version to the same mentors without asking.")
@pass_session
def amend(session, prefix, at, clears, release_again, **given):
    """Correct entry ID: the flags you give change those fields; with none, the text opens in
    $EDITOR (or is read from stdin).

    Nothing is overwritten: the new version is recorded as an amendment, every view shows it,
    and `mj show ID --history` shows each version. A mentor you released the entry to keeps
    the version released; you are offered to release the new one too.
    """
    changes = {FLAGS[name]: value for name, value in given.items() if value not in (None, ())}
    if "ratings" in changes:
        changes["ratings"] = dict(parse_rating(r) for r in changes["ratings"])
    for name in clears:
        field = name.replace("-", "_")
        if field in changes:
            raise click.UsageError(f"--clear {name} and --{name} together: give one")
        changes[field] = EMPTY.get(field)
    app = session.app
    entry = app.show(prefix)
    if not changes and at is None:
        changes["text"] = _new_text(entry)
    from domain.journal import MenteeJournal

    app.update(MenteeJournal.amend, entry.id, entry.kind, entry.fields, entry.at, changes,
               number=entry.versions + 1, at=at)
    from domain.amending import WORDS

    click.echo(entry.id)
    say(f"Amended {WORDS.get(entry.kind, entry.kind)} {entry.id[:8]}: version {entry.versions + 1} (`mj show {entry.id[:8]} --history`)")
    _offer_release(session, entry.id, release_again)


def _new_text(entry) -> str:
    if "text" not in entry.fields:
        raise click.UsageError(f"a {entry.kind} has no text: say what to change with its flags (see `mj amend --help`)")
    from cli import records

    if sys.stdin is None or sys.stdin.closed:
        raise click.UsageError("no flags, and stdin is closed: give the new text with --text")
    if not records.stdin_is_terminal():
        return sys.stdin.read()
    from cli.drafts import edit_draft

    written = edit_draft(entry.fields["text"] + "\n# Correct the entry above. Lines starting with '# ' are ignored.\n")
    return "\n".join(line for line in written.splitlines() if not line.startswith("# "))


def _offer_release(session, entry_id: str, release_again: bool) -> None:
    """A mentor keeps the version she was given; the new one is released only when asked."""
    history = session.app.history()
    revoked = {e.fields["grant_id"] for e in history if e.kind == "revoke"}
    mentors = {e.fields["mentor_fingerprint"]: e.fields["mentor_name"] for e in history
               if e.kind == "release" and e.fields["target_id"] == entry_id and e.fields["grant_id"] not in revoked}
    if not mentors:
        return
    for fingerprint, name in mentors.items():
        say(f"{counterparty(name, fingerprint, markup=False)} keeps the version you released; it does not change")
    from cli import records

    interactive = sys.stdin is not None and not sys.stdin.closed and records.stdin_is_terminal()
    if not release_again and not (interactive and click.confirm("Release the new version to them too?",
                                                                default=False, err=True)):
        say(f"Not released: `mj amend` again with --release, or `mj share {entry_id[:8]} --with MENTOR`")
        return
    from journal.directory import find, pins
    from journal.sharing import release_entry

    history = session.app.history()
    pinned = pins((e.fields["mentor_name"], e.fields["mentor_fingerprint"]) for e in history if e.kind == "release")
    for fingerprint, name in mentors.items():
        mentor = find(session.app.recorder.datastore, fingerprint, role="mentor", pinned=pinned)
        grant = release_entry(session.app, entry_id, mentor, history)
        say(f"Released the new version to {counterparty(name, fingerprint, markup=False)} as grant {grant[:8]}")


COMMANDS = [amend]
