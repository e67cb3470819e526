"""Known-answer vectors for a programme row, the pin her journal keeps, and a signed release row,
and the damage each refuses."""

from fractions import Fraction

import pytest

from journal import crypto, programmes
from journal.errors import JournalError
from journal.programme_store import ProgrammeRow, ProgrammeStore
from tests.unit.known_answers import MemoryStore, flipped, person, vectors

VECTOR = vectors("programme")
MANAGER = person(VECTOR["manager"])
ROW, RELEASE = VECTOR["row"], VECTOR["release"]
NAME = ROW["name"]


def row(**changes) -> ProgrammeRow:
    fields = {**ROW, "public_key": bytes.fromhex(ROW["public_key"]), "epsilon": Fraction(ROW["epsilon"]),
              "signature": bytes.fromhex(ROW["signature"]), **changes}
    return ProgrammeRow(*(fields[f] for f in ("name", "manager_fingerprint", "public_key", "k", "epsilon", "months",
                                              "created", "signature")))


def stored(sealed_private: bytes | None = None, **changes) -> MemoryStore:
    store = MemoryStore()
    ProgrammeStore(store).insert(row(**changes), sealed_private or bytes.fromhex(ROW["sealed_private"]))
    return store


def test_signing_the_programme_reproduces_its_signature_exactly():
    r = row()
    signed = programmes._signed_part(r.name, r.manager_fingerprint, r.public_key, r.k, r.epsilon, r.months, r.created)
    assert crypto.sign(MANAGER.signing_key, signed).hex() == ROW["signature"]


def test_the_stored_programme_verifies_pins_as_the_vector_and_its_key_opens():
    store = stored()
    programme = programmes.find_programme(store.app(MANAGER), NAME)
    assert programme.pin() == VECTOR["pin"]
    key = programmes.programme_private_key(store.app(MANAGER), programme)
    assert key.private_bytes_raw().hex() == VECTOR["programme_private"]


def test_a_programme_row_with_changed_terms_is_not_used():
    for change in ({"k": 6}, {"months": 12}, {"epsilon": Fraction(1, 2)}, {"created": "2026-05-13T15:00:01+00:00"}):
        with pytest.raises(JournalError, match="not signed by a manager"):
            programmes.find_programme(stored(**change).app(MANAGER), NAME)


def test_a_flipped_sealed_private_key_does_not_open():
    sealed = bytes.fromhex(ROW["sealed_private"])
    store = stored(sealed_private=flipped(sealed, len(sealed) - 1))
    programme = programmes.find_programme(store.app(MANAGER), NAME)
    with pytest.raises(JournalError, match="does not open"):
        programmes.programme_private_key(store.app(MANAGER), programme)


def release_row(store: MemoryStore) -> str:
    with store.transaction(commit=False) as c:
        c.execute("SELECT row FROM mj_programme_releases WHERE programme = ? AND period = ?", (NAME, RELEASE["period"]))
        return c.fetchone()[0]


def test_the_release_signature_covers_the_programme_period_and_compact_body():
    message = programmes._release_message(NAME, RELEASE["period"], RELEASE["row"], RELEASE["quarter"],
                                          RELEASE["cost"])
    assert message == crypto.lp("mj/v1/programme-release", NAME, RELEASE["period"], RELEASE["signed_body"])
    assert crypto.sign(MANAGER.signing_key, message).hex() == RELEASE["signature"]


def test_storing_the_release_writes_the_vectors_row_exactly():
    store = stored()
    programme = programmes.find_programme(store.app(MANAGER), NAME)
    programmes.store_release(store.app(MANAGER), programme, RELEASE["period"], RELEASE["row"], RELEASE["quarter"],
                             Fraction(RELEASE["cost"]))
    assert release_row(store) == RELEASE["row_text"]


def with_release(text: str) -> MemoryStore:
    store = stored()
    with store.transaction(commit=True) as c:
        c.execute("INSERT INTO mj_programme_releases VALUES (?,?,?)", (NAME, RELEASE["period"], text))
    return store


def test_the_vectors_release_is_believed_with_its_row():
    store = with_release(RELEASE["row_text"])
    programme = programmes.find_programme(store.app(MANAGER), NAME)
    ignored: list[str] = []
    assert programmes.released_periods(store.app(MANAGER), programme, ignored) == {
        RELEASE["period"]: RELEASE["row"] | {"period": RELEASE["period"]}}
    assert ignored == []
    assert programmes.remaining(store.app(MANAGER), programme, RELEASE["quarter"]) \
        == Fraction(ROW["epsilon"]) - Fraction(RELEASE["cost"])


def test_a_release_with_a_lowered_cost_or_another_row_is_ignored():
    for old, new in (('"cost": "1/33"', '"cost": "0"'), ('"checkins": 3.14', '"checkins": 9.99')):
        assert old in RELEASE["row_text"]
        store = with_release(RELEASE["row_text"].replace(old, new))
        programme = programmes.find_programme(store.app(MANAGER), NAME)
        ignored: list[str] = []
        assert programmes.released_periods(store.app(MANAGER), programme, ignored) == {}
        assert ignored and "not signed by the programme's manager" in ignored[0]
