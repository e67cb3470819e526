"""Known-answer vectors for the signed journal-key row and the keys derived from a journal key,
and one negative test per kind of damage to a row."""

import json
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from journal import chain, crypto, sealed_format

DOCUMENT = json.loads((Path(__file__).parent / "vectors" / "journal_key_row.json").read_text())
OWNER = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(DOCUMENT["owner_ed25519_seed"]))
OWNER_X25519 = X25519PrivateKey.from_private_bytes(bytes.fromhex(DOCUMENT["owner_x25519_private"]))
VECTORS = DOCUMENT["vectors"]


def fields(vector: dict) -> dict:
    return {"journal_id": UUID(vector["journal_id"]), "jk_id": vector["jk_id"],
            "sealed": bytes.fromhex(vector["sealed"])}


def row_key(vector: dict) -> Ed25519PrivateKey:
    """The key her rows of this journal are signed with, derived from her identity's seed."""
    return crypto.derived_signing_key(OWNER.private_bytes_raw(), crypto.JK_ROW_SIGNING_KEY_LABEL,
                                      UUID(vector["journal_id"]).hex)


def label_of(vector: dict, **changes) -> str | None:
    signature = changes.pop("signature", bytes.fromhex(vector["signature"]))
    return sealed_format.journal_key_row_label(row_key(vector).public_key(), signature, **{**fields(vector), **changes})


def flipped(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["description"])
def test_signing_a_row_reproduces_the_vector_exactly(vector):
    migrated = vector["label"] == sealed_format.JK_ROW_MIGRATED_LABEL
    assert row_key(vector).public_key().public_bytes_raw().hex() == vector["row_public_key"]
    assert sealed_format.sign_journal_key_row(row_key(vector), migrated=migrated, **fields(vector)).hex() \
        == vector["signature"]
    assert label_of(vector) == vector["label"]
    assert sealed_format.journal_key_row_label(OWNER.public_key(), bytes.fromhex(vector["signature"]),
                                               **fields(vector)) is None  # not under her identity key


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["description"])
def test_the_row_opens_to_its_journal_key_and_the_derived_keys_match(vector):
    journal_id, jk_id = UUID(vector["journal_id"]), vector["jk_id"]
    journal_key = sealed_format.open_journal_key(bytes.fromhex(vector["sealed"]), OWNER_X25519,
                                                 journal_id=journal_id, jk_id=jk_id)
    assert journal_key.hex() == vector["journal_key"]
    raw = chain.checkpoint_key(journal_key, journal_id).public_key().public_bytes_raw()
    assert raw.hex() == vector["checkpoint_public_key"]
    legacy = crypto.legacy_checkpoint_key(journal_key).public_key().public_bytes_raw()
    assert legacy.hex() == vector["legacy_checkpoint_public_key"]
    assert crypto.derive_key(journal_key, crypto.VIEW_CACHE_KEY_LABEL, journal_id.hex, jk_id).hex() \
        == vector["view_cache_key"]
    assert crypto.derive_key(journal_key, crypto.PSEUDONYM_KEY_LABEL, journal_id.hex, jk_id).hex() \
        == vector["pseudonym_key"]
    derived = {vector["view_cache_key"], vector["pseudonym_key"], vector["journal_key"]}
    assert len(derived) == 3  # no secret is the journal key, nor another secret


def test_every_kind_of_damage_to_a_row_breaks_its_signature():
    vector = VECTORS[0]
    sealed, signature = bytes.fromhex(vector["sealed"]), bytes.fromhex(vector["signature"])
    assert label_of(vector, sealed=flipped(sealed, len(sealed) - 1)) is None
    assert label_of(vector, signature=flipped(signature, 0)) is None
    assert label_of(vector, jk_id=2) is None  # moved to another key number
    assert label_of(vector, journal_id=UUID(int=1)) is None  # moved to another journal
    other = Ed25519PrivateKey.generate()
    assert sealed_format.journal_key_row_label(other.public_key(), signature, **fields(vector)) is None


def test_only_jk_1_may_carry_the_migration_label():
    vector = next(v for v in VECTORS if v["jk_id"] == 2)
    forged = sealed_format.sign_journal_key_row(row_key(vector), migrated=True, **fields(vector))
    assert label_of(vector, signature=forged) is None
