"""Known-answer vector for the view cache: an index bound to the chain head after the records it
covers, naming each page's digest, and pages, each sealed like an event under the view-cache key;
a cache or page that does not open, or is not the index's, is not believed."""

from types import SimpleNamespace
from uuid import UUID

from journal import crypto, sealed_format, view_cache
from tests.unit.known_answers import MemoryStore, flipped, vectors

VECTOR = vectors("view_cache")
JOURNAL = UUID(VECTOR["journal_id"])
JK_ID, VERSION = VECTOR["jk_id"], VECTOR["version"]
KEY = crypto.derive_key(bytes.fromhex(VECTOR["journal_key"]), crypto.VIEW_CACHE_KEY_LABEL, JOURNAL.hex, JK_ID)
HEADS = [bytes.fromhex(h) for h in VECTOR["heads"]]
INDEX, PAGE = VECTOR["index"], VECTOR["page"]
KEYRING = SimpleNamespace(current_view_cache_key=lambda journal: (JK_ID, KEY),
                          view_cache_key=lambda journal, jk_id: KEY if jk_id == JK_ID else None)


def stored(index_blob: bytes | None = None, page_blob: bytes | None = None, index_version: int = VERSION,
           page_number: int = 0, page_wrap: bytes | None = None) -> MemoryStore:
    store = MemoryStore()
    with store.transaction(commit=True) as c:
        c.execute("INSERT INTO mj_view_cache VALUES (?,?,?,?)",
                  (JOURNAL.hex, index_version, index_blob or bytes.fromhex(INDEX["blob"]),
                   bytes.fromhex(INDEX["wrap"])))
        c.execute("INSERT INTO mj_view_pages VALUES (?,?,?,?,?)",
                  (JOURNAL.hex, page_number, VERSION, page_blob or bytes.fromhex(PAGE["blob"]),
                   page_wrap or bytes.fromhex(PAGE["wrap"])))
    return store


def test_the_key_is_derived_from_the_journal_key_and_the_index_topic_names_the_head():
    assert KEY.hex() == VECTOR["view_cache_key"]
    assert sealed_format.bound_topic(view_cache.CACHE_TOPIC, HEADS[VERSION]) == INDEX["topic"]
    assert view_cache._page_topic(0) == PAGE["topic"]


def test_the_vectors_cache_loads_beside_its_head_with_its_pages_summary_and_entries():
    index = view_cache.load_index(stored(), JOURNAL, KEYRING, HEADS)
    assert index is not None and index.encode().decode() == INDEX["plaintext"]
    (page,) = index.pages
    assert (page.number, page.last, page.count, page.kinds, page.tags) == (0, 2, 2, {"checkin", "goal"}, {"code"})
    version, entries = view_cache.load(stored(), JOURNAL, KEYRING, HEADS)
    assert version == VERSION and view_cache.encode_views(entries).decode() == PAGE["plaintext"]
    assert [e.tags for e in entries] == [("Code",), ()]
    assert view_cache.summary(0, VERSION, entries, view_cache.CachedViews(
        VERSION, bytes.fromhex(PAGE["blob"]), bytes.fromhex(PAGE["wrap"]))) == page


def test_sealing_with_the_pinned_key_and_nonces_writes_the_vectors_rows_exactly():
    for row in (INDEX, PAGE):
        sealed = view_cache._seal(KEYRING, JOURNAL, VERSION, row["topic"], row["plaintext"].encode(),
                                  _dek=bytes.fromhex(row["dek"]),
                                  _nonces=(bytes.fromhex(row["event_nonce"]), bytes.fromhex(row["wrap_nonce"])))
        assert (sealed.blob.hex(), sealed.wrap.hex()) == (row["blob"], row["wrap"])


def test_an_index_beside_another_head_does_not_open():
    other_history = HEADS[:VERSION] + [bytes(32)] + HEADS[VERSION + 1:]
    assert view_cache.load_index(stored(), JOURNAL, KEYRING, other_history) is None
    assert view_cache.load(stored(), JOURNAL, KEYRING, other_history) == (0, [])
    assert view_cache.load_index(stored(), JOURNAL, KEYRING, HEADS) is not None  # the honest one does


def test_a_flipped_byte_a_moved_version_or_a_page_that_is_not_the_indexs_is_not_believed():
    index_blob, page_blob = bytes.fromhex(INDEX["blob"]), bytes.fromhex(PAGE["blob"])
    for store in (stored(index_blob=flipped(index_blob, len(index_blob) - 1)), stored(index_version=VERSION - 1),
                  stored(page_blob=flipped(page_blob, len(page_blob) - 1)), stored(page_blob=flipped(page_blob, 4)),
                  stored(page_number=1)):
        assert view_cache.load(store, JOURNAL, KEYRING, HEADS) == (0, [])
    # A page sealed honestly under the right key, but not the one the index names, is refused too.
    other = view_cache._seal(KEYRING, JOURNAL, VERSION, PAGE["topic"], PAGE["plaintext"].encode())
    assert view_cache.load(stored(page_blob=other.blob, page_wrap=other.wrap), JOURNAL, KEYRING, HEADS) == (0, [])
    assert view_cache.load(stored(), JOURNAL, KEYRING, HEADS)[0] == VERSION
