"""The files of an identity rotation (journal/identity_rotation.py) beside her identity file:

    <file>.lock         held for a rotation, and while its new file is decided about; never replaced
    <file>.next         the new identity, sealed under the same passphrase, naming the store it is for
    <file>.next.unused  a new identity that never reached its store, moved aside (never deleted)

A rotation writes `.next`, commits, then writes the new identity over the old and removes `.next`.
After a crash the next command against that store decides by what opens her journal there, and
nothing is deleted on the store's word (`finish_interrupted`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from journal.errors import JournalError
from journal.identity import Identity, write_sealed
from journal.store_errors import store_errors


def side_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


def store_name(location: Any) -> str:
    from journal.config import StoreLocation

    location = StoreLocation.of(location)
    return str(location.path.resolve()) if location.path is not None else str(location)


@contextlib.contextmanager
def rotation_lock(path: Path, *, wait: bool) -> Iterator[bool]:
    """`<identity>.lock`, held for a rotation and for deciding about its new file; yields whether
    it was taken (without `wait`, False while another process holds it)."""
    descriptor = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def unchanged_identity_file(identity: Identity) -> Iterator[None]:
    """Held while her identity file is written from keys this process unlocked earlier (a new
    passphrase, a new recovery row): refused if the file no longer holds those keys (a rotation
    in another process replaced them) or a rotation's new file is beside it."""
    with rotation_lock(identity.path, wait=True):
        require_file_holds(identity)
        yield


def require_file_holds(identity: Identity) -> None:
    """Under the lock: her identity file still holds these keys, and no rotation's file is beside it."""
    import base64

    from journal.identity import fingerprint_of, read_header

    public = read_header(identity.path)["public"]
    now = fingerprint_of(base64.b64decode(public["x25519"]), base64.b64decode(public["ed25519"]))
    if now != identity.fingerprint or side_path(identity.path).exists():
        raise JournalError(f"{identity.path} changed while this command ran (a key rotation in another "
                           "process?): nothing was written; run it again")


def put_in_place(side: Path, new: Identity, kdf: dict, sealing_key: bytes) -> None:
    """The new file over the old (whole, synced), then the side file goes: a crash between leaves
    two files of the same keys, and the next command removes the side one."""
    write_sealed(new, kdf, sealing_key, new.path)
    side.unlink(missing_ok=True)


def finish_interrupted(location: Any, identity: Identity, kdf: dict, sealing_key: bytes,
                       report: Any = None) -> Identity:
    """The identity to use when a rotation's new file is found beside hers. Against the store it
    was made for: the new keys, put in place, if they open her journal there (the rotation
    committed); hers, the new file moved aside, if they do not and hers still do (it never
    committed). Anywhere else, or when neither opens, or while a rotation runs: hers, the new
    file left as it is."""
    from journal.identity import read_header, unlock_with_key

    side = side_path(identity.path)

    def say(line: str) -> None:
        if report is not None:
            report(line)

    with rotation_lock(identity.path, wait=False) as taken:
        if not taken or not side.exists():
            return identity  # a rotation is running: its own process finishes it
        try:
            header = read_header(side)
            new = unlock_with_key(side, sealing_key) if header["kdf"] == kdf else None
        except JournalError:
            new = None
        if new is None:
            say(f"{side} (from an interrupted key rotation) does not open with this passphrase: left as it is")
            return identity
        new = dataclasses.replace(new, path=identity.path)
        if new.fingerprint == identity.fingerprint:  # put in place before the crash: only the side file was left
            side.unlink(missing_ok=True)
            return identity
        rotation = header.get("rotation")
        made_for = str(rotation.get("store")) if isinstance(rotation, dict) else "(no store named)"
        if made_for != store_name(location):
            say(f"{side} holds the new keys of an interrupted rotation for {made_for}: a command against that "
                "store puts them in place")
            return identity
        if _holds_her_key(location, new):
            put_in_place(side, new, kdf, sealing_key)
            say(f"finished the identity rotation a crash interrupted: your keys are now {new.fingerprint}. Its "
                "recovery code was never shown: make one with `mj keys recovery-code`, and run `mj keys rotate`")
            return new
        if _holds_her_key(location, identity):
            aside = side.with_name(f"{side.name}.unused-{new.fingerprint.replace(' ', '')[:8]}")
            os.replace(side, aside)  # one name per set of keys: an earlier one is never overwritten
            say(f"an interrupted key rotation never reached this store: its unused keys are kept in "
                f"{aside.name} (delete it once you are sure)")
            return identity
        say(f"{side} (from an interrupted key rotation) opens no journal here, and neither do your keys: left as it is")
        return identity


def _holds_her_key(location: Any, identity: Identity) -> bool:
    """Whether a journal-key row of her journal in this store is signed by this identity's row key
    and opens with its key: read as it is, never migrated or otherwise written (a store writer who
    knows a public key can plant an unsigned row sealed to it, never a signed one)."""
    from journal import crypto, sealed_format
    from journal.app import JournalApp

    try:
        reader = JournalApp(location, identity)
    except JournalError:
        return False
    try:
        with store_errors(reader.store):
            signed, _ = reader.keyring.store.read(identity.journal_id)
        for row in signed:
            try:
                sealed_format.open_journal_key(row.sealed, identity.encryption_key, journal_id=identity.journal_id,
                                               jk_id=row.jk_id)
                return True
            except crypto.Unopenable:
                continue
        return False
    except JournalError:
        return False
    finally:
        reader.close()
