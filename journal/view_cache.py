"""An encrypted cache of the journal's entry views, so that reading 10,000 entries costs one
decryption instead of ten thousand.

The cache is sealed exactly like an event (its own data key, wrapped under a key derived from
the journal key for the view cache alone, associated data binding the journal, the version it
covers and its own topic), so it is no
more readable at rest than the records. It is only ever a prefix of the log: records after
its version are opened and appended; when enough have piled up it is written again. A cache
that does not open is ignored and rebuilt. The cache's associated data names the chain's head
after the records it covers, so a genuine cache from another history of the journal (one written
before a rollback) does not open; a read that knows that head from this device's anchor hashes
only the records after the cache (journal/bound_state.py `checked_tail`), else the whole chain.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from journal import crypto, sealed_format
from journal.checkpoint_store import ViewCacheStore
from journal.errors import TamperedRecord
from journal.views import EntryView

CACHE_TOPIC = "mj:view-cache/2"  # sealed under sealed_format.bound_topic(CACHE_TOPIC, head at its version)
UNBOUND_CACHE_TOPIC = "mj:view-cache/1"  # before the cache named the chain head: never believed
REFRESH_AFTER = 50  # uncached records before the cache is rewritten


def _encode(entries: list[EntryView]) -> bytes:
    return json.dumps([[e.id, e.kind, e.at.isoformat(), e.recorded.isoformat(), e.version, e.fields]
                       for e in entries], separators=(",", ":"), ensure_ascii=False).encode()


def _decode(plaintext: bytes) -> list[EntryView]:
    return [EntryView(id=i, kind=k, at=datetime.fromisoformat(at), recorded=datetime.fromisoformat(rec),
                      version=v, fields=f, tags=tuple(f.get("tags", ())))
            for i, k, at, rec, v, f in json.loads(plaintext)]


def load(datastore: Any, journal_id: UUID, keyring: Any, heads: list[bytes]) -> tuple[int, list[EntryView]]:
    """(version covered, entries up to it); (0, []) when there is no cache or it does not open
    beside `heads[version]`, the chain's head after the records it covers (a cache from another
    history of the journal, from before the binding, or altered)."""
    try:
        row = ViewCacheStore(datastore).read(journal_id)
    except TamperedRecord:
        return 0, []
    if row is None or not row.version < len(heads):
        return 0, []
    return _opened(row, journal_id, keyring, heads[row.version])


def load_at(datastore: Any, journal_id: UUID, keyring: Any, version: int, head: bytes) -> list[EntryView] | None:
    """The cached entries when the cache covers exactly `version` records and opens beside `head`,
    the chain's head after them; None otherwise."""
    try:
        row = ViewCacheStore(datastore).read(journal_id)
    except TamperedRecord:
        return None
    if row is None or row.version != version:
        return None
    covered, entries = _opened(row, journal_id, keyring, head)
    return entries if covered == version else None


def _opened(row: Any, journal_id: UUID, keyring: Any, head: bytes) -> tuple[int, list[EntryView]]:
    version, blob, wrap = row.version, row.blob, row.wrap
    try:
        journal_key = keyring.view_cache_key(journal_id, sealed_format.key_id_of(blob))
        plaintext = sealed_format.open_event(blob, wrap, journal_key=journal_key, stream_id=journal_id,
                                             version=version, topic=sealed_format.bound_topic(CACHE_TOPIC, head))
        return version, _decode(plaintext)
    except (crypto.Unopenable, ValueError, TypeError, KeyError):
        return 0, []


def unbound_or_absent(datastore: Any, journal_id: UUID, keyring: Any) -> bool:
    """No cache, or one sealed before the binding (never believed; the next read replaces it)."""
    try:
        row = ViewCacheStore(datastore).read(journal_id)
    except TamperedRecord:
        return False
    if row is None:
        return True
    version, blob, wrap = row.version, row.blob, row.wrap
    for key_of in (keyring.view_cache_key, keyring.key):  # caches were once sealed under the journal key
        try:
            sealed_format.open_event(blob, wrap, journal_key=key_of(journal_id, sealed_format.key_id_of(blob)),
                                     stream_id=journal_id, version=version, topic=UNBOUND_CACHE_TOPIC)
            return True
        except (crypto.Unopenable, ValueError, TypeError, KeyError):
            pass
    return False


def save(datastore: Any, journal_id: UUID, keyring: Any, version: int, entries: list[EntryView], head: bytes,
         *, _dek: bytes | None = None, _nonces: tuple[bytes, bytes] | None = None) -> None:
    """`_dek` and `_nonces` are seams for known-answer vectors only (sealed_format.seal_event's)."""
    jk_id, journal_key = keyring.current_view_cache_key(journal_id)  # derived: never the journal key itself
    blob, wrap = sealed_format.seal_event(_encode(entries), journal_key=journal_key, jk_id=jk_id,
                                          stream_id=journal_id, version=version,
                                          topic=sealed_format.bound_topic(CACHE_TOPIC, head), _dek=_dek,
                                          _nonces=_nonces)
    ViewCacheStore(datastore).write(journal_id, version, blob, wrap)
