"""The one small crypto module: every primitive the program uses, and nothing else imports one.

- randomness: `new_key`, `random_bytes`, `random_below` (all from the OS)
- framing and padding: `lp`, `lp_cached`, `lp_int`, `pad`, `unpad`
- AEAD: `seal`/`open_sealed` (AES-256-GCM), `chacha_seal`/`chacha_open` (the identity file)
- HPKE to an X25519 key: `hpke_seal`, `hpke_open`
- keys: `new_x25519`, `x25519_private`, `x25519_public`, `new_ed25519`, `ed25519_private`,
  `ed25519_public`, `raw_public`, `raw_private`
- signatures: `sign`, `signature_holds`
- key derivation: `derive_key` (HKDF), `derived_signing_key`, `passphrase_key` (Argon2id),
  `legacy_checkpoint_key`
- hashes and MACs: `sha256`, `mac` (HMAC-SHA256 over `lp`), `mac_holds` (constant time)

Every failure to open (wrong key, altered bytes, wrong associated data) is the same opaque
`Unopenable`; callers turn it into a message that names the record.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_SIZE = 12
KEY_SIZE = 32
MIN_PADDED = 256
PAD_MARK = b"\x80"

_SUITE = None


class Unopenable(Exception):
    """Wrong key, or the bytes or their context were altered. Deliberately says no more."""


def new_key() -> bytes:
    return os.urandom(KEY_SIZE)


def random_bytes(size: int) -> bytes:
    return os.urandom(size)


def random_below(n: int) -> int:
    """A uniform integer in [0, n), from the OS's CSPRNG."""
    import secrets

    return secrets.randbelow(n)


def lp(*parts: bytes | str | int) -> bytes:
    """Length-prefixed concatenation, so that no two different part lists frame alike."""
    chunks = []
    for part in parts:
        kind = part.__class__
        if kind is str:
            part = part.encode()  # type: ignore[union-attr]
        elif kind is int:
            part = part.to_bytes(8, "big", signed=False)  # type: ignore[union-attr]
        chunks.append(len(part).to_bytes(4, "big"))  # type: ignore[arg-type]
        chunks.append(part)
    return b"".join(chunks)  # type: ignore[arg-type]


@lru_cache(maxsize=256)
def lp_cached(*parts: bytes | str | int) -> bytes:
    """`lp` of parts that recur (labels, stream ids, topics): framing is concatenation, so a
    cached frame of the leading parts joined with fresh frames of the rest equals `lp` of all."""
    return lp(*parts)


def lp_int(value: int) -> bytes:
    return b"\x00\x00\x00\x08" + value.to_bytes(8, "big", signed=False)


def pad(data: bytes) -> bytes:
    """Pad to the next power of two (at least 256 bytes) so sizes say little about content."""
    size = MIN_PADDED
    while size < len(data) + 1:
        size *= 2
    return data + PAD_MARK + bytes(size - len(data) - 1)


def unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(PAD_MARK):
        raise Unopenable()
    return end[:-1]


def seal(key: bytes, plaintext: bytes, aad: bytes, *, _nonce: bytes | None = None) -> bytes:
    """AES-256-GCM; returns nonce ‖ ciphertext ‖ tag. `_nonce` is a seam for test vectors only."""
    nonce = os.urandom(NONCE_SIZE) if _nonce is None else _nonce
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < NONCE_SIZE + 16:
        raise Unopenable()
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], aad)
    except (InvalidTag, ValueError):
        raise Unopenable() from None


