"""`mj keys rotate --identity`: new X25519 and Ed25519 keys for a mentee, in one transaction.

What her identity keys hold up, and what happens to each:

- her journal-key rows (sealed to her X25519 key, signed by a key derived from her Ed25519 key):
  each sealed and signed again under the new keys, the old rows deleted;
- her directory entry: replaced by the new keys' entry, which carries the old keys as a link
  signed by the old key (journal/directory.py), so that a mentor who pinned her follows her;
- her grants and her signed list of live grants: signed again under the new key (what a grant
  seals is sealed to the mentor, so it is kept); a mentor's device that has followed her to the
  new keys believes nothing signed by the old ones again (journal/grants.py SUPERSEDED);
- her programme memberships: signed again under the new fingerprint, the old rows deleted;
- her recovery code: a new one, sealing the new keys (the old code opens only the old keys,
  which open nothing of the store any more);
- feedback waiting in her inbox is sealed to the old keys: it is imported before (the session
  does it), and a rotation is refused while any waits for her consent.

The identity file and the store change together as far as two files can: the new identity is
written beside the old one (`<file>.next`, sealed under the same passphrase) and locked, the
store commits, then the new file is renamed over the old. A kill before the commit leaves the
old keys working (the next command leaves the unused file alone, or removes it once no rotation
holds it); a kill after it leaves the new file, which the next command puts in place when the
store's directory shows her new entry succeeding the old (`finish_interrupted`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journal import crypto, directory, sealed_format
from journal.directory import DirectoryStore
from journal.errors import JournalError
from journal.identity import Identity, write_sealed
from journal.journal_key_store import JournalKeyStore
from journal.keyring import Keyring
from journal.store_errors import store_errors


@dataclass(frozen=True)
class RotatedIdentity:
    identity: Identity
    old_fingerprint: str
    grants: int
    memberships: int
    code: str


def side_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def check_rotatable(app: Any) -> None:
    """Refuses, before anything is written, an identity that is not a mentee's, or one with
    feedback waiting for her consent (sealed to the keys about to go)."""
    from journal.inbox import waiting_senders

    me = app.identity
    if me.role != "mentee" or me.journal_id is None:
        raise JournalError(f"only a mentee's identity keys can be rotated (this is a {me.role}'s): a {me.role} "
                           "with new keys makes a new identity (`mj init`), and people send to it instead")
    waiting = waiting_senders(app)
    if waiting:
        fingerprint, name, count = waiting[0]
        raise JournalError(f"{count} feedback message(s) from {name} ({fingerprint}) wait for your consent, sealed "
                           "to the keys you are replacing: `mj inbox accept` or `mj inbox block` them first; "
                           "nothing was changed")


def rotate_identity(app: Any, kdf: dict, sealing_key: bytes) -> RotatedIdentity:
    """New keys for `app.identity` (unlocked with `sealing_key` under `kdf`); `app` holds the
    old ones afterwards and is to be closed."""
    from journal import bound_state
    from journal.recovery import new_code, sealed_row

    check_rotatable(app)
    old = app.identity
    new = Identity(old.path, old.name, old.role, old.journal_id, crypto.new_x25519(), crypto.new_ed25519())
    code, journal_id, datastore = new_code(), old.journal_id, app.recorder.datastore
    with store_errors(app.store):
        bound_state.checked_chain(app)  # a damaged or rolled-back store is refused before anything is signed
        journal = bound_state.load_journal(app)
        key_rows = _journal_key_rows(app, new)
        entry = DirectoryStore.successor_entry(old, new, DirectoryStore(datastore).links_of(old.fingerprint))
        from journal.grants import signed_live_list

        live = signed_live_list(new.signing_key, journal_id.hex, journal.version,
                                (g for g, (_, state) in journal.releases.items() if state == "active"))
        side = side_path(old.path)
        write_sealed(new, kdf, sealing_key, side)
        with open(side, "rb") as held:  # held while the store commits: no other command removes it meanwhile
            fcntl.flock(held, fcntl.LOCK_EX)
            with datastore.transaction(commit=True) as c:
                if app.store.path is None:  # her journal's writers wait until this commits
                    c.raw.execute(app.recorder.lock_table_statements[-1])
                c.execute("DELETE FROM mj_journal_keys WHERE journal_id = ?", (journal_id.hex,))
                for row in key_rows:
                    JournalKeyStore.insert(c, row)
                c.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (old.fingerprint,))
                DirectoryStore.insert(c, entry)
                grants = _sign_grants_again(c, old, new)
                _sign_live_list_again(c, old, new, live)
                memberships = _sign_memberships_again(c, old, new)
                from journal.recovery import RecoveryStore

                RecoveryStore.insert(c, sealed_row(new, code))
            _put_in_place(side, new, kdf, sealing_key)
    return RotatedIdentity(new, old.fingerprint, grants, memberships, code)


def _journal_key_rows(app: Any, new: Identity) -> list[tuple[str, int, bytes, bytes]]:
    """Every journal key of hers, sealed to the new keys and signed by the new row key (a
    migrated journal's jk 1 keeps its migration label: its old pseudonyms stay hers)."""
    journal_id = app.journal_id
    signed, _ = app.keyring.store.read(journal_id)
    keys = app.keyring.keys_of(journal_id)
    row_key = Keyring(new).row_signing_key(journal_id)
    rows = []
    for row in signed:
        if row.jk_id not in keys:
            continue  # signed but not opening for her: not hers, and not carried over
        sealed = sealed_format.seal_journal_key(keys[row.jk_id], new.encryption_key.public_key(),
                                                journal_id=journal_id, jk_id=row.jk_id)
        signature = sealed_format.sign_journal_key_row(row_key, journal_id=journal_id, jk_id=row.jk_id,
                                                       sealed=sealed, migrated=row.migrated)
        rows.append((journal_id.hex, row.jk_id, sealed, signature))
    return rows


def _sign_live_list_again(c: Any, old: Identity, new: Identity, fallback: tuple) -> None:
    """Her stored list as it is now (read under the lock, so a release that committed a moment
    ago is in it), signed by the new key; `fallback` (from her journal) if the stored one is not hers."""
    from journal.grants import LIVE_UPSERT, LiveList, _live_list, signed_live_list

    c.execute("SELECT journal_id, sequence, grant_ids, signature FROM mj_live_grants WHERE journal_id = ?",
              (old.journal_id.hex,))
    found = c.fetchone()
    stored = None if found is None else _live_list(found)
    if isinstance(stored, LiveList) and stored.signed_by(old.signing_key.public_key()):
        fallback = signed_live_list(new.signing_key, stored.journal_id, stored.sequence, stored.grant_ids)
    c.execute(LIVE_UPSERT, fallback)


def _sign_grants_again(c: Any, old: Identity, new: Identity) -> int:
    """Her grants (the rows her old key signed) under the new fingerprint and key; rows of her
    journal that her old key did not sign are not hers and are left as they are."""
    from journal.grants import GRANT_COLUMNS, _grant_row
    from journal.sharing import _grant_message

    c.execute(f"SELECT {', '.join(GRANT_COLUMNS)} FROM mj_grants WHERE journal_id = ?", (old.journal_id.hex,))
    updates = []
    for raw in c.fetchall():
        row = _grant_row(raw)
        if row is None or row.mentee_fingerprint != old.fingerprint:
            continue
        parts = (row.grant_id, row.journal_id, row.version)
        after = (row.mentor_fingerprint, row.granted_at, row.sealed)
        if crypto.signature_holds(old.signing_key.public_key(), row.signature,
                                  _grant_message(*parts, old.fingerprint, *after)):
            updates.append((new.fingerprint, crypto.sign(new.signing_key, _grant_message(*parts, new.fingerprint,
                                                                                         *after)), row.grant_id))
    c.executemany("UPDATE mj_grants SET mentee_fingerprint = ?, signature = ? WHERE grant_id = ?", updates)
    return len(updates)


def _sign_memberships_again(c: Any, old: Identity, new: Identity) -> int:
    from journal.programme_store import membership_row
    from journal.programmes import _membership_message
    from journal.sql import upsert

    c.execute("SELECT programme, fingerprint, joined, left_month, signature FROM mj_memberships "
              "WHERE fingerprint = ?", (old.fingerprint,))
    moved = []
    for programme, *columns in c.fetchall():
        row = membership_row(columns)
        if row is not None and type(programme) is str and crypto.signature_holds(
                old.signing_key.public_key(), row.signature,
                _membership_message(programme, old.fingerprint, row.joined, row.left)):
            moved.append((programme, new.fingerprint, row.joined, row.left or "", crypto.sign(
                new.signing_key, _membership_message(programme, new.fingerprint, row.joined, row.left))))
    c.execute("DELETE FROM mj_memberships WHERE fingerprint = ?", (old.fingerprint,))
    for moving in moved:
        c.execute(upsert("mj_memberships", ("programme", "fingerprint", "joined", "left_month", "signature"),
                         ("programme", "fingerprint")), moving)
    return len(moved)


def _put_in_place(side: Path, new: Identity, kdf: dict, sealing_key: bytes) -> None:
    """The new identity file over the old one, made durable; written afresh if the side file is
    gone (nothing but this rotation may remove it while it holds its lock)."""
    try:
        os.replace(side, new.path)
    except FileNotFoundError:
        write_sealed(new, kdf, sealing_key, new.path)
        return
    with contextlib.suppress(OSError):
        folder = os.open(new.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def finish_interrupted(location: Any, identity: Identity, kdf: dict, sealing_key: bytes,
                       report: Any = None) -> Identity:
    """The identity to use when a rotation's new file is found beside hers: the new one, put in
    place, if the store's directory shows its entry succeeding hers (the rotation committed);
    hers otherwise, the new file removed once no rotation holds it."""
    from journal.identity import read_header, unlock_with_key

    side = side_path(identity.path)
    try:
        held = open(side, "rb")  # noqa: SIM115 (held while it is decided)
    except FileNotFoundError:
        return identity
    with held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return identity  # a rotation is running: its own process finishes it
        try:
            if read_header(side)["kdf"] != kdf:
                raise JournalError("sealed under another passphrase")
            new = unlock_with_key(side, sealing_key)
        except JournalError:
            side.unlink(missing_ok=True)  # not the file a rotation of this identity writes
            return identity
        from journal.app import JournalApp

        reader = JournalApp(location, identity)
        try:
            with store_errors(reader.store):
                entry = directory.by_fingerprint(reader.recorder.datastore, new.fingerprint)
        finally:
            reader.close()
        if entry is None or identity.fingerprint not in entry.predecessors:
            side.unlink(missing_ok=True)  # the store never took the new keys: the old ones stay
            return identity
        _put_in_place(side, Identity(identity.path, new.name, new.role, new.journal_id, new.encryption_key,
                                     new.signing_key), kdf, sealing_key)
        if report is not None:
            report(f"finished the identity rotation a crash interrupted: your keys are now {new.fingerprint}")
        return Identity(identity.path, new.name, new.role, new.journal_id, new.encryption_key, new.signing_key)
