"""Known-answer vector for the manager's sealed programme view, and the views that start over."""

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from journal import programmes
from tests.unit.known_answers import MemoryStore, flipped, vectors

VECTOR = vectors("programme_view")
KEY = X25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR["programme_private"]))
NAME, POSITION = VECTOR["programme"], VECTOR["position"]
SEALED = bytes.fromhex(VECTOR["sealed"])


def stored(position: int = POSITION, sealed: bytes = SEALED, name: str = NAME) -> MemoryStore:
    store = MemoryStore()
    with store.transaction(commit=True) as c:
        c.execute("INSERT INTO mj_programme_views VALUES (?,?,?)", (name, position, sealed))
    return store


def test_the_view_key_is_the_hash_of_the_programme_and_its_private_key():
    assert programmes._view_key(KEY, NAME).hex() == VECTOR["view_key"]


def test_saving_the_view_with_the_vectors_nonce_writes_its_row_exactly():
    store = MemoryStore()
    programmes.save_view(store.app(), KEY, NAME, POSITION, VECTOR["view"], _nonce=bytes.fromhex(VECTOR["nonce"]))
    with store.transaction(commit=False) as c:
        c.execute("SELECT programme, position, sealed FROM mj_programme_views")
        assert c.fetchone() == (NAME, POSITION, SEALED)


def test_the_vectors_view_loads_with_its_position():
    assert programmes.load_view(stored().app(), KEY, NAME) == (POSITION, VECTOR["view"])


@pytest.mark.parametrize("altered", [stored(position=POSITION + 1), stored(sealed=flipped(SEALED, len(SEALED) - 1)),
                                   stored(sealed=flipped(SEALED, 0))], ids=["moved position", "tag", "nonce"])
def test_a_moved_or_altered_view_starts_over(altered):
    assert programmes.load_view(altered.app(), KEY, NAME) == (0, {})


def test_another_programmes_key_or_name_does_not_open_the_view():
    other = X25519PrivateKey.from_private_bytes(bytes(31) + b"\x01")
    assert programmes.load_view(stored().app(), other, NAME) == (0, {})
    assert programmes.load_view(stored(name="Autumn cohort").app(), KEY, "Autumn cohort") == (0, {})
