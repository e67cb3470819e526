"""Unlocked sessions (`mj unlock --for 15m`, `mj lock`): one Argon2id derivation for many commands.

    <RAM-backed directory>/mj-sessions-<uid>/<id>.json      (0700 directory, 0600 file)
    {"format": "mj-session/1", "identity": path, "expires": ISO time (UTC),
     "sealed": base64(ChaCha20-Poly1305(session key, the identity file's sealing key,
                      aad lp("mj/v1/session", identity path, expires)))}
    id = hex(SHA-256(lp("mj/v1/session-file", identity path)))[:32]
    MJ_SESSION = base64url(session key), 32 random bytes, handed to the shell

The sealing key is what Argon2id derives from her passphrase; with it the identity file opens as
it does with the passphrase (journal/identity.py `unlock_with_key`), so a session follows a key
rotation and ends at a passphrase change (the new salt gives another key). Neither half is enough
alone: the file without MJ_SESSION is sealed, MJ_SESSION without the file opens nothing. The file
lives only on a file system in RAM ($XDG_RUNTIME_DIR or /dev/shm), in a 0700 directory of her own
(one another user planted is passed over), and is read only as a regular 0600 file of hers, never
through a link. Expiry reads the machine's clock, which MJ_NOW does not move. An expired or
unopenable session is removed and the command asks for the passphrase as before; the commands
that change her secrets (`passphrase change`, `keys rotate --identity`, `keys recovery-code`,
`unlock` itself) always ask for it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from domain import clock
from journal import crypto
from journal.errors import JournalError

FORMAT = "mj-session/1"
LONGEST = timedelta(hours=12)
SHORTEST = timedelta(minutes=1)


MAX_FILE = 4096  # a session file is ~250 bytes


def _directory() -> Path | None:
    """The first RAM-backed place whose `mj-sessions-<uid>` is a 0700 directory of this user's own
    (made if missing); one another user planted is passed over, for writing and reading alike."""
    import os

    from journal.ram_directories import own_private_directory, ram_backed_directories

    for base in ram_backed_directories():
        found = own_private_directory(base / f"mj-sessions-{os.getuid()}")
        if found is not None:
            return found
    return None


def _read_own(path: Path) -> bytes | None:
    """The file's bytes if it is a regular 0600 file of this user's, not a link, and small; else None."""
    import os
    import stat

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_uid != os.getuid() or stat.S_IMODE(status.st_mode) & 0o077 \
                or status.st_size > MAX_FILE:
            return None
        return os.read(descriptor, MAX_FILE + 1)
    finally:
        os.close(descriptor)


def _file_id(identity_path: Path) -> str:
    return crypto.sha256(crypto.lp("mj/v1/session-file", str(identity_path))).hex()[:32]


def _aad(identity_path: Path, expires: str) -> bytes:
    return crypto.lp("mj/v1/session", str(identity_path), expires)


def start(identity_path: Path, sealing_key: bytes, length: timedelta) -> tuple[str, datetime]:
    """A new session for this identity (replacing any): the token for MJ_SESSION and its end."""
    from journal.private_files import write_private

    if not SHORTEST <= length <= LONGEST:
        raise JournalError(f"a session lasts from {SHORTEST} to {LONGEST}")
    identity_path = Path(identity_path).resolve()
    directory = _directory()
    if directory is None:
        raise JournalError("no file system in RAM here ($XDG_RUNTIME_DIR or /dev/shm, of yours): a session's keys "
                           "would reach the disk, so none is started; each command asks for the passphrase")
    key = crypto.new_key()
    expires = (clock.wall_now() + length).astimezone(timezone.utc)
    stamp = expires.isoformat()
    document = {"format": FORMAT, "identity": str(identity_path), "expires": stamp,
                "sealed": base64.b64encode(crypto.chacha_seal(key, sealing_key, _aad(identity_path, stamp))).decode()}
    try:
        write_private(directory / f"{_file_id(identity_path)}.json", json.dumps(document).encode())
    except OSError as error:
        raise JournalError(f"cannot write the session in {directory}: {error.strerror}") from None
    return base64.urlsafe_b64encode(key).decode().rstrip("="), expires


def end(identity_path: Path) -> bool:
    """Removes this identity's session; whether there was one."""
    directory = _directory()
    if directory is None:
        return False
    try:
        (directory / f"{_file_id(Path(identity_path).resolve())}.json").unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise JournalError(f"cannot remove the session in {directory}: {error.strerror}") from None
    return True


def resume(identity_path: Path, token: str | None, report: Callable[[str], None]) -> tuple[Any, bytes] | None:
    """(the identity, its sealing key) from this identity's session and MJ_SESSION's `token`;
    None, after one line when something is amiss, when there is none to resume."""
    from journal.identity import unlock_with_key

    if not token:
        return None
    given, identity_path = Path(identity_path), Path(identity_path).resolve()
    try:
        key = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        report("MJ_SESSION is not a session key (`mj unlock` prints one): asking for the passphrase")
        return None
    directory = _directory()
    path = directory / f"{_file_id(identity_path)}.json" if directory is not None else None
    data = _read_own(path) if path is not None else None
    if data is None:
        report("MJ_SESSION is set, but this identity has no session (`mj unlock` starts one): asking for the "
               "passphrase")
        return None
    try:
        document = json.loads(data)
        stamp, sealed = document["expires"], base64.b64decode(document["sealed"], validate=True)
        expires = datetime.fromisoformat(stamp)
        if document.get("format") != FORMAT or document.get("identity") != str(identity_path) \
                or expires.tzinfo is None:
            raise ValueError("not a session of this identity")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, binascii.Error):
        _remove(path)
        report("the session file is damaged: removed; asking for the passphrase")
        return None
    now = clock.wall_now()
    if now >= expires or expires > now + LONGEST:  # ended, or made to outlast any session
        _remove(path)
        report("your session has ended (`mj unlock` starts another): asking for the passphrase")
        return None
    try:
        sealing_key = crypto.chacha_open(key, sealed, _aad(identity_path, stamp))
    except crypto.Unopenable:
        sealing_key = None
    if sealing_key is None:
        report("MJ_SESSION does not open this identity's session (another shell's, or an old one): asking for the "
               "passphrase")
        return None
    try:
        return unlock_with_key(given, sealing_key), sealing_key
    except JournalError:  # her passphrase changed since: the old key opens nothing
        _remove(path)
        report("the identity file changed since the session began: session removed; asking for the passphrase")
        return None


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
