"""The per-journal hash chain over ciphertext and its Ed25519-signed checkpoint.

    h_0 = 32 zero bytes;  h_n = SHA-256(0x00 ‖ h_{n-1} ‖ lp(stream, version, topic, blob))

The chain covers ciphertext only, so it still verifies after keys are shredded. The
checkpoint (stream, size, head, signature) moves in the same transaction as each write, which
makes a deleted last event or a rolled-back log visible to `mj verify`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from journal import crypto, key_store
from journal.errors import TamperedRecord

GENESIS = bytes(32)


def link(head: bytes, stream_id: UUID, version: int, topic: str, blob: bytes) -> bytes:
    # lp(stream_id.hex, version, topic, blob), with the recurring frames cached
    return hashlib.sha256(b"".join((b"\x00", head, crypto.lp_cached(stream_id.hex), crypto.lp_int(version),
                                    crypto.lp_cached(topic), len(blob).to_bytes(4, "big"), blob))).digest()


def checkpoint_message(stream_id: UUID, size: int, head: bytes) -> bytes:
    return crypto.lp("mj/v1/checkpoint", stream_id.hex, size, head)


@dataclass(frozen=True)
class Checkpoint:
    stream_id: UUID
    size: int
    head: bytes
    signature: bytes

    def is_signed_by(self, public_key: Ed25519PublicKey) -> bool:
        return crypto.signature_holds(public_key, self.signature,
                                      checkpoint_message(self.stream_id, self.size, self.head))


CHECKPOINT_UPSERT = key_store.upsert("mj_checkpoints", ("stream_id", "size", "head", "signature"), ("stream_id",))


def read_checkpoint(c: Any, stream_id: UUID) -> Checkpoint | None:
    """The journal's checkpoint row, each column of the type and size it must have (the signature
    is checked by the caller); a row that is not is TamperedRecord, never a Python error."""
    c.execute("SELECT size, head, signature FROM mj_checkpoints WHERE stream_id = ?", (stream_id.hex,))
    row = c.fetchone()
    if row is None:
        return None
    size, head, signature = row
    blobs = (bytes, bytearray, memoryview)
    if type(size) is not int or not 0 <= size < 2**40 or not isinstance(head, blobs) or len(head) != 32 \
            or not isinstance(signature, blobs) or len(signature) != 64:
        raise TamperedRecord(f"the checkpoint of journal {stream_id.hex[:8]} is malformed in the store: "
                             "run `mj verify`")
    return Checkpoint(stream_id, size, bytes(head), bytes(signature))


def checkpoint_key(journal_key: bytes, journal_id: UUID) -> Ed25519PrivateKey:
    """The journal's own checkpoint-signing key, derived (HKDF, its own label) from its first,
    signed journal key. Signing with the owner's identity key instead would let anyone match
    each journal to a directory entry by trying every public key on its checkpoint."""
    return crypto.derived_signing_key(journal_key, crypto.CHECKPOINT_KEY_LABEL, journal_id.hex)


def resign_checkpoint(c: Any, stream_id: UUID, old_key: Ed25519PrivateKey, new_key: Ed25519PrivateKey) -> bool:
    """Migration: the checkpoint, if `old_key` signed it, signed again with `new_key`, in the caller's
    transaction. False (nothing written) when there is no checkpoint or `old_key` did not sign it."""
    checkpoint = read_checkpoint(c, stream_id)
    if checkpoint is None or not checkpoint.is_signed_by(old_key.public_key()):
        return False
    signature = crypto.sign(new_key, checkpoint_message(stream_id, checkpoint.size, checkpoint.head))
    c.execute(CHECKPOINT_UPSERT, (stream_id.hex, checkpoint.size, checkpoint.head, signature))
    return True


class Checkpointer:
    """Extends the chain of each stream written in a transaction and re-signs its checkpoint,
    with the key `key_for(stream_id)` gives."""

    def __init__(self, key_for: Callable[[UUID], Ed25519PrivateKey]):
        self.key_for = key_for
        self._signed_here: set[tuple[UUID, int, bytes, bytes]] = set()

    def extend(self, c: Any, stored_events: Iterable[Any]) -> None:
        by_stream: dict[UUID, list[Any]] = {}
        for stored in stored_events:
            by_stream.setdefault(stored.originator_id, []).append(stored)
        for stream_id, events in by_stream.items():
            signing_key = self.key_for(stream_id)
            checkpoint = read_checkpoint(c, stream_id)
            size, head = (0, GENESIS) if checkpoint is None else (checkpoint.size, checkpoint.head)
            signed_here = checkpoint is not None and (
                (stream_id, checkpoint.size, checkpoint.head, checkpoint.signature) in self._signed_here)
            # A checkpoint this process signed a moment ago needs no second look.
            if checkpoint is not None and not signed_here and not checkpoint.is_signed_by(signing_key.public_key()):
                raise TamperedRecord(f"the checkpoint of journal {stream_id.hex[:8]} is not signed "
                                     "by its owner: run `mj verify`")
            for stored in sorted(events, key=lambda s: s.originator_version):
                if stored.originator_version != size + 1:
                    raise TamperedRecord(
                        f"journal {stream_id.hex[:8]} has a checkpoint at record {size} but the next "
                        f"write is record {stored.originator_version}: run `mj verify`")
                head = link(head, stream_id, stored.originator_version, stored.topic, stored.state)
                size += 1
            signature = crypto.sign(signing_key, checkpoint_message(stream_id, size, head))
            c.execute(CHECKPOINT_UPSERT, (stream_id.hex, size, head, signature))
            self._signed_here = {(stream_id, size, head, signature)}

    def head_signed(self, stream_id: UUID, size: int) -> bytes | None:
        """The head this process last signed for `stream_id`, if it was at `size` (read after a
        write commits: the head a snapshot of that write, and the device's anchor, name)."""
        return next((head for stream, signed_size, head, _ in self._signed_here
                     if stream == stream_id and signed_size == size), None)
