"""Identity files: one person's X25519 and Ed25519 keys, sealed under a passphrase (Argon2id).

The header (name, role, public keys, KDF parameters) is readable without the passphrase and is
bound to the sealed keys as associated data, so it cannot be edited without detection. KDF
parameters are checked against a floor and a ceiling before any work is done.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from journal import crypto
from journal.errors import (IdentityDamaged, JournalError, IdentityExists, NoIdentity,
                            WrongPassphrase)
from journal.private_files import write_private

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

FORMAT = "mj-identity/1"
ROLES = ("mentee", "mentor", "manager", "steward")  # steward: a programme's helper

# Defaults follow RFC 9106's second recommendation scaled to a laptop; the floor is OWASP's
# minimum for Argon2id; the ceiling stops a hostile header from exhausting the machine.
KDF_DEFAULT = {"memory_kib": 64 * 1024, "iterations": 3, "lanes": 4}
KDF_FLOOR = {"memory_kib": 19 * 1024, "iterations": 2, "lanes": 1}
KDF_CEILING = {"memory_kib": 4 * 1024 * 1024, "iterations": 16, "lanes": 16}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode(), validate=True)


def fingerprint_of(x25519_public: bytes, ed25519_public: bytes) -> str:
    digest = crypto.sha256(x25519_public, ed25519_public)[:16].hex()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


@dataclass(frozen=True)
class Identity:
    """An unlocked identity: private keys in memory only."""

    path: Path
    name: str
    role: str
    journal_id: UUID | None
    encryption_key: X25519PrivateKey
    signing_key: Ed25519PrivateKey
    # The keys she had before, as her directory entry links them (journal/directory.py), and the
    # ids of the recovery rows sealing these keys: both public, both kept in the file's header.
    before: tuple[tuple[str, str, str], ...] = ()
    recovery_ids: tuple[str, ...] = ()

    @property
    def x25519_public(self) -> bytes:
        return crypto.raw_public(self.encryption_key.public_key())

    @property
    def ed25519_public(self) -> bytes:
        return crypto.raw_public(self.signing_key.public_key())

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.x25519_public, self.ed25519_public)


def _derive(passphrase: str, salt: bytes, kdf: dict) -> bytes:
    return crypto.passphrase_key(passphrase, salt, memory_kib=kdf["memory_kib"], iterations=kdf["iterations"],
                                 lanes=kdf["lanes"])


def _header_aad(header: dict) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def ensure_no_identity(path: Path) -> None:
    if path.exists():
        raise IdentityExists(path)


NAME_LIMIT = 80
# A name must never be mistaken for a fingerprint: a query of hex digits is one (directory.find),
# and `Name (ab12 cd34)` is how people are shown, so no name may hold two groups of four either.
_FINGERPRINT_LIKE = re.compile(r"[0-9a-f]{4}[\s:-]*[0-9a-f]{4}", re.IGNORECASE)
_HEX_QUERY = re.compile(r"[0-9a-f]{4,}", re.IGNORECASE)


def name_problem(name: str) -> str | None:
    """Why `name` (already trimmed) cannot be a person's name in the directory, or None. The
    same rule decides, on the read side, which directory names are trusted for matching."""
    import unicodedata

    if len(name) > NAME_LIMIT:
        return f"a name has at most {NAME_LIMIT} characters (this one has {len(name)})"
    for char in name:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return (f"a name cannot hold control, format or bidi characters (it holds U+{ord(char):04X}): "
                    "they could change how other people's screens show it")
    if _HEX_QUERY.fullmatch("".join(name.split())) or _FINGERPRINT_LIKE.search(name):
        return ("a name cannot look like a fingerprint (hex digits, or two groups of four): "
                "people would take it for someone's keys")
    return None


def check_new_name(name: str) -> str:
    """The name as the journal and the directory will keep it (trimmed), or RuleBroken saying
    what is wrong with it: the journal's own rule for its owner's name, and the directory's
    (at most NAME_LIMIT characters, no control or bidi characters, nothing fingerprint-shaped),
    for every role."""
    from domain.journal import MenteeJournal

    trimmed = MenteeJournal.open(name).owner_name
    problem = name_problem(trimmed)
    if problem:
        from domain.errors import RuleBroken

        raise RuleBroken(problem)
    return trimmed


def new_identity(path: Path, *, name: str, role: str, journal_id: UUID | None) -> Identity:
    """Fresh keys in memory, for a name and role already checked; nothing is written until
    `save_identity`."""
    ensure_no_identity(path)
    if role not in ROLES:
        raise JournalError(f"role {role!r} does not exist: a role is one of {', '.join(ROLES)}")
    return Identity(path, check_new_name(name), role, journal_id, crypto.new_x25519(), crypto.new_ed25519())


def save_identity(identity: Identity, passphrase: str) -> None:
    """Seals the keys under `passphrase` (a fresh salt) and replaces the file atomically: a fresh
    0600 file, synced, renamed over the old one; never the old and the new side by side."""
    from journal.passphrases import check_new_passphrase

    check_new_passphrase(passphrase, hints=(identity.name,))
    kdf = dict(KDF_DEFAULT, name="argon2id", salt=_b64(crypto.random_bytes(16)))
    write_sealed(identity, kdf, _derive(passphrase, _unb64(kdf["salt"]), kdf), identity.path)


def write_sealed(identity: Identity, kdf: dict, sealing_key: bytes, path: Path, extra: dict | None = None) -> None:
    """`identity` sealed under `sealing_key` (Argon2id of her passphrase with `kdf`), written
    whole to `path`: a fresh 0600 file, synced, renamed over whatever was there. `extra` goes
    into the header (bound to the keys with it)."""
    header = {
        "format": FORMAT, "name": identity.name, "role": identity.role,
        "journal_id": identity.journal_id.hex if identity.journal_id else None,
        "public": {"x25519": _b64(identity.x25519_public), "ed25519": _b64(identity.ed25519_public)},
        "kdf": kdf, **(extra or {}),
    }
    if identity.before:
        header["before"] = [list(link) for link in identity.before]
    if identity.recovery_ids:
        header["recovery_ids"] = list(identity.recovery_ids)
    secret = crypto.raw_private(identity.encryption_key) + crypto.raw_private(identity.signing_key)
    sealed = crypto.chacha_seal(sealing_key, secret, _header_aad(header))
    try:  # written whole or not at all, so a crash never leaves half an identity file
        write_private(path, json.dumps(dict(header, sealed=_b64(sealed)), indent=2).encode(), make_parent=True)
    except OSError as error:
        raise JournalError(f"cannot write identity file {path}: {error.strerror}") from None


def read_header(path: Path) -> dict:
    """The public part of an identity file, validated; raises a clear error if it is damaged."""
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise NoIdentity(path) from None
    except (OSError, ValueError):
        raise IdentityDamaged(f"identity file {path} is damaged or truncated: restore it from your backup") from None
    try:
        if document.get("format") != FORMAT:
            raise IdentityDamaged(f"identity file {path} has an unknown format {document.get('format')!r}")
        kdf = document["kdf"]
        if kdf.get("name") != "argon2id":
            raise IdentityDamaged(f"identity file {path} names an unsupported KDF {kdf.get('name')!r}")
        for key in KDF_DEFAULT:
            value = kdf[key]
            if not isinstance(value, int) or not KDF_FLOOR[key] <= value <= KDF_CEILING[key]:
                raise IdentityDamaged(
                    f"identity file {path} asks for KDF {key}={value}, outside the safe range "
                    f"{KDF_FLOOR[key]}–{KDF_CEILING[key]}: the file was altered; restore it from your backup")
        if len(_unb64(kdf["salt"])) < 16:
            raise IdentityDamaged(f"identity file {path} has a salt shorter than 16 bytes")
        if document["role"] not in ROLES:
            raise IdentityDamaged(f"identity file {path} names an unknown role {document['role']!r}")
        _unb64(document["public"]["x25519"]), _unb64(document["public"]["ed25519"]), _unb64(document["sealed"])
    except (KeyError, TypeError, AttributeError, ValueError):
        raise IdentityDamaged(f"identity file {path} is damaged or truncated: restore it from your backup") from None
    return document


def unlock_identity(path: Path, passphrase: str) -> Identity:
    return PendingUnlock(path, passphrase, background=False).finish()


class PendingUnlock:
    """An unlock whose key derivation runs in a forked child, so that the caller can import
    the rest of the program meanwhile: Argon2id holds the GIL, but a second process has the
    machine's other core. Only for a single-threaded caller (the command line): forking a
    process with other threads running could leave the child stuck on a lock they held.
    Without `background`, or without fork, the derivation simply runs in `finish`."""

    def __init__(self, path: Path, passphrase: str, *, background: bool):
        self.path, self.passphrase = path, passphrase
        self.document = read_header(path)
        self.header = {k: v for k, v in self.document.items() if k != "sealed"}
        self._child, self._pipe = None, None
        if background and hasattr(os, "fork"):
            reader, writer = os.pipe()
            child = os.fork()
            if child == 0:  # the child derives, writes the key, and leaves without cleanup
                try:
                    os.close(reader)
                    os.write(writer, self._derive())
                finally:
                    os._exit(0)
            os.close(writer)
            self._child, self._pipe = child, reader

    def _derive(self) -> bytes:
        return _derive(self.passphrase, _unb64(self.header["kdf"]["salt"]), self.header["kdf"])

    def _sealing_key(self) -> bytes:
        if self._child is None:
            return self._derive()
        try:
            key = b""
            while len(key) < 32 and (chunk := os.read(self._pipe, 32 - len(key))):
                key += chunk
        finally:
            os.close(self._pipe)
            os.waitpid(self._child, 0)
        return key if len(key) == 32 else self._derive()

    def finish(self) -> Identity:
        header, path = self.header, self.path
        sealed = _unb64(self.document["sealed"])
        self.sealing_key = self._sealing_key()  # kept to seal new keys under the same passphrase
        try:
            secret = crypto.chacha_open(self.sealing_key, sealed, _header_aad(header))
        except Exception:
            raise WrongPassphrase(path) from None
        encryption_key = crypto.x25519_private(secret[:32])
        signing_key = crypto.ed25519_private(secret[32:])
        if (crypto.raw_public(encryption_key.public_key()) != _unb64(header["public"]["x25519"])
                or crypto.raw_public(signing_key.public_key()) != _unb64(header["public"]["ed25519"])):
            raise IdentityDamaged(f"identity file {path} holds keys that do not match its public keys")
        journal_id = UUID(header["journal_id"]) if header.get("journal_id") else None
        before, recovery_ids = header.get("before", []), header.get("recovery_ids", [])
        if not (type(before) is list and all(type(link) is list and len(link) == 3 and all(type(part) is str
                                                                                         for part in link)
                                             for link in before)
                and type(recovery_ids) is list and all(type(r) is str for r in recovery_ids)):
            raise IdentityDamaged(f"identity file {path} has a malformed list of earlier keys or recovery rows")
        return Identity(path, header["name"], header["role"], journal_id, encryption_key, signing_key,
                        tuple(tuple(link) for link in before), tuple(recovery_ids))  # type: ignore[misc]


def begin_unlock(path: Path, passphrase: str) -> PendingUnlock:
    """Starts deriving the passphrase key in a forked child; `finish()` collects it."""
    return PendingUnlock(path, passphrase, background=True)


def unlock_with_key(path: Path, sealing_key: bytes) -> Identity:
    """The identity in `path`, sealed under a key already derived from her passphrase (a
    rotation's new file, sealed with the same salt): no second key derivation."""
    pending = PendingUnlock(path, "", background=False)
    pending._derive = lambda: sealing_key  # type: ignore[method-assign]
    return pending.finish()
