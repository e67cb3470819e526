"""Her secrets: `mj passphrase change` (the identity file re-sealed) and `mj keys rotate`."""

from __future__ import annotations

import click

from cli.output import esc, say
from cli.session import ask_passphrase, pass_session


@click.group()
def passphrase():
    """The passphrase that seals your identity file."""


@passphrase.command("change")
@pass_session
def passphrase_change(session):
    """Re-seal your identity file under a new passphrase.

    The current passphrase unlocks it (MJ_PASSPHRASE, MJ_PASSPHRASE_COMMAND, or the prompt); the
    new one comes from MJ_NEW_PASSPHRASE or MJ_NEW_PASSPHRASE_COMMAND, or is asked twice. It must
    be hard to guess. The file is replaced atomically (a fresh 0600 file, synced, renamed over the
    old one): a crash leaves the old passphrase or the new one working, never neither. Copies of
    the old file (backups) still open with the old passphrase.
    """
    from journal.errors import PassphraseUnavailable
    from journal.identity import save_identity
    from journal.passphrases import check_new_passphrase, passphrase_from_environment

    from journal.rotation_files import unchanged_identity_file

    session.passphrase_only = True  # an unlocked session (`mj unlock`) does not change her secrets
    identity = session.identity  # unlocked with the current passphrase, or refused
    new = ask_passphrase("New passphrase", confirm=True, suggest=True, variable="MJ_NEW_PASSPHRASE")
    old = passphrase_from_environment()
    if old is not None and new == old:
        raise PassphraseUnavailable("the new passphrase is the one you have: nothing was changed")
    check_new_passphrase(new, hints=(identity.name,))
    with unchanged_identity_file(identity):  # not over keys a rotation replaced meanwhile
        save_identity(identity, new)
    say(f"Re-sealed {esc(str(session.identity_path), markup=False)} under the new passphrase; "
        "backups of the old file still open with the old one")


@click.group()
def keys():
    """The keys your journal is sealed under."""


@keys.command("rotate")
@click.option("--identity", "identity_", is_flag=True,
              help="Also make new identity keys (a mentee's): the directory, your grants, memberships and "
                   "recovery code follow them.")
@click.option("--json", "json_", is_flag=True, help="Print what was done as JSON.")
@pass_session
def keys_rotate(session, identity_, json_):
    """Make a new journal key, wrap every record's data key again under it, and delete the
    wrapping keys it replaces, in one transaction: interrupted, the old key or the new one works.

    Journal key 1 stays as the journal's root (your signed checkpoint, this device's anchor and
    programme pseudonyms are derived from it) but wraps nothing afterwards. Releases to mentors
    keep working: they hold data keys, not journal keys. Old copies of the store (backups) still
    open with the old keys.

    With --identity, new identity keys too (after feedback waiting for you is imported): your
    journal keys are sealed to them, your directory entry is replaced by one your old key signs
    over, so mentors who knew your old fingerprint follow you to the new one, your grants and
    programme memberships are signed again, and a new recovery code is shown (the codes your
    identity file lists are deleted from the store). Your identity file is replaced once the store
    has committed; a crash in between is finished by your next command against that store.
    Copies of the old identity file still hold the old keys, which can sign a rival successor:
    mentors whose devices saw your new keys refuse it. If a key leaked, change the passphrase too.
    """
    from journal.rotation import rotate_journal_key

    session.passphrase_only = identity_  # new identity keys (and a recovery code): not from a session
    if not identity_:
        done = rotate_journal_key(session.app)
        if json_:
            from cli.output import emit_json

            emit_json({"journal_key": done.jk_id, "rewrapped": done.rewrapped, "deleted": done.deleted})
        _say_rotated(done)
        return
    from journal.app import JournalApp
    from journal.errors import JournalError
    from journal.identity_rotation import rotate_identity

    rotated = rotate_identity(session.app, *session.sealing)  # first: refused, it leaves everything as it was
    say(f"New identity keys: your fingerprint is now {rotated.identity.fingerprint} (was "
        f"{rotated.old_fingerprint}); {rotated.grants} grant(s) and {rotated.memberships} programme "
        "membership(s) signed again. Mentors who knew the old fingerprint follow you to the new one "
        "(your old key signed it); tell them the new one all the same")
    show_recovery_code(rotated.code, session.identity_path)  # at once: whatever happens next, she has it
    app = JournalApp(session.store_location, rotated.identity)  # then the journal key, under the new keys
    try:
        done = rotate_journal_key(app)
    except JournalError as error:
        raise JournalError(f"your identity keys were rotated, but the journal key was not ({error}): run "
                           "`mj keys rotate`") from None
    finally:
        app.close()
    if json_:
        from cli.output import emit_json

        emit_json({"journal_key": done.jk_id, "rewrapped": done.rewrapped, "deleted": done.deleted,
                   "fingerprint": rotated.identity.fingerprint, "old_fingerprint": rotated.old_fingerprint,
                   "grants": rotated.grants, "memberships": rotated.memberships})
    _say_rotated(done)


def _say_rotated(done) -> None:
    deleted = f"; deleted journal key(s) {', '.join(map(str, done.deleted))}" if done.deleted else ""
    say(f"Journal key {done.jk_id} now wraps the data keys of {done.rewrapped} record(s){deleted}; "
        "journal key 1 stays as the root of your checkpoint and pseudonyms")


@keys.command("recovery-code")
@pass_session
def keys_recovery_code(session):
    """Make a recovery code for your identity (for one made before codes existed, or one whose
    code was lost): 24 words, shown once, with your keys sealed under them in the store.

    A code made earlier keeps working: it seals the same keys.
    """
    import dataclasses

    from journal.identity import write_sealed
    from journal.recovery import RecoveryStore, new_code, sealed_row
    from journal.store_errors import store_errors

    session.passphrase_only = True  # not from an unlocked session: a recovery code outlasts it
    identity = session.identity
    code = new_code()
    row = sealed_row(identity, code)
    from journal.rotation_files import unchanged_identity_file

    with unchanged_identity_file(identity):  # a code for keys a rotation replaced meanwhile would be useless
        # Her file lists the row first (a row listed but never written is harmless), so that a rotation
        # of these keys deletes it; an id says nothing without the code.
        write_sealed(dataclasses.replace(identity, recovery_ids=(*identity.recovery_ids, row[0])), *session.sealing,
                     session.identity_path)
        with store_errors(session.store_location), session.app.recorder.datastore.transaction(commit=True) as c:
            RecoveryStore.insert(c, row)
    show_recovery_code(code, session.identity_path)


def show_recovery_code(code: str, identity_path) -> None:
    words = code.split()
    say("Your recovery code (shown this once; with it and the store, `mj recover` rebuilds your identity):")
    for row in range(0, len(words), 6):
        say("  " + "  ".join(f"{n:>2}. {w:<9}" for n, w in enumerate(words[row:row + 6], row + 1)).rstrip())
    say(f"Write the code down and keep it apart from this machine. Back up {identity_path}: "
        "without it or the code, and the passphrase, nobody can open the journal, you included.")


COMMANDS = [passphrase, keys]
