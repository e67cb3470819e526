"""A member's monthly vector as two additive shares modulo 2^64, as Prio and the IETF's DAP split
a measurement: the helper's share is a 32-byte seed expanded by a PRF (journal/crypto.prf_words),
the leader's (manager's) is the vector minus that expansion. Each alone is uniform, whatever the
vector; their sum is the vector.

    helper share     = crypto.prf_words(seed, lp("mj/v2/share-prf", length), length)
    leader share     = (vector - helper share) mod 2^64, elementwise
    leader plaintext = 0x01 ‖ u16 length ‖ length × u64 (big-endian), padded (crypto.pad)
    helper plaintext = 0x01 ‖ u16 length ‖ seed (32 bytes), padded
    each HPKE-sealed with info = lp("mj/v2/contribution-share", programme, period, pseudonym, kind),
    kind "leader" or "helper"

Binding the pseudonym, programme, period and kind into the info means a sealed share replayed
under another pseudonym, month or role does not open. Both plaintexts pad to 256 bytes up to 31
words, so every sealed share of a length has one size (304 bytes) and a row's size says nothing.
Format: docs/FORMATS.md, "Contribution shares (mj/v2)".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journal import crypto

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

MODULUS = 2**64
SEED_SIZE = 32
SHARE_FORMAT = 1
MAX_LENGTH = 2**16 - 1  # the u16 length of the encodings
KINDS = ("leader", "helper")


def _context(length: int) -> bytes:
    return crypto.lp("mj/v2/share-prf", length)


def expand(seed: bytes, length: int) -> list[int]:
    """The helper's share, from its seed."""
    return crypto.prf_words(seed, _context(length), length)


def split(vector: list[int], *, _seed: bytes | None = None) -> tuple[bytes, list[int]]:
    """(seed, leader share). `_seed` is a seam for known-answer vectors and tests only."""
    if not all(type(v) is int and 0 <= v < 2**63 for v in vector):
        raise ValueError("a share splits non-negative figures under 2^63")
    seed = crypto.random_bytes(SEED_SIZE) if _seed is None else _seed
    return seed, [(v - h) % MODULUS for v, h in zip(vector, expand(seed, len(vector)), strict=True)]


def combine(*parts: list[int]) -> list[int]:
    """Elementwise sum modulo 2^64."""
    return [sum(words) % MODULUS for words in zip(*parts, strict=True)]


def as_signed(words: list[int]) -> list[int]:
    """Words read as two's complement: a noisy total can be below zero."""
    return [w - MODULUS if w >= 2**63 else w for w in words]


def _header(length: int) -> bytes:
    if type(length) is not int or not 0 <= length <= MAX_LENGTH:
        raise ValueError("a share's length is 0 to 65535 words")
    return bytes([SHARE_FORMAT]) + length.to_bytes(2, "big")


def encode_leader(words: list[int]) -> bytes:
    return _header(len(words)) + b"".join(w.to_bytes(8, "big") for w in words)


def encode_helper(seed: bytes, length: int) -> bytes:
    if len(seed) != SEED_SIZE:
        raise ValueError("a share seed is 32 bytes")
    return _header(length) + seed


def _body(data: bytes, length: int, size: int) -> bytes:
    if data[:3] != _header(length) or len(data) != 3 + size:
        raise ValueError("not a share of this length")
    return data[3:]


def decode_leader(data: bytes, length: int) -> list[int]:
    body = _body(data, length, 8 * length)
    return [int.from_bytes(body[i:i + 8], "big") for i in range(0, len(body), 8)]


def decode_helper(data: bytes, length: int) -> list[int]:
    return expand(_body(data, length, SEED_SIZE), length)


def share_info(programme: str, period: str, pseudonym: bytes, kind: str) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"a share is a leader's or a helper's, not {kind!r}")
    return crypto.lp("mj/v2/contribution-share", programme, period, pseudonym, kind)


def seal_shares(leader_public: bytes, helper_public: bytes, programme: str, period: str, pseudonym: bytes,
                vector: list[int], *, _seed: bytes | None = None) -> tuple[bytes, bytes]:
    """(leader's sealed share, helper's sealed share), of equal sizes for every vector of a length."""
    seed, leader = split(vector, _seed=_seed)
    return (crypto.hpke_seal(crypto.x25519_public(leader_public), crypto.pad(encode_leader(leader)),
                             share_info(programme, period, pseudonym, "leader")),
            crypto.hpke_seal(crypto.x25519_public(helper_public), crypto.pad(encode_helper(seed, len(vector))),
                             share_info(programme, period, pseudonym, "helper")))


def _open(private_key: X25519PrivateKey, sealed: bytes, programme: str, period: str, pseudonym: bytes,
          kind: str) -> bytes:
    return crypto.unpad(crypto.hpke_open(private_key, sealed, share_info(programme, period, pseudonym, kind)))


def open_leader(private_key: X25519PrivateKey, sealed: bytes, programme: str, period: str, pseudonym: bytes,
                length: int) -> list[int]:
    """The leader's share; raises crypto.Unopenable or ValueError for anything but a leader's share
    of this row (another key, pseudonym, programme, period, kind or length, or altered bytes)."""
    return decode_leader(_open(private_key, sealed, programme, period, pseudonym, "leader"), length)


def open_helper(private_key: X25519PrivateKey, sealed: bytes, programme: str, period: str, pseudonym: bytes,
                length: int) -> list[int]:
    """The helper's share, expanded from its seed; raises as `open_leader` does."""
    return decode_helper(_open(private_key, sealed, programme, period, pseudonym, "helper"), length)
