"""The per-journal hash chain over ciphertext and its Ed25519-signed checkpoint.

    h_0 = 32 zero bytes;  h_n = SHA-256(0x00 ‖ h_{n-1} ‖ lp(stream, version, topic, blob))

The chain covers ciphertext only, so it still verifies after keys are shredded. The
checkpoint (stream, size, head, signature) moves in the same transaction as each write, which
makes a deleted last event or a rolled-back log visible to `mj verify`; its row is
journal/checkpoint_store.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from journal import crypto
from journal.checkpoint_store import CheckpointStore
from journal.errors import TamperedRecord

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

GENESIS = bytes(32)


def link(head: bytes, stream_id: UUID, version: int, topic: str, blob: bytes) -> bytes:
    # lp(stream_id.hex, version, topic, blob), with the recurring frames cached
    return crypto.sha256(b"".join((b"\x00", head, crypto.lp_cached(stream_id.hex), crypto.lp_int(version),
                                   crypto.lp_cached(topic), len(blob).to_bytes(4, "big"), blob)))


def checkpoint_key(journal_key: bytes, journal_id: UUID) -> Ed25519PrivateKey:
    """The journal's own checkpoint-signing key, derived (HKDF, its own label) from its first,
    signed journal key. Signing with the owner's identity key instead would let anyone match
    each journal to a directory entry by trying every public key on its checkpoint."""
    return crypto.derived_signing_key(journal_key, crypto.CHECKPOINT_KEY_LABEL, journal_id.hex)


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
            checkpoint = CheckpointStore.read(c, stream_id)
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
            signed = CheckpointStore.sign(c, stream_id, size, head, signing_key)
            self._signed_here = {(stream_id, size, head, signed.signature)}

    def head_signed(self, stream_id: UUID, size: int) -> bytes | None:
        """The head this process last signed for `stream_id`, if it was at `size` (read after a
        write commits: the head a snapshot of that write, and the device's anchor, name)."""
        return next((head for stream, signed_size, head, _ in self._signed_here
                     if stream == stream_id and signed_size == size), None)
