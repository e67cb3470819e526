"""Correcting and forgetting her records: `mj amend` (every version kept, views show the latest) and
`mj forget` (the keys deleted: journal/forgetting.py)."""

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
    _amend(app, entry, changes, at)
    from domain.amending import WORDS

    click.echo(entry.id)
    say(f"Amended {WORDS.get(entry.kind, entry.kind)} {entry.id[:8]}: version {entry.versions + 1} "
        f"(`mj show {entry.id[:8]} --history`)")
    _offer_release(session, entry.id, release_again)


def _amend(app, entry, changes: dict, at) -> None:
    """Records the new version on top of the one she saw; other writes meanwhile (a feedback
    import, another device) are let through, another amendment of this entry is not."""
    from domain.journal import MenteeJournal
    from journal.errors import ConcurrentWrite, JournalError

    for _ in range(3):
        version = app.head_version()  # before the read: a write after it is noticed below
        now = app.show(entry.id)
        if (now.versions, now.fields, now.at) != (entry.versions, entry.fields, entry.at):
            raise JournalError(f"entry {entry.id[:8]} was amended meanwhile (version {now.versions}): nothing was "
                               "written; look at it again (`mj show --history`) and amend that")
        try:
            app.update(MenteeJournal.amend, entry.id, entry.kind, entry.fields, entry.at, changes,
                       number=entry.versions + 1, at=at, expect_version=version)
            return
        except ConcurrentWrite:
            continue
    raise ConcurrentWrite()


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
        say(f"Not released: `mj share {entry_id[:8]} --with MENTOR` releases the new version "
            "(or give --release when you amend)")
        return
    from journal.directory import find, pins
    from journal.sharing import release_entry

    history = session.app.history()
    pinned = pins((e.fields["mentor_name"], e.fields["mentor_fingerprint"]) for e in history if e.kind == "release")
    for fingerprint, name in mentors.items():
        mentor = find(session.app.recorder.datastore, fingerprint, role="mentor", pinned=pinned)
        grant = release_entry(session.app, entry_id, mentor, history)
        say(f"Released the new version to {counterparty(name, fingerprint, markup=False)} as grant {grant[:8]}")


@click.command()
@click.argument("prefixes", nargs=-1, metavar="ID...")
@click.option("--journal", "whole", is_flag=True, help="Forget the whole journal: every key of it is deleted.")
@click.option("--yes", is_flag=True, help="Do not ask: forgetting cannot be undone.")
@click.option("--json", "json_", is_flag=True, help="Print what was forgotten as JSON.")
@pass_session
def forget(session, prefixes, whole, yes, json_):
    """Forget entries for good: every version's key, every release of them, and the cached
    copies are deleted, so that nothing (you included) can open them again.

    A tombstone says that they were forgotten, and the hash chain still verifies over their
    ciphertext. Releases of them are revoked. What is beyond reach is said at the end.
    `--journal` deletes every journal key, data key, grant, snapshot and cache of the journal.
    """
    from journal.app import resolve

    if whole == bool(prefixes):
        raise click.UsageError("give entry ids, or --journal, but not both")
    app = session.app
    if whole:
        _confirm(yes, f"Forget the whole journal {app.journal_id.hex[:8]} for good? Nothing can open it again")
        from journal.forgetting import forget_journal

        beyond = forget_journal(app)
        if json_:
            from cli.output import emit_json

            emit_json({"forgotten_journal": app.journal_id.hex, "beyond_reach": beyond})
        say(f"Forgot journal {app.journal_id.hex[:8]}: every key of it is deleted, and its ciphertext opens for no one")
        for line in beyond:
            say(f"Beyond reach: {line}")
        return
    history = app.history()
    forgotten_ids = {e.fields["target_id"] for e in history if e.kind == "retraction" and e.fields.get("forgotten")}
    live = [e.id for e in app.entries()]
    chosen = []
    for prefix in prefixes:
        gone = [f for f in forgotten_ids if f.startswith(prefix.strip().lower())] if prefix.strip() else []
        if gone and not any(e.startswith(prefix.strip().lower()) for e in live):
            raise click.ClickException(f"entry {gone[0][:8]} is already forgotten")
        chosen.append(resolve(prefix, live, "entry"))
    _confirm(yes, f"Forget {len(set(chosen))} entr{'y' if len(set(chosen)) == 1 else 'ies'} for good? "
                  "Nothing can open them again")
    from journal.forgetting import forget_entries

    done = forget_entries(app, chosen)
    if json_:
        from cli.output import emit_json

        emit_json({"forgotten": [e.id for e in done.entries], "records": done.versions, "revoked": done.revoked,
                   "beyond_reach": done.beyond_reach})
    else:
        for entry in done.entries:
            click.echo(entry.id)
    from domain.amending import WORDS

    for entry in done.entries:
        say(f"Forgot {WORDS.get(entry.kind, entry.kind)} {entry.id[:8]}"
            + (f" ({entry.versions} versions)" if entry.versions > 1 else ""))
    if done.revoked:
        say(f"Revoked {len(done.revoked)} release(s) of them: {', '.join(g[:8] for g in done.revoked)}")
    say(f"Deleted the keys of {done.versions} record(s); the chain still verifies over their ciphertext")
    for line in done.beyond_reach:
        say(f"Beyond reach: {line}")


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    from cli import records

    if sys.stdin is None or sys.stdin.closed or not records.stdin_is_terminal():
        raise click.UsageError("forgetting cannot be undone: give --yes to forget without being asked")
    if not click.confirm(question, default=False, err=True):
        raise click.ClickException("nothing was forgotten")


COMMANDS = [amend, forget]
