"""The recovery code: 24 BIP-39 words (256 bits) shown once at `mj init`, under which the
identity's private keys are also sealed, in the store:

    mj_recovery (recovery_id, sealed)
    recovery_id = hex(HKDF(entropy, "mj/v1/recovery-id")[:16]) -- finds the row, says nothing else
    sealed      = ChaCha20-Poly1305(HKDF(entropy, "mj/v1/recovery-key"),
                                    JSON {name, role, journal_id, x25519, ed25519}, aad=lp(label, recovery_id))

`mj recover` with the code and the store rebuilds the identity file on a new device. The code is
256 random bits, so no slow key derivation is needed; a store writer can delete the row (then
the code recovers nothing) but cannot forge one that opens under her code.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from uuid import UUID

from journal import crypto
from journal.errors import JournalError
from journal.identity import Identity

WORDS = 24
ROW_LABEL = "mj/v1/recovery"


class RecoveryStore:
    TABLES = ["CREATE TABLE IF NOT EXISTS mj_recovery (recovery_id TEXT PRIMARY KEY, sealed BLOB)"]

    def __init__(self, datastore: Any):
        self.datastore = datastore

    @staticmethod
    def insert(c: Any, row: tuple[str, bytes]) -> None:
        """In the caller's transaction: the row moves with her directory entry."""
        c.execute("INSERT INTO mj_recovery (recovery_id, sealed) VALUES (?, ?)", row)

    def read(self, recovery_id: str) -> bytes | None:
        from journal import columns

        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT sealed FROM mj_recovery WHERE recovery_id = ?", (recovery_id,))
            row = c.fetchone()
        return columns.blob(row[0], limit=4096) if row else None


def new_code() -> str:
    from mnemonic import Mnemonic

    return Mnemonic("english").to_mnemonic(crypto.random_bytes(32))


def entropy_of(code: str) -> bytes:
    """The 256 bits behind a code, or one line saying which word or which check is wrong."""
    from mnemonic import Mnemonic

    words = code.lower().split()
    mnemonic = Mnemonic("english")
    unknown = [(n, w) for n, w in enumerate(words, 1) if w not in mnemonic.wordlist]
    if unknown:
        n, word = unknown[0]
        raise JournalError(f"word {n} of the recovery code, {word[:20]!r}, is not one of its 2,048 words: "
                           "check its spelling")
    if len(words) != WORDS:
        raise JournalError(f"the recovery code has {len(words)} words: it has {WORDS}")
    if not mnemonic.check(" ".join(words)):
        raise JournalError("the recovery code's checksum does not hold: a word is wrong, or two are swapped")
    return bytes(mnemonic.to_entropy(words))


def _row_id(entropy: bytes) -> str:
    return crypto.derive_key(entropy, "mj/v1/recovery-id")[:16].hex()


def sealed_row(identity: Identity, code: str) -> tuple[str, bytes]:
    entropy = entropy_of(code)
    recovery_id = _row_id(entropy)
    secret = json.dumps({
        "name": identity.name, "role": identity.role,
        "journal_id": identity.journal_id.hex if identity.journal_id else None,
        "x25519": base64.b64encode(crypto.raw_private(identity.encryption_key)).decode(),
        "ed25519": base64.b64encode(crypto.raw_private(identity.signing_key)).decode(),
        "before": [list(link) for link in identity.before]}).encode()
    key = crypto.derive_key(entropy, "mj/v1/recovery-key")
    return recovery_id, crypto.chacha_seal(key, crypto.pad(secret), crypto.lp(ROW_LABEL, recovery_id))


def recover(datastore: Any, code: str, path: Path) -> Identity:
    """Her identity, as sealed under `code` in the store (not yet written to `path`)."""
    entropy = entropy_of(code)
    recovery_id = _row_id(entropy)
    sealed = RecoveryStore(datastore).read(recovery_id)
    if sealed is None:
        raise JournalError("this store holds nothing sealed under that recovery code: check --store / MJ_STORE "
                           "(the code is right: its checksum holds)")
    try:
        secret = json.loads(crypto.unpad(crypto.chacha_open(crypto.derive_key(entropy, "mj/v1/recovery-key"),
                                                            sealed, crypto.lp(ROW_LABEL, recovery_id))))
        journal_id = UUID(secret["journal_id"]) if secret.get("journal_id") else None
        before = tuple(tuple(str(part) for part in link) for link in secret.get("before", []))
        if not all(len(link) == 3 for link in before):
            raise ValueError("malformed links")
        return Identity(path, secret["name"], secret["role"], journal_id,
                        crypto.x25519_private(base64.b64decode(secret["x25519"])),
                        crypto.ed25519_private(base64.b64decode(secret["ed25519"])), before,  # type: ignore[arg-type]
                        (recovery_id,))
    except Exception:
        raise JournalError("the recovery row in this store does not open under that code: it was altered "
                           "(nothing was written)") from None


def recover_from(location: Any, code: str, path: Path) -> Identity:
    """`recover`, reading the store at `location` as nobody in particular (a throwaway reader)."""
    from journal.app import JournalApp
    from journal.store_errors import store_errors

    entropy_of(code)  # a wrong word or checksum is said before the store is opened
    reader = Identity(path, "recovery", "mentor", None, crypto.new_x25519(), crypto.new_ed25519())
    app = JournalApp(location, reader)
    try:
        with store_errors(app.store):
            return recover(app.recorder.datastore, code, path)
    finally:
        app.close()
