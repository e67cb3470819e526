"""`mj keys rotate --identity`: new X25519 and Ed25519 keys for a mentee, in one transaction.

What her identity keys hold up, and what happens to each:

- her journal-key rows (sealed to her X25519 key, signed by a key derived from her Ed25519 key):
  read under the store's write lock, each sealed and signed again under the new keys;
- her directory entry: replaced by the new keys' entry, which links the keys she had before (kept
  in her identity file, so a store that withholds an entry cannot break the chain), the newest
  link signed by the old key over the new keys: a mentor who pinned her follows her;
- her grants and her signed list of live grants: the grants her journal holds as active signed
  again under the new key (what a grant seals is sealed to the mentor, so it is kept), any other
  grant row of hers deleted; a mentor's device that has followed her to the new keys believes
  nothing signed by the old ones again (journal/grants.py SUPERSEDED);
- her programme memberships: signed again under the new fingerprint, the old rows deleted;
- her recovery code: a new one sealing the new keys; the rows her identity file lists for the old
  keys are deleted (a code made before files listed them keeps opening the old keys);
- feedback sealed to the old keys: imported before (the session does it); a rotation is refused
  while any waits for her consent, and undone if any arrives while it runs.

What it cannot do: the old keys still exist wherever a copy of the old identity file or an
unlisted recovery row does, and whoever holds them can sign a rival successor. A device that has
seen her new keys refuses a rival (directory.find, grants.believed); one that only ever knew the
old keys cannot tell the two apart, as before the rotation. Rotate because a key leaked, and
change the passphrase too (the new file is sealed under the same one).

The identity file and the store change together as far as two files can: see
journal/rotation_files.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from journal import crypto, directory, sealed_format
from journal.directory import DirectoryStore
from journal.errors import ConcurrentWrite, JournalError, TamperedRecord
from journal.identity import Identity, write_sealed
from journal.journal_key_store import JournalKeyStore, SignedJournalKey
from journal.keyring import Keyring
from journal.rotation_files import put_in_place, require_file_holds, rotation_lock, side_path, store_name
from journal.store_errors import store_errors


@dataclass(frozen=True)
class RotatedIdentity:
    identity: Identity
    old_fingerprint: str
    grants: int
    memberships: int
    code: str


def check_rotatable(app: Any) -> None:
    """Refuses, before anything is written, an identity that is not a mentee's, one with feedback
    waiting for her consent (sealed to the keys about to go), or one with an interrupted
    rotation's new file beside it."""
    from journal.inbox import waiting_senders

    me = app.identity
    if me.role != "mentee" or me.journal_id is None:
        raise JournalError(f"only a mentee's identity keys can be rotated (this is a {me.role}'s): a {me.role} "
                           "with new keys makes a new identity (`mj init`), and people send to it instead")
    if side_path(me.path).exists():
        raise JournalError(f"{side_path(me.path)} holds the new keys of an interrupted rotation for another store: "
                           "run a command against that store first (it puts them in place); nothing was changed")
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
    from journal.inbox import InboxStore
    from journal.recovery import RecoveryStore, new_code, sealed_row

    old = app.identity
    with rotation_lock(old.path, wait=False) as taken:
        if not taken:
            raise JournalError("another `mj keys rotate --identity` of this identity is running: nothing was changed")
        check_rotatable(app)
        require_file_holds(old)
        fresh = Identity(old.path, old.name, old.role, old.journal_id, crypto.new_x25519(), crypto.new_ed25519())
        code = new_code()
        new = directory.succeeded(old, fresh)
        recovery = sealed_row(new, code)
        new = dataclasses.replace(new, recovery_ids=(recovery[0],))
        entry = DirectoryStore.signed_entry(new)
        if not directory._person(*entry).verified:  # noqa: SLF001 (the reader's own check, before it is written)
            raise JournalError("the new directory entry does not verify: nothing was changed")
        datastore = app.recorder.datastore
        with store_errors(app.store):
            bound_state.checked_chain(app)  # a damaged or rolled-back store is refused before anything is signed
            journal = bound_state.load_journal(app)
            active = sorted(g for g, (_, state) in journal.releases.items() if state == "active")
            messages = {w.key for w in InboxStore(datastore).waiting(old.fingerprint)}
            side = side_path(old.path)
            write_sealed(new, kdf, sealing_key, side, extra={"rotation": {"store": store_name(app.store)}})
            asked = False  # whether the store was asked to commit: from then on the new file is kept
            try:
                with datastore.transaction(commit=True) as c:
                    _lock_her_journal(app, c)
                    c.execute(f"SELECT MAX(originator_version) FROM {app.recorder.events_table_name} "
                              "WHERE originator_id = ?", (_stream(app, c),))
                    if c.fetchone()[0] != journal.version:
                        raise ConcurrentWrite("the journal changed while the keys were being rotated: nothing was "
                                              "changed; run it again")
                    if InboxStore.keys(c, old.fingerprint) - messages:  # checked before any new key leaves here
                        raise ConcurrentWrite("feedback sealed to your current keys arrived while they were being "
                                              "rotated: nothing was changed; run it again (it is imported first)")
                    _seal_journal_keys_again(app, c, new)
                    c.execute("DELETE FROM mj_directory WHERE fingerprint = ?", (old.fingerprint,))
                    DirectoryStore.insert(c, entry)
                    grants = _sign_grants_again(c, old, new, set(active))
                    from journal.grants import LIVE_UPSERT, signed_live_list

                    c.execute(LIVE_UPSERT, signed_live_list(new.signing_key, old.journal_id.hex, journal.version,
                                                            active))
                    memberships = _sign_memberships_again(c, old, new)
                    c.executemany("DELETE FROM mj_recovery WHERE recovery_id = ?", [(r,) for r in old.recovery_ids])
                    RecoveryStore.insert(c, recovery)
                    asked = True
            except BaseException:
                if not asked:  # refused before the commit: the new keys were never used
                    side.unlink(missing_ok=True)
                raise  # a failed commit may yet have committed: the next command decides, by the store
        put_in_place(side, new, kdf, sealing_key)
    return RotatedIdentity(new, old.fingerprint, grants, memberships, code)


