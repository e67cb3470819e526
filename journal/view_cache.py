"""The encrypted, paged cache of the journal's entry views, so that a read opens only the pages
it shows instead of every record (docs/FORMATS.md, View cache).

Page n holds the views of the records with versions n·PAGE+1 … (n+1)·PAGE, sealed like an event
(its own data key, wrapped under a key derived from the journal key for the view cache alone;
associated data binding the journal, the last version it holds and a topic naming the page). A
full page is never written again: records after it are new records. The index, sealed the same
way, names for every page its last version, the span of its entries' times, their kinds and tags,
and the SHA-256 of its sealed row; and, for every record a later one amended or retracted, the
page of its first version and the pages of its corrections. The index's associated data names the
chain's head after the records it covers, so a genuine index from another history of the journal
(one written before a rollback) does not open, and a page is believed only when its digest is the
index's: a page from another history, or another page's row, is refused as an altered one is.

It is only ever a prefix of the log: records after the index's version are opened, and the open
page and the index written again (work bounded by PAGE, never by the journal); a write on this
device moves them on with what it wrote (journal/view_reads.py `after_write`). A cache that
does not open is ignored and rebuilt. A read that knows the head at the index from this device's
anchor hashes only the records after it (journal/bound_state.py `checked_tail`), else the whole
chain.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from journal import crypto, sealed_format
from journal.errors import TamperedRecord
from journal.view_store import CachedViews, ViewCacheStore
from journal.views import EntryView

CACHE_TOPIC = "mj:view-cache/3"  # the index, under sealed_format.bound_topic(CACHE_TOPIC, head at its version)
PAGE_TOPIC = "mj:view-page/1"  # page n under f"{PAGE_TOPIC}:{n}", at the last version it holds
SINGLE_BLOB_TOPIC = "mj:view-cache/2"  # the whole journal in one blob, before pages: outdated, replaced
UNBOUND_CACHE_TOPIC = "mj:view-cache/1"  # before the cache named the chain head: never believed
PAGE = 500  # records a page covers
REFRESH_AFTER = 50  # records after the index (or in a journal without one) before a read writes the
# open page and the index again; a write on this device moves the cache on itself (journal/view_reads.py)
CORRECTIONS = ("amendment", "retraction")

_Unbelieved = (crypto.Unopenable, ValueError, TypeError, KeyError, IndexError, AttributeError)


def target_of(correction: EntryView) -> str:
    """The record an amendment or a retraction corrects."""
    return correction.fields["target_id"]


def page_of(version: int) -> int:
    return (version - 1) // PAGE


@dataclass(slots=True)
class Page:
    number: int
    last: int  # the last version it covers
    count: int  # entry views in it
    first_at: datetime | None  # the earliest and latest `at` of its views, amendments included, retractions not
    last_at: datetime | None
    kinds: frozenset[str]  # its views' kinds, and the kinds its amendments amend
    tags: frozenset[str]  # casefolded, the tags its amendments give included
    digest: bytes  # SHA-256 of the sealed row: lp(blob, wrap)

    def as_list(self) -> list[Any]:
        return [self.number, self.last, self.count, self.first_at and self.first_at.isoformat(),
                self.last_at and self.last_at.isoformat(), sorted(self.kinds), sorted(self.tags), self.digest.hex()]

    @classmethod
    def of_list(cls, item: list[Any]) -> Page:
        number, last, count, first_at, last_at, kinds, tags, digest = item
        when = lambda text: None if text is None else datetime.fromisoformat(text)  # noqa: E731
        return cls(int(number), int(last), int(count), when(first_at), when(last_at), frozenset(kinds),
                   frozenset(tags), bytes.fromhex(digest))


@dataclass
class Index:
    version: int  # records covered
    pages: list[Page]
    # id of a corrected record -> (page of its first version, -1 if not found; pages of its corrections)
    corrected: dict[str, tuple[int, list[int]]] = field(default_factory=dict)

    def encode(self) -> bytes:
        return json.dumps({"page_size": PAGE, "pages": [p.as_list() for p in self.pages],
                           "corrected": {k: [o, fixes] for k, (o, fixes) in sorted(self.corrected.items())}},
                          separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def decode(cls, version: int, plaintext: bytes) -> Index:
        document = json.loads(plaintext)
        if document["page_size"] != PAGE:
            raise ValueError("another page size")
        pages = [Page.of_list(item) for item in document["pages"]]
        if [p.number for p in pages] != list(range(len(pages))) or (pages and pages[-1].last != version):
            raise ValueError("pages out of order")
        return cls(version, pages, {k: (int(o), [int(p) for p in fixes]) for k, (o, fixes)
                                    in document["corrected"].items()})


def encode_views(entries: list[EntryView]) -> bytes:
    return json.dumps([[e.id, e.kind, e.at.isoformat(), e.recorded.isoformat(), e.version, e.fields]
                       for e in entries], separators=(",", ":"), ensure_ascii=False).encode()


def decode_views(plaintext: bytes) -> list[EntryView]:
    return [EntryView(id=i, kind=k, at=datetime.fromisoformat(at), recorded=datetime.fromisoformat(rec),
                      version=v, fields=f, tags=tuple(f.get("tags", ())))
            for i, k, at, rec, v, f in json.loads(plaintext)]


def _page_topic(number: int) -> str:
    return f"{PAGE_TOPIC}:{number}"


def _digest(row: CachedViews) -> bytes:
    return crypto.sha256(crypto.lp(row.blob, row.wrap))


def _described(views: list[EntryView]) -> tuple[int, datetime | None, datetime | None, frozenset, frozenset]:
    """What the index says of a page's views: their count, span of times, kinds and tags."""
    kinds, tags, times = set(), set(), []
    for v in views:
        kinds.add(v.kind)
        tags.update(t.casefold() for t in v.tags)
        if v.kind != "retraction":  # never read as an entry: its moment is when she retracted
            times.append(v.at)
        if v.kind == "amendment":
            kinds.add(v.fields["target_kind"])
            tags.update(str(t).casefold() for t in v.fields["fields"].get("tags", ()))
    return len(views), min(times, default=None), max(times, default=None), frozenset(kinds), frozenset(tags)


