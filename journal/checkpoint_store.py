"""The checkpoint table (mj_checkpoints): its SQL for both backends, and typed decoding of every
column.

    mj_checkpoints (stream_id, size, head, signature)
    signature = Ed25519(the journal's checkpoint key, lp("mj/v1/checkpoint", stream_id, size, head))

The chain itself, and the key that signs its checkpoint, are journal/chain.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from journal import columns, crypto, sql
from journal.errors import TamperedRecord

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAX_SIZE = 2**40 - 1


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


class CheckpointStore:
    """The checkpoint row of each journal, read and written in the caller's transaction."""

    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_checkpoints (stream_id TEXT PRIMARY KEY, size INTEGER, "
        "head BLOB, signature BLOB) WITHOUT ROWID",
    ]
    UPSERT = sql.upsert("mj_checkpoints", ("stream_id", "size", "head", "signature"), ("stream_id",))

    @staticmethod
    def read(c: Any, stream_id: UUID) -> Checkpoint | None:
        """The journal's checkpoint row, each column of the type and size it must have (the signature
        is checked by the caller); a row that is not is TamperedRecord, never a Python error."""
        c.execute("SELECT size, head, signature FROM mj_checkpoints WHERE stream_id = ?", (stream_id.hex,))
        row = c.fetchone()
        if row is None:
            return None
        size, head, signature = (columns.integer(row[0], 0, MAX_SIZE), columns.blob(row[1], size=32),
                                 columns.blob(row[2], size=64))
        if size is None or head is None or signature is None:
            raise TamperedRecord(f"the checkpoint of journal {stream_id.hex[:8]} is malformed in the store: "
                                 "run `mj verify`")
        return Checkpoint(stream_id, size, head, signature)

    @staticmethod
    def write(c: Any, checkpoint: Checkpoint) -> None:
        c.execute(CheckpointStore.UPSERT, (checkpoint.stream_id.hex, checkpoint.size, checkpoint.head,
                                           checkpoint.signature))

    @staticmethod
    def sign(c: Any, stream_id: UUID, size: int, head: bytes, key: Ed25519PrivateKey) -> Checkpoint:
        checkpoint = Checkpoint(stream_id, size, head, crypto.sign(key, checkpoint_message(stream_id, size, head)))
        CheckpointStore.write(c, checkpoint)
        return checkpoint

    @staticmethod
    def resign(c: Any, stream_id: UUID, old_key: Ed25519PrivateKey, new_key: Ed25519PrivateKey) -> bool:
        """Migration: the checkpoint, if `old_key` signed it, signed again with `new_key`, in the caller's
        transaction. False (nothing written) when there is no checkpoint or `old_key` did not sign it."""
        checkpoint = CheckpointStore.read(c, stream_id)
        if checkpoint is None or not checkpoint.is_signed_by(old_key.public_key()):
            return False
        CheckpointStore.sign(c, stream_id, checkpoint.size, checkpoint.head, new_key)
        return True