def _stream(app: Any, c: Any) -> Any:
    from journal.sql import PostgresCursor

    return app.journal_id if isinstance(c, PostgresCursor) else app.journal_id.hex


def _lock_her_journal(app: Any, c: Any) -> None:
    """Her journal's writers (and `mj keys rotate`) wait from here until this commits: on
    PostgreSQL the events table's lock, on SQLite the write lock taken by a first write."""
    if app.store.path is None:
        c.raw.execute(app.recorder.lock_table_statements[-1])
    else:
        c.execute("DELETE FROM mj_journal_keys WHERE journal_id = ? AND jk_id = -1", (app.journal_id.hex,))


def _seal_journal_keys_again(app: Any, c: Any, new: Identity) -> None:
    """Every journal-key row of hers, read under the lock (a `mj keys rotate` that committed a
    moment ago is in it), sealed to the new keys and signed by the new row key; a migrated
    journal's jk 1 keeps its migration label, so that its old pseudonyms stay hers."""
    journal_id, old = app.journal_id, app.identity
    c.execute("SELECT jk_id, sealed, signature FROM mj_journal_keys WHERE journal_id = ?", (journal_id.hex,))
    checked = [app.keyring.store._check(journal_id, {"jk_id": r[0], "sealed": r[1], "signature": r[2]})  # noqa: SLF001
               for r in c.fetchall()]
    row_key, rows = Keyring(new).row_signing_key(journal_id), []
    for row in checked:
        if not isinstance(row, SignedJournalKey):
            continue  # not signed by her: not carried over (and deleted below)
        try:
            key = sealed_format.open_journal_key(row.sealed, old.encryption_key, journal_id=journal_id, jk_id=row.jk_id)
        except crypto.Unopenable:
            continue
        sealed = sealed_format.seal_journal_key(key, new.encryption_key.public_key(), journal_id=journal_id,
                                                jk_id=row.jk_id)
        rows.append((journal_id.hex, row.jk_id, sealed, sealed_format.sign_journal_key_row(
            row_key, journal_id=journal_id, jk_id=row.jk_id, sealed=sealed, migrated=row.migrated)))
    if not rows:
        raise TamperedRecord(f"journal {journal_id.hex[:8]} has no journal key of yours: nothing was changed")
    c.execute("DELETE FROM mj_journal_keys WHERE journal_id = ?", (journal_id.hex,))
    for row in rows:
        JournalKeyStore.insert(c, row)


def _sign_grants_again(c: Any, old: Identity, new: Identity, active: set[str]) -> int:
    """The grants her journal holds as active, signed by her old key, under the new fingerprint
    and key; every other grant row of her journal under her old fingerprint (a revoked one put
    back, say) is deleted."""
    from journal.grants import GRANT_COLUMNS, _grant_row
    from journal.sharing import _grant_message

    c.execute(f"SELECT {', '.join(GRANT_COLUMNS)} FROM mj_grants WHERE journal_id = ? AND mentee_fingerprint = ?",
              (old.journal_id.hex, old.fingerprint))
    updates = []
    for raw in c.fetchall():
        row = _grant_row(raw)
        if row is None or row.grant_id not in active:
            continue
        parts, after = (row.grant_id, row.journal_id, row.version), (row.mentor_fingerprint, row.granted_at, row.sealed)
        if crypto.signature_holds(old.signing_key.public_key(), row.signature,
                                  _grant_message(*parts, old.fingerprint, *after)):
            updates.append((new.fingerprint, crypto.sign(new.signing_key, _grant_message(*parts, new.fingerprint,
                                                                                         *after)), row.grant_id))
    c.executemany("UPDATE mj_grants SET mentee_fingerprint = ?, signature = ? WHERE grant_id = ?", updates)
    c.execute("DELETE FROM mj_grants WHERE journal_id = ? AND mentee_fingerprint = ?",
              (old.journal_id.hex, old.fingerprint))
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