def summary(number: int, last: int, views: list[EntryView], row: CachedViews) -> Page:
    return Page(number, last, *_described(views), _digest(row))


def _seal(keyring: Any, journal_id: UUID, version: int, topic: str, plaintext: bytes,
          _dek: bytes | None = None, _nonces: tuple[bytes, bytes] | None = None) -> CachedViews:
    jk_id, key = keyring.current_view_cache_key(journal_id)  # derived: never the journal key itself
    blob, wrap = sealed_format.seal_event(plaintext, journal_key=key, jk_id=jk_id, stream_id=journal_id,
                                          version=version, topic=topic, _dek=_dek, _nonces=_nonces)
    return CachedViews(version, blob, wrap)


def _open(keyring: Any, journal_id: UUID, row: CachedViews, topic: str) -> bytes:
    key = keyring.view_cache_key(journal_id, sealed_format.key_id_of(row.blob))
    return sealed_format.open_event(row.blob, row.wrap, journal_key=key, stream_id=journal_id,
                                    version=row.version, topic=topic)


# -- reading -----------------------------------------------------------------------------------

def load_index_at(datastore: Any, journal_id: UUID, keyring: Any, version: int, head: bytes) -> Index | None:
    """The index when it covers exactly `version` records and opens beside `head`, the chain's
    head after them; None otherwise (no cache, an older format, another history, altered)."""
    try:
        row = ViewCacheStore(datastore).read(journal_id)
        if row is None or row.version != version:
            return None
        return Index.decode(version, _open(keyring, journal_id, row, sealed_format.bound_topic(CACHE_TOPIC, head)))
    except (TamperedRecord, *_Unbelieved):
        return None


def load_index(datastore: Any, journal_id: UUID, keyring: Any, heads: list[bytes]) -> Index | None:
    """The index, checked against `heads[m]`, the chain's head after record m."""
    try:
        row = ViewCacheStore(datastore).read(journal_id)
    except TamperedRecord:
        return None
    if row is None or not row.version < len(heads):
        return None
    return load_index_at(datastore, journal_id, keyring, row.version, heads[row.version])


def open_pages(datastore: Any, journal_id: UUID, keyring: Any, index: Index,
               numbers: list[int]) -> dict[int, list[EntryView]] | None:
    """The views of each page asked for; None when one is missing or is not the index's."""
    try:
        rows = ViewCacheStore(datastore).pages(journal_id, numbers)
        opened = {}
        for number in numbers:
            page, row = index.pages[number], rows[number]
            if row.version != page.last or not crypto.mac_holds(_digest(row), page.digest):
                return None
            views = decode_views(_open(keyring, journal_id, row, _page_topic(number)))
            if len(views) != page.count or any(page_of(v.version) != number for v in views):
                return None
            opened[number] = views
        return opened
    except (TamperedRecord, *_Unbelieved):
        return None


def every_view(datastore: Any, journal_id: UUID, keyring: Any, index: Index) -> list[EntryView] | None:
    opened = open_pages(datastore, journal_id, keyring, index, [p.number for p in index.pages])
    return None if opened is None else [v for number in sorted(opened) for v in opened[number]]


