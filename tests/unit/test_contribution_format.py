"""Known-answer vectors for contributions and their pseudonyms, and the damage each refuses."""

import json
from fractions import Fraction
from types import SimpleNamespace
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from journal import crypto, programmes
from journal.programme_store import ProgrammeStore
from tests.unit.known_answers import MemoryStore, flipped, vectors

VECTOR = vectors("contribution")
JOURNAL = UUID(VECTOR["journal_id"])
PSEUDONYM_KEY = crypto.derive_key(bytes.fromhex(VECTOR["journal_key"]), crypto.PSEUDONYM_KEY_LABEL, JOURNAL.hex, 1)
PROGRAMME_KEY = X25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR["programme_private"]))
NAME = VECTOR["programme"]
CONTRIBUTIONS = VECTOR["contributions"]


def programme() -> programmes.Programme:
    public = PROGRAMME_KEY.public_key().public_bytes_raw()
    return programmes.Programme(NAME, "0000 " * 7 + "0000", public, 5, Fraction(1, 3), 6, "2026-03-01T00:00:00+00:00")


def app(store: MemoryStore):
    return SimpleNamespace(journal_id=JOURNAL, keyring=SimpleNamespace(pseudonym_keys=lambda journal: [PSEUDONYM_KEY]),
                           recorder=SimpleNamespace(datastore=store))


def test_the_pseudonym_key_and_each_periods_pseudonym_reproduce_exactly():
    assert PSEUDONYM_KEY.hex() == VECTOR["pseudonym_key"]
    for c in CONTRIBUTIONS:
        assert programmes.pseudonym(PSEUDONYM_KEY, NAME, c["period"]).hex() == c["pseudonym"]
    assert len({c["pseudonym"] for c in CONTRIBUTIONS}) == len(CONTRIBUTIONS)  # unlinkable across periods


@pytest.mark.parametrize("vector", CONTRIBUTIONS, ids=lambda c: c["period"])
def test_the_vectors_contribution_opens_to_its_payload(vector):
    opened = programmes.open_contribution(PROGRAMME_KEY, NAME, vector["period"], bytes.fromhex(vector["sealed"]))
    assert opened == json.loads(vector["body"])
    padded = crypto.hpke_open(PROGRAMME_KEY, bytes.fromhex(vector["sealed"]),
                              crypto.lp("mj/v1/contribution", NAME, vector["period"]))
    assert padded == crypto.pad(vector["body"].encode())


def test_contributing_writes_the_vectors_pseudonym_and_a_body_that_opens_and_only_once():
    store = MemoryStore()
    vector = CONTRIBUTIONS[0]
    payload = json.loads(vector["body"])
    assert programmes.contribute(app(store), programme(), vector["period"], payload) is True
    assert programmes.contribute(app(store), programme(), vector["period"], payload) is False
    with store.transaction(commit=False) as c:
        c.execute("SELECT programme, period, pseudonym, sealed FROM mj_contributions")
        [(name, period, pseudonym, sealed)] = c.fetchall()
    assert (name, period, bytes(pseudonym).hex()) == (NAME, vector["period"], vector["pseudonym"])
    assert programmes.open_contribution(PROGRAMME_KEY, NAME, period, bytes(sealed)) == payload
    periods = [c["period"] for c in CONTRIBUTIONS]
    assert programmes.missing_periods(app(store), programme(), periods) == periods[1:]


def test_a_contribution_moved_to_another_period_or_programme_or_flipped_does_not_open():
    vector, other = CONTRIBUTIONS
    sealed = bytes.fromhex(vector["sealed"])
    for name, period, data in ((NAME, other["period"], sealed), ("Autumn cohort", vector["period"], sealed),
                               (NAME, vector["period"], flipped(sealed, 40))):
        with pytest.raises(crypto.Unopenable):
            programmes.open_contribution(PROGRAMME_KEY, name, period, data)


def test_the_manager_reads_the_stored_contributions_in_order():
    store = ProgrammeStore(MemoryStore())
    for c in CONTRIBUTIONS:
        assert store.add_contribution(NAME, c["period"], bytes.fromhex(c["pseudonym"]), bytes.fromhex(c["sealed"]))
    rows = store.contributions_after(NAME, 0, 10)
    assert [(period, sealed.hex()) for _, period, sealed in rows] == [(c["period"], c["sealed"])
                                                                      for c in CONTRIBUTIONS]
