"""Known-answer vector for the identity file, and its refusals: a wrong passphrase, an edited
header, KDF parameters outside the safe range."""

import base64
import json
import os

import pytest

from journal import identity
from journal.errors import IdentityDamaged, WrongPassphrase
from tests.unit.known_answers import person, vectors

VECTOR = vectors("identity")
OWNER = VECTOR["owner"]


@pytest.fixture
def vector_kdf(monkeypatch):
    monkeypatch.setattr(identity, "KDF_DEFAULT", VECTOR["kdf"])


@pytest.fixture
def stored(tmp_path, vector_kdf):
    path = tmp_path / "identity.json"
    path.write_text(VECTOR["file"])
    return path


def written(path, text):
    path.write_text(text)
    return path


def test_saving_with_the_vectors_salt_and_nonce_writes_the_file_exactly(tmp_path, monkeypatch, vector_kdf):
    pinned = {16: bytes.fromhex(VECTOR["salt"]), 12: bytes.fromhex(VECTOR["nonce"])}
    real = os.urandom
    monkeypatch.setattr(os, "urandom", lambda n: pinned.pop(n) if n in pinned else real(n))
    path = tmp_path / "identity.json"
    identity.save_identity(person(OWNER, path), VECTOR["passphrase"])
    assert pinned == {}  # both were drawn
    assert path.read_text() == VECTOR["file"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_the_fingerprint_is_the_first_half_of_the_hash_of_both_public_keys():
    assert identity.fingerprint_of(bytes.fromhex(OWNER["x25519_public"]), bytes.fromhex(OWNER["ed25519_public"])) \
        == OWNER["fingerprint"]


def test_unlocking_the_vector_gives_its_keys_name_and_journal(stored):
    unlocked = identity.unlock_identity(stored, VECTOR["passphrase"])
    assert unlocked.signing_key.private_bytes_raw().hex() == OWNER["ed25519_seed"]
    assert unlocked.encryption_key.private_bytes_raw().hex() == OWNER["x25519_private"]
    assert (unlocked.name, unlocked.role, unlocked.journal_id.hex) == (OWNER["name"], "mentee", OWNER["journal_id"])
    assert unlocked.fingerprint == OWNER["fingerprint"]


def test_the_header_as_associated_data_is_its_canonical_json(stored):
    header = {k: v for k, v in json.loads(VECTOR["file"]).items() if k != "sealed"}
    assert json.dumps(header, sort_keys=True, separators=(",", ":")) == VECTOR["aad"]
    assert identity.read_header(stored)["kdf"] == json.loads(VECTOR["file"])["kdf"]


def test_the_sealing_key_is_argon2id_of_the_passphrase_and_opens_the_sealed_keys():
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    key = identity._derive(VECTOR["passphrase"], bytes.fromhex(VECTOR["salt"]), VECTOR["kdf"])
    assert key.hex() == VECTOR["sealing_key"]
    sealed = base64.b64decode(json.loads(VECTOR["file"])["sealed"])
    assert sealed[:12].hex() == VECTOR["nonce"]
    secret = ChaCha20Poly1305(key).decrypt(sealed[:12], sealed[12:], VECTOR["aad"].encode())
    assert secret.hex() == OWNER["x25519_private"] + OWNER["ed25519_seed"]


def test_a_wrong_passphrase_does_not_unlock(stored):
    with pytest.raises(WrongPassphrase):
        identity.unlock_identity(stored, VECTOR["passphrase"] + "!")


def test_an_edited_header_does_not_unlock_even_with_the_passphrase(tmp_path, vector_kdf):
    document = json.loads(VECTOR["file"])
    for edit in ({"name": "Mallory"}, {"role": "manager"}, {"journal_id": "0" * 32}):
        path = written(tmp_path / "edited.json", json.dumps({**document, **edit}))
        with pytest.raises(WrongPassphrase):
            identity.unlock_identity(path, VECTOR["passphrase"])


def test_kdf_parameters_outside_the_safe_range_are_refused_before_any_derivation(tmp_path, monkeypatch):
    monkeypatch.setattr(identity, "KDF_FLOOR", {"memory_kib": 19 * 1024, "iterations": 2, "lanes": 1})
    monkeypatch.setattr(identity, "_derive", lambda *a: pytest.fail("derived a key for a refused file"))
    document = json.loads(VECTOR["file"])
    for change in ({"memory_kib": 19455}, {"iterations": 1}, {"lanes": 17}, {"memory_kib": 4 * 1024 * 1024 + 1}):
        path = written(tmp_path / "weak.json", json.dumps({**document, "kdf": {**document["kdf"], **change}}))
        with pytest.raises(IdentityDamaged):
            identity.unlock_identity(path, VECTOR["passphrase"])