def load(datastore: Any, journal_id: UUID, keyring: Any, heads: list[bytes]) -> tuple[int, list[EntryView]]:
    """(version covered, every cached view up to it); (0, []) when there is no cache or any part of
    it is not believed."""
    index = load_index(datastore, journal_id, keyring, heads)
    views = None if index is None else every_view(datastore, journal_id, keyring, index)
    return (0, []) if views is None else (index.version, views)


def outdated_or_absent(datastore: Any, journal_id: UUID, keyring: Any, heads: list[bytes]) -> bool:
    """No cache, or one of an earlier format: sealed before the binding (never believed), or the
    single blob of before the pages, bound to these records; the next read replaces it."""
    try:
        row = ViewCacheStore(datastore).read(journal_id)
    except TamperedRecord:
        return False
    if row is None:
        return True
    topics = [UNBOUND_CACHE_TOPIC]
    if row.version < len(heads):
        topics.append(sealed_format.bound_topic(SINGLE_BLOB_TOPIC, heads[row.version]))
    for topic in topics:
        for key_of in (keyring.view_cache_key, keyring.key):  # caches were once sealed under the journal key
            try:
                sealed_format.open_event(row.blob, row.wrap, journal_key=key_of(journal_id,
                                                                                sealed_format.key_id_of(row.blob)),
                                         stream_id=journal_id, version=row.version, topic=topic)
                return True
            except _Unbelieved:
                pass
    return False


class Summaries:
    """What an index should say of its pages (times, kinds, tags, corrections), made from their
    views a page at a time in order: `mj verify`'s check that what reads rely on to skip pages is so."""

    def __init__(self) -> None:
        self.made: list[tuple[Any, ...]] = []
        self.firsts: dict[str, int] = {}
        self.corrected: dict[str, tuple[int, list[int]]] = {}

    def add(self, number: int, views: list[EntryView]) -> None:
        self.made.append((number, *_described(views)))
        for view in views:
            if view.kind not in CORRECTIONS:
                self.firsts.setdefault(view.id, number)
                continue
            target = target_of(view)
            origin, fixes = self.corrected.get(target, (self.firsts.get(target, -1), []))
            self.corrected[target] = (origin, sorted({*fixes, number}))

    def matches(self, index: Index) -> bool:
        said = [(p.number, p.count, p.first_at, p.last_at, p.kinds, p.tags) for p in index.pages]
        return said == self.made and self.corrected == index.corrected


# -- writing -----------------------------------------------------------------------------------

def save(datastore: Any, journal_id: UUID, keyring: Any, version: int, entries: list[EntryView], head: bytes) -> None:
    """The whole cache written afresh from every view (a first read, a forget, a key rotation)."""
    extend(datastore, journal_id, keyring, None, [], entries, version, head)


def extend(datastore: Any, journal_id: UUID, keyring: Any, index: Index | None, carried: list[EntryView],
           fresh: list[EntryView], version: int, head: bytes,
           locate: Callable[[str], int] = lambda target: -1) -> Index:
    """The cache moved on to `version` (chain head `head` after it) with `fresh`, the views of the
    records after the index; `carried` are the views already in the index's open page. Writes that
    page again and any after it, and the index; `locate(id)` finds the page of a record a fresh
    amendment or retraction corrects, when it is not among these views."""
    start = page_of(index.version + 1) if index is not None else 0
    pages = [p for p in index.pages if p.number < start] if index is not None else []
    corrected = dict(index.corrected) if index is not None else {}
    groups: dict[int, list[EntryView]] = {}
    for view in (carried + fresh) if index is not None else fresh:
        groups.setdefault(page_of(view.version), []).append(view)
    rows = {}
    for number in range(start, page_of(version) + 1):
        views, last = groups.get(number, []), min((number + 1) * PAGE, version)
        rows[number] = _seal(keyring, journal_id, last, _page_topic(number), encode_views(views))
        pages.append(summary(number, last, views, rows[number]))
    here = {v.id: page_of(v.version) for v in carried + fresh if v.kind not in CORRECTIONS}
    for view in fresh:
        if view.kind in CORRECTIONS:
            target = view.fields["target_id"]
            origin, fixes = corrected.get(target, (-1, []))
            if origin < 0:
                origin = here.get(target, -1)
            if origin < 0:
                origin = locate(target)
            corrected[target] = (origin, sorted({*fixes, page_of(view.version)}))
    moved = Index(version, pages, corrected)
    sealed = _seal(keyring, journal_id, version, sealed_format.bound_topic(CACHE_TOPIC, head), moved.encode())
    ViewCacheStore(datastore).write(journal_id, sealed, rows, replace_all=index is None)
    return moved
