"""Known-answer vectors for directory entries and the known-people (pin) file, and the entries
that are not verified."""

import pytest

from journal import directory
from journal.errors import JournalError
from tests.unit.known_answers import MemoryStore, flipped, person, vectors

VECTOR = vectors("directory")
ENTRIES = VECTOR["entries"]


def stored(*rows) -> MemoryStore:
    store = MemoryStore()
    with store.transaction(commit=True) as c:
        c.executemany("INSERT INTO mj_directory VALUES (?,?,?)", rows)
    return store


def row(vector: dict, **changes) -> tuple:
    fields = {"fingerprint": vector["fingerprint"], "entry": vector["entry"].encode(),
              "signature": bytes.fromhex(vector["signature"]), **changes}
    return fields["fingerprint"], fields["entry"], fields["signature"]


@pytest.mark.parametrize("vector", ENTRIES, ids=lambda v: v["person"]["role"])
def test_publishing_writes_the_vectors_entry_exactly(vector):
    store = MemoryStore()
    directory.publish(store, person(vector["person"]))
    with store.transaction(commit=False) as c:
        c.execute("SELECT fingerprint, entry, signature FROM mj_directory")
        fingerprint, entry, signature = c.fetchone()
    assert (fingerprint, bytes(entry).decode(), bytes(signature).hex()) == (vector["fingerprint"], vector["entry"],
                                                                           vector["signature"])


@pytest.mark.parametrize("vector", ENTRIES, ids=lambda v: v["person"]["role"])
def test_the_vectors_entry_is_read_as_a_verified_person(vector):
    [found] = directory.people(stored(row(vector)))
    keys = vector["person"]
    assert (found.name, found.role, found.fingerprint, found.verified) == (keys["name"], keys["role"],
                                                                           keys["fingerprint"], True)
    assert (found.x25519.hex(), found.ed25519.hex()) == (keys["x25519_public"], keys["ed25519_public"])


def test_an_edited_entry_a_bad_signature_or_another_fingerprint_is_not_verified():
    vector, other = ENTRIES
    renamed = vector["entry"].replace(vector["person"]["name"], "Mallory").encode()
    for damaged in (row(vector, entry=renamed), row(vector, signature=flipped(bytes.fromhex(vector["signature"]), 0)),
                    row(vector, fingerprint=other["fingerprint"])):
        [found] = directory.people(stored(damaged))
        assert not found.verified
        assert directory.by_fingerprint(stored(damaged), vector["fingerprint"]) is None


def test_a_mentor_remembering_her_mentee_writes_the_known_people_file_exactly(tmp_path):
    mentee = directory.people(stored(row(ENTRIES[0])))[0]
    identity_path = tmp_path / VECTOR["known_people"]["identity_file"]
    directory.remember(identity_path, mentee)
    written = directory.known_people_path(identity_path)
    assert written.name == "identity.people.json"
    assert written.read_text(encoding="utf-8") == VECTOR["known_people"]["file"]
    assert oct(written.stat().st_mode & 0o777) == "0o600"
    assert directory.known_people(identity_path) == [(directory.name_key(mentee.name), mentee.fingerprint)]


def test_a_name_pinned_in_the_file_refuses_another_persons_keys(tmp_path):
    identity_path = tmp_path / "identity.json"
    directory.known_people_path(identity_path).write_text(VECTOR["known_people"]["file"], encoding="utf-8")
    mentee = ENTRIES[0]["person"]
    store = MemoryStore()
    directory.publish(store, person({**mentee, "ed25519_seed": "22" * 32}))  # her name, other keys
    pinned = directory.pins(directory.known_people(identity_path))
    with pytest.raises(JournalError, match="what you sent under that name before"):
        directory.find(store, mentee["name"], role="mentee", pinned=pinned)
    directory.publish(store, person(mentee))  # the pinned keys are found again once they are the only match
    store.db.execute("DELETE FROM mj_directory WHERE fingerprint != ?", (mentee["fingerprint"],))
    assert directory.find(store, mentee["name"], role="mentee", pinned=pinned).fingerprint == mentee["fingerprint"]
