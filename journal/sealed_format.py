"""The sealed-event format: one data key per event, wrapped under the journal key.

    blob = 0x01 ‖ jk_id (4 bytes) ‖ AES-256-GCM(DEK, nonce, pad(plaintext),
                                             aad = lp("mj/v1/event", stream, version, topic, jk_id))
    wrap = 0x01 ‖ AES-256-GCM(JK, nonce, DEK, aad = lp("mj/v1/dek", stream, version, topic, jk_id))

The stored topic is in both associated data strings, so an event's key cannot be moved to its
snapshot (or back) at the same version; a snapshot's topic (and the view cache's) also names the
chain head at its version (`bound_topic`), so it opens only beside that head. docs/FORMATS.md
describes it for other implementers.
"""

from __future__ import annotations

from uuid import UUID

from journal import crypto

FORMAT_BYTE = b"\x01"
EVENT_TOPIC = "mj:sealed/1"
SNAPSHOT_TOPIC = "mj:sealed-snapshot/1"  # unbound, as before snapshots named the chain head: never believed
BOUND_SNAPSHOT_TOPIC = "mj:sealed-snapshot/2"
HEADER_SIZE = 5


def bound_topic(topic: str, head: bytes) -> str:
    """`topic` naming the chain head at the version a snapshot or the view cache covers. The
    topic is in both associated data strings, so the blob opens only beside that very head."""
    return f"{topic}@{head.hex()}"


def bound_head(topic: str, base: str) -> bytes | None:
    """The head a bound topic names, or None for any other topic (an unbound, older one)."""
    prefix = base + "@"
    if not topic.startswith(prefix) or len(topic) != len(prefix) + 64:
        return None
    try:
        return bytes.fromhex(topic[len(prefix):])
    except ValueError:
        return None


def _event_aad(stream_id: UUID, version: int, topic: str, jk_id: int) -> bytes:
    # == lp("mj/v1/event", stream_id.hex, version, topic, jk_id), with the recurring parts cached
    return (crypto.lp_cached("mj/v1/event", stream_id.hex) + crypto.lp_int(version)
            + crypto.lp_cached(topic, jk_id))


def _dek_aad(stream_id: UUID, version: int, topic: str, jk_id: int) -> bytes:
    # == lp("mj/v1/dek", stream_id.hex, version, topic, jk_id)
    return (crypto.lp_cached("mj/v1/dek", stream_id.hex) + crypto.lp_int(version)
            + crypto.lp_cached(topic, jk_id))


def seal_event(plaintext: bytes, *, journal_key: bytes, jk_id: int, stream_id: UUID, version: int,
               topic: str, _dek: bytes | None = None, _nonces: tuple[bytes, bytes] | None = None
               ) -> tuple[bytes, bytes]:
    """Returns (blob, wrap). `_dek` and `_nonces` are seams for known-answer vectors only."""
    dek = crypto.new_key() if _dek is None else _dek
    event_nonce, wrap_nonce = _nonces or (None, None)
    body = crypto.seal(dek, crypto.pad(plaintext), _event_aad(stream_id, version, topic, jk_id),
                       _nonce=event_nonce)
    wrap = crypto.seal(journal_key, dek, _dek_aad(stream_id, version, topic, jk_id), _nonce=wrap_nonce)
    return FORMAT_BYTE + jk_id.to_bytes(4, "big") + body, FORMAT_BYTE + wrap


def wrap_data_key(dek: bytes, *, journal_key: bytes, jk_id: int, stream_id: UUID, version: int, topic: str) -> bytes:
    """A record's data key wrapped again, under another journal key (`mj keys rotate`): its
    key-store row then names `jk_id`, while the record keeps the number it was sealed under."""
    return FORMAT_BYTE + crypto.seal(journal_key, dek, _dek_aad(stream_id, version, topic, jk_id))


def key_id_of(blob: bytes) -> int:
    if len(blob) < HEADER_SIZE or blob[:1] != FORMAT_BYTE:
        raise crypto.Unopenable()
    return int.from_bytes(blob[1:HEADER_SIZE], "big")


def unwrap_data_key(wrap: bytes, *, journal_key: bytes, jk_id: int, stream_id: UUID, version: int,
                    topic: str) -> bytes:
    if wrap[:1] != FORMAT_BYTE:
        raise crypto.Unopenable()
    return crypto.open_sealed(journal_key, wrap[1:], _dek_aad(stream_id, version, topic, jk_id))


def open_with_data_key(blob: bytes, dek: bytes, *, stream_id: UUID, version: int, topic: str) -> bytes:
    jk_id = key_id_of(blob)
    padded = crypto.open_sealed(dek, blob[HEADER_SIZE:], _event_aad(stream_id, version, topic, jk_id))
    return crypto.unpad(padded)


def open_event(blob: bytes, wrap: bytes, *, journal_key: bytes, stream_id: UUID, version: int,
               topic: str) -> bytes:
    jk_id = key_id_of(blob)
    dek = unwrap_data_key(wrap, journal_key=journal_key, jk_id=jk_id, stream_id=stream_id,
                          version=version, topic=topic)
    return open_with_data_key(blob, dek, stream_id=stream_id, version=version, topic=topic)


def seal_journal_key(journal_key: bytes, recipient, *, journal_id: UUID, jk_id: int) -> bytes:
    info = crypto.lp("mj/v1/jk", journal_id.hex, jk_id)
    return FORMAT_BYTE + crypto.hpke_seal(recipient, journal_key, info)


def open_journal_key(sealed: bytes, private_key, *, journal_id: UUID, jk_id: int) -> bytes:
    if sealed[:1] != FORMAT_BYTE:
        raise crypto.Unopenable()
    return crypto.hpke_open(private_key, sealed[1:], crypto.lp("mj/v1/jk", journal_id.hex, jk_id))


# A journal-key row is believed only under the owner's Ed25519 signature: HPKE base mode
# authenticates no sender, so anyone could seal a key of their own to her public key.
JK_ROW_LABEL = "mj/v1/jk-row"
# jk 1 of a journal made before rows were signed, signed when it was migrated (journal/keyring.py):
# its pseudonyms were derived the old way, and a reader must still recognise them.
JK_ROW_MIGRATED_LABEL = "mj/v1/jk-row-migrated"
SIGNATURE_SIZE = 64


def sign_journal_key_row(signing_key, *, journal_id: UUID, jk_id: int, sealed: bytes, migrated: bool = False
                         ) -> bytes:
    label = JK_ROW_MIGRATED_LABEL if migrated else JK_ROW_LABEL
    return crypto.sign(signing_key, crypto.lp(label, journal_id.hex, jk_id, sealed))


def journal_key_row_label(public_key, signature: bytes, *, journal_id: UUID, jk_id: int, sealed: bytes
                          ) -> str | None:
    """The label the owner signed the row under, or None when the signature does not hold."""
    labels = (JK_ROW_LABEL, JK_ROW_MIGRATED_LABEL) if jk_id == 1 else (JK_ROW_LABEL,)
    for label in labels:
        if crypto.signature_holds(public_key, signature, crypto.lp(label, journal_id.hex, jk_id, sealed)):
            return label
    return None
