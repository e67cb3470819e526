"""Known-answer vector for the view cache: sealed like an event under the view-cache key, bound
to the chain head after the records it covers; a cache that does not open is ignored."""

import json
from types import SimpleNamespace
from uuid import UUID

from journal import crypto, sealed_format, view_cache
from tests.unit.known_answers import MemoryStore, flipped, vectors

VECTOR = vectors("view_cache")
JOURNAL = UUID(VECTOR["journal_id"])
JK_ID, VERSION = VECTOR["jk_id"], VECTOR["version"]
KEY = crypto.derive_key(bytes.fromhex(VECTOR["journal_key"]), crypto.VIEW_CACHE_KEY_LABEL, JOURNAL.hex, JK_ID)
HEADS = [bytes.fromhex(h) for h in VECTOR["heads"]]
KEYRING = SimpleNamespace(current_view_cache_key=lambda journal: (JK_ID, KEY),
                          view_cache_key=lambda journal, jk_id: KEY if jk_id == JK_ID else None)


def stored(blob: bytes | None = None, wrap: bytes | None = None, version: int = VERSION) -> MemoryStore:
    store = MemoryStore()
    with store.transaction(commit=True) as c:
        c.execute("INSERT INTO mj_view_cache VALUES (?,?,?,?)", (JOURNAL.hex, version,
                                                                 blob or bytes.fromhex(VECTOR["blob"]),
                                                                 wrap or bytes.fromhex(VECTOR["wrap"])))
    return store


def encoded(entries) -> str:
    return json.dumps([[e.id, e.kind, e.at.isoformat(), e.recorded.isoformat(), e.version, e.fields]
                       for e in entries], separators=(",", ":"), ensure_ascii=False)


def test_the_view_cache_key_is_derived_from_the_journal_key_and_the_topic_names_the_head():
    assert KEY.hex() == VECTOR["view_cache_key"]
    assert sealed_format.bound_topic(view_cache.CACHE_TOPIC, HEADS[VERSION]) == VECTOR["topic"]


def test_the_vectors_cache_loads_beside_its_head_with_its_entries():
    version, entries = view_cache.load(stored(), JOURNAL, KEYRING, HEADS)
    assert version == VERSION
    assert encoded(entries) == VECTOR["plaintext"]
    assert [e.tags for e in entries] == [("code",), ()]


def test_saving_its_entries_with_the_pinned_key_and_nonces_writes_the_vectors_row_exactly():
    _, entries = view_cache.load(stored(), JOURNAL, KEYRING, HEADS)
    store = MemoryStore()
    view_cache.save(store, JOURNAL, KEYRING, VERSION, entries, HEADS[VERSION], _dek=bytes.fromhex(VECTOR["dek"]),
                    _nonces=(bytes.fromhex(VECTOR["event_nonce"]), bytes.fromhex(VECTOR["wrap_nonce"])))
    with store.transaction(commit=False) as c:
        c.execute("SELECT journal_id, version, blob, wrap FROM mj_view_cache")
        journal, version, blob, wrap = c.fetchone()
    assert (journal, version, blob.hex(), wrap.hex()) == (JOURNAL.hex, VERSION, VECTOR["blob"], VECTOR["wrap"])


def test_a_cache_beside_another_head_does_not_open():
    other_history = HEADS[:VERSION] + [bytes(32)] + HEADS[VERSION + 1:]
    assert view_cache.load(stored(), JOURNAL, KEYRING, other_history) == (0, [])


def test_a_flipped_byte_or_a_moved_version_is_ignored():
    blob, wrap = bytes.fromhex(VECTOR["blob"]), bytes.fromhex(VECTOR["wrap"])
    for store in (stored(blob=flipped(blob, len(blob) - 1)), stored(wrap=flipped(wrap, 20)),
                  stored(version=VERSION - 1), stored(blob=flipped(blob, 4))):
        assert view_cache.load(store, JOURNAL, KEYRING, HEADS) == (0, [])
