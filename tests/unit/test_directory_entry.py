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


SUCCESSION = VECTOR["succession"]


def links_in(entry: bytes) -> list:
    import json

    return json.loads(entry)["before"]


def test_a_rotation_writes_the_vectors_successor_entry_exactly_and_it_verifies():
    fingerprint, entry, signature = directory.DirectoryStore.successor_entry(
        person(SUCCESSION["old"]), person(SUCCESSION["new"]))
    assert (fingerprint, entry.decode(), signature.hex()) == (SUCCESSION["fingerprint"], SUCCESSION["entry"],
                                                              SUCCESSION["signature"])
    [found] = directory.people(stored(row(SUCCESSION)))
    assert found.verified and found.predecessors == (SUCCESSION["old"]["fingerprint"],)


def test_a_successor_of_two_rotations_names_both_and_a_pin_on_the_first_follows_it():
    first, second = person(SUCCESSION["old"]), person(SUCCESSION["new"])
    third = person({**SUCCESSION["new"], "ed25519_seed": "33" * 32, "x25519_private": "44" * 32})
    second = directory.succeeded(first, second)  # as her identity file keeps it after the first rotation
    latest = directory.DirectoryStore.successor_entry(second, third)
    store = stored(latest)
    [found] = directory.people(store)
    assert found.verified and found.predecessors == (first.fingerprint, second.fingerprint)
    pinned = directory.pins([(first.name, first.fingerprint)])
    assert directory.find(store, "Ada", role="mentee", pinned=pinned).fingerprint == third.fingerprint


def test_a_link_altered_missing_reordered_or_one_too_many_is_not_verified():
    import json

    first, second = person(SUCCESSION["old"]), person(SUCCESSION["new"])
    third = person({**SUCCESSION["new"], "ed25519_seed": "33" * 32, "x25519_private": "44" * 32})
    links = links_in(directory.DirectoryStore.successor_entry(directory.succeeded(first, second), third)[1])
    assert directory.people(stored(directory.DirectoryStore.signed_entry(third, links)))[0].verified  # as made
    bad_signature = [links[0][:2] + [flipped(bytes.fromhex(links[0][2]), 5).hex()], links[1]]
    other_keys = [[links[1][0], links[0][1], links[0][2]], links[1]]
    for damaged in (bad_signature, other_keys, links[::-1], links[1:] + links[1:],
                    [["zz", "zz", "zz"]], [links[0][:2]], "not a list", []):
        entry = directory.DirectoryStore.signed_entry(third, damaged)  # signed by the newest keys themselves
        if damaged == []:  # an empty chain is no chain: written without "before"
            assert "before" not in json.loads(entry[1])
            continue
        [found] = directory.people(stored(entry))
        assert not found.verified, damaged
    # A chain that holds but starts elsewhere is verified, and names keys nobody pinned: no follow.
    assert directory.people(stored(directory.DirectoryStore.signed_entry(third, links[1:])))[0].predecessors == (
        second.fingerprint,)


def test_a_chain_keeps_its_newest_32_links_and_one_of_33_does_not_verify():
    people = [person({**SUCCESSION["new"], "ed25519_seed": f"{n:02x}" * 32, "x25519_private": f"{n:02x}" * 32})
              for n in range(1, 35)]
    latest = people[0]
    for new in people[1:]:
        latest = directory.succeeded(latest, new)
    assert len(latest.before) == 32 and latest.before[0][1] == people[1].ed25519_public.hex()  # the oldest dropped
    [found] = directory.people(stored(directory.DirectoryStore.signed_entry(latest)))
    assert found.verified and found.predecessors == tuple(p.fingerprint for p in people[1:-1])
    link = people[0].ed25519_public.hex()
    longer = [[people[0].x25519_public.hex(), link, directory.succeeded(people[0], people[1]).before[0][2]],
              *map(list, latest.before)]
    assert not directory.people(stored(directory.DirectoryStore.signed_entry(latest, longer)))[0].verified


def test_a_copied_chain_under_another_fingerprint_costs_no_link_checks(monkeypatch):
    from journal import crypto

    people = [person({**SUCCESSION["new"], "ed25519_seed": f"{n:02x}" * 32, "x25519_private": f"{n:02x}" * 32})
              for n in range(1, 33)]
    latest = people[0]
    for new in people[1:]:
        latest = directory.succeeded(latest, new)
    fingerprint, entry, signature = directory.DirectoryStore.signed_entry(latest)
    checks = []
    real = crypto.signature_holds
    monkeypatch.setattr(crypto, "signature_holds", lambda *args: checks.append(1) or real(*args))
    rows = [(f"{n:04x} " + fingerprint[5:], entry, signature) for n in range(50)]  # copies, other fingerprints
    assert not any(p.verified for p in directory.people(stored(*rows)))
    assert checks == []  # the fingerprint is checked first, the 31 links never
    assert directory.people(stored((fingerprint, entry, signature)))[0].verified and len(checks) == 32
