"""The store's directory of people: self-signed entries of name, role and public keys.

A signature only proves that whoever wrote the entry holds its keys; whether those keys belong
to the person named is settled by comparing fingerprints out of band (`mj whoami`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from journal import crypto
from journal.key_store import upsert
from journal.errors import JournalError
from journal.identity import Identity, fingerprint_of


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    fingerprint: str
    x25519: bytes
    ed25519: bytes
    verified: bool

    @property
    def encryption_key(self) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(self.x25519)

    @property
    def signing_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.ed25519)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "fingerprint": self.fingerprint, "verified": self.verified}


def _entry_bytes(name: str, role: str, x25519: bytes, ed25519: bytes) -> bytes:
    return json.dumps({"format": "mj-directory/1", "name": name, "role": role, "x25519": x25519.hex(),
                       "ed25519": ed25519.hex()}, sort_keys=True, separators=(",", ":")).encode()


def publish(datastore: Any, identity: Identity) -> None:
    entry = _entry_bytes(identity.name, identity.role, identity.x25519_public, identity.ed25519_public)
    signature = crypto.sign(identity.signing_key, crypto.lp("mj/v1/directory", entry))
    with datastore.transaction(commit=True) as c:
        c.execute(upsert("mj_directory", ("fingerprint", "entry", "signature"), ("fingerprint",)),
                  (identity.fingerprint, entry, signature))


def people(datastore: Any) -> list[Person]:
    with datastore.transaction(commit=False) as c:
        c.execute("SELECT fingerprint, entry, signature FROM mj_directory ORDER BY fingerprint")
        rows = c.fetchall()
    found = []
    for fingerprint, entry, signature in rows:
        try:
            document = json.loads(bytes(entry))
            x25519, ed25519 = bytes.fromhex(document["x25519"]), bytes.fromhex(document["ed25519"])
            verified = (fingerprint == fingerprint_of(x25519, ed25519) and crypto.signature_holds(
                Ed25519PublicKey.from_public_bytes(ed25519), bytes(signature),
                crypto.lp("mj/v1/directory", bytes(entry))))
            found.append(Person(str(document["name"]), str(document["role"]), fingerprint, x25519, ed25519,
                                verified))
        except (ValueError, KeyError, TypeError):
            found.append(Person("(unreadable entry)", "?", str(fingerprint), b"", b"", False))
    return found


def by_fingerprint(datastore: Any, fingerprint: str) -> Person | None:
    return next((p for p in people(datastore) if p.fingerprint == fingerprint and p.verified), None)


def find(datastore: Any, query: str, *, role: str) -> Person:
    """One verified person of `role` by name (case-insensitive) or fingerprint prefix."""
    wanted = query.strip().casefold()
    compact = wanted.replace(" ", "")
    everyone = people(datastore)
    verified = [p for p in everyone if p.verified]
    matches = [p for p in verified if p.name.casefold() == wanted] or [
        p for p in verified if p.name.casefold().startswith(wanted) or (
            len(compact) >= 4 and p.fingerprint.replace(" ", "").startswith(compact))]
    if len(matches) == 1 and matches[0].role == role:
        return matches[0]
    if len(matches) == 1:
        raise JournalError(f"{matches[0].name} is a {matches[0].role}, not a {role}")
    listing = "; ".join(f"{p.name} ({p.role}, {p.fingerprint})" for p in matches)
    if not matches:
        unverified = [p.name for p in everyone if not p.verified and p.name.casefold() == wanted]
        hint = f" ({query!r} has an entry whose signature does not verify: not used)" if unverified else ""
        same_role = "; ".join(f"{p.name} ({p.fingerprint})" for p in verified if p.role == role)
        raise JournalError(f"no {role} {query!r} in this store's directory{hint}; "
                           f"{role}s here: {same_role or 'none yet'}")
    raise JournalError(f"{query!r} is ambiguous: {listing}; give a longer fingerprint prefix")
