"""Known-answer vector for a mentor device's seen-lists file, and the files it refuses."""

import json

import pytest

from journal.errors import TamperedRecord
from journal.seen_lists import SeenLists, memory_path
from tests.unit.known_answers import person, vectors

VECTOR = vectors("seen_lists")


def memory(tmp_path, text: str | None = None, keys: dict = VECTOR["owner"]) -> SeenLists:
    identity = person(keys, tmp_path / "identity.json")
    if text is not None:
        memory_path(identity.path).write_text(text)
    return SeenLists(identity)


def test_the_mac_key_is_derived_from_the_owners_signing_key():
    from journal import crypto, seen_lists

    key = crypto.derive_key(bytes.fromhex(VECTOR["owner"]["ed25519_seed"]), seen_lists.KEY_LABEL,
                            VECTOR["owner"]["fingerprint"])
    assert key.hex() == VECTOR["key"]
    assert json.loads(VECTOR["file"])["mac"] == VECTOR["mac"]


def test_the_file_sits_beside_the_identity_file():
    assert memory_path("/home/z/identity.json").name == "identity.seen-lists.json"


def test_remembering_the_vectors_sequences_writes_its_file_exactly(tmp_path):
    seen = memory(tmp_path)
    for key, sequence in VECTOR["seen"].items():
        mentee, journal = key.rsplit("/", 1)
        seen.advance(mentee, journal, sequence)
    seen.save()
    written = memory_path(tmp_path / "identity.json")
    assert written.read_text() == VECTOR["file"]
    assert oct(written.stat().st_mode & 0o777) == "0o600"


def test_the_vectors_file_reads_back_its_sequences(tmp_path):
    seen = memory(tmp_path, VECTOR["file"])
    assert sorted(seen.known()) == sorted(tuple(key.rsplit("/", 1)) for key in VECTOR["seen"])
    for key, sequence in VECTOR["seen"].items():
        assert seen.seen(*key.rsplit("/", 1)) == sequence
    assert seen.seen("0000 0000 0000 0000 0000 0000 0000 0000", "0" * 32) == -1


def test_a_lowered_sequence_or_a_changed_mac_is_refused(tmp_path):
    document = json.loads(VECTOR["file"])
    key = next(iter(document["seen"]))
    lowered = {**document, "seen": {**document["seen"], key: 0}}
    bad_mac = {**document, "mac": "0" * 64}
    for altered in (lowered, bad_mac):
        with pytest.raises(TamperedRecord):
            memory(tmp_path, json.dumps(altered)).seen(*key.rsplit("/", 1))


def test_another_identitys_file_is_refused(tmp_path):
    other = {**VECTOR["owner"], "ed25519_seed": "11" * 32}  # another signing key: another MAC key
    with pytest.raises(TamperedRecord):
        memory(tmp_path, VECTOR["file"], other).known()