def chacha_seal(key: bytes, plaintext: bytes, aad: bytes, *, _nonce: bytes | None = None) -> bytes:
    """ChaCha20-Poly1305 (the identity file's cipher); returns nonce ‖ ciphertext ‖ tag."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    nonce = os.urandom(NONCE_SIZE) if _nonce is None else _nonce
    return nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)


def chacha_open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    try:
        return ChaCha20Poly1305(key).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], aad)
    except (InvalidTag, ValueError):
        raise Unopenable() from None


def _suite():
    global _SUITE
    if _SUITE is None:
        from cryptography.hazmat.primitives import hpke

        _SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
    return _SUITE


def hpke_seal(recipient: X25519PublicKey, plaintext: bytes, info: bytes) -> bytes:
    return _suite().encrypt(plaintext, recipient, info=info)


def hpke_open(private_key: X25519PrivateKey, sealed: bytes, info: bytes) -> bytes:
    try:
        return _suite().decrypt(sealed, private_key, info=info)
    except (InvalidTag, ValueError):
        raise Unopenable() from None


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    return key.sign(message)


def signature_holds(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def new_x25519() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def x25519_private(raw: bytes) -> X25519PrivateKey:
    """ValueError unless `raw` is 32 bytes."""
    return X25519PrivateKey.from_private_bytes(raw)


def x25519_public(raw: bytes) -> X25519PublicKey:
    """ValueError unless `raw` is 32 bytes."""
    return X25519PublicKey.from_public_bytes(raw)


def new_ed25519() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def ed25519_private(raw: bytes) -> Ed25519PrivateKey:
    """ValueError unless `raw` is 32 bytes."""
    return Ed25519PrivateKey.from_private_bytes(raw)


def ed25519_public(raw: bytes) -> Ed25519PublicKey:
    """ValueError unless `raw` is 32 bytes."""
    return Ed25519PublicKey.from_public_bytes(raw)


def raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes_raw()


def raw_private(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes_raw()


# Every long-lived per-journal secret has its own label and is derived from a signed journal
# key, so no secret is the AES key that wraps the data keys (docs/FORMATS.md, "Derived keys").
CHECKPOINT_KEY_LABEL = "mj/v1/derive/checkpoint-key"
VIEW_CACHE_KEY_LABEL = "mj/v1/derive/view-cache-key"
PSEUDONYM_KEY_LABEL = "mj/v1/derive/pseudonym-key"
# Her journal-key rows are signed with a key derived from her identity's signing key and the
# journal id, not with the identity key itself: only she can derive it (and so check her rows),
# and nobody can try the directory's public keys on the rows to learn whose journal it is.
JK_ROW_SIGNING_KEY_LABEL = "mj/v1/derive/jk-row-signing-key"


def derive_key(key: bytes, label: str, *context: bytes | str | int) -> bytes:
    """HKDF-SHA256 (no salt: `key` is already uniform), info = lp(label, *context)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=lp(label, *context)).derive(key)


def derived_signing_key(key: bytes, label: str, *context: bytes | str | int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(derive_key(key, label, *context))


def passphrase_key(passphrase: str, salt: bytes, *, memory_kib: int, iterations: int, lanes: int) -> bytes:
    """Argon2id of the UTF-8 passphrase, 32 bytes; the caller checks the parameters' bounds."""
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    return Argon2id(salt=salt, length=KEY_SIZE, iterations=iterations, lanes=lanes,
                    memory_cost=memory_kib).derive(passphrase.encode())


def legacy_checkpoint_key(journal_key: bytes) -> Ed25519PrivateKey:
    """How journals made before signed journal keys signed their checkpoint: read once, to
    migrate them (journal/keyring.py), never to sign."""
    return Ed25519PrivateKey.from_private_bytes(hmac.new(journal_key, b"mj/v1/checkpoint-key", hashlib.sha256).digest())


def sha256(*parts: bytes) -> bytes:
    """SHA-256 of the parts joined (not framed: frame them with `lp` where that matters)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.digest()


def mac(key: bytes, *parts: bytes | str | int) -> bytes:
    """HMAC-SHA256 of lp(*parts)."""
    return hmac.new(key, lp(*parts), hashlib.sha256).digest()


def mac_holds(given: str | bytes, expected: str | bytes) -> bool:
    """Constant-time equality of a MAC read from a file with the one computed; False, not an
    error, for a value of the wrong type or with non-ASCII characters."""
    try:
        return hmac.compare_digest(given, expected)
    except TypeError:
        return False


def prf_words(seed: bytes, context: bytes, count: int) -> list[int]:
    """`count` unsigned 64-bit words (big-endian) of the ChaCha20 keystream under
    HKDF(seed, lp("mj/v2/derive/share-prf", context)), nonce zero: a helper's share from its seed."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

    if len(seed) != KEY_SIZE:
        raise ValueError("a share seed is 32 bytes")
    key = derive_key(seed, "mj/v2/derive/share-prf", context)
    stream = Cipher(algorithms.ChaCha20(key, bytes(16)), mode=None).encryptor().update(bytes(8 * count))
    return [int.from_bytes(stream[i:i + 8], "big") for i in range(0, 8 * count, 8)]
