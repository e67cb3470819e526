"""The view-cache tables (mj_view_cache, mj_view_pages): their SQL for both backends, and typed
decoding of every column. What the rows hold, and when they are believed, is journal/view_cache.py's.

    mj_view_cache (journal_id, version, blob, wrap)       -- the index, sealed like an event
    mj_view_pages (journal_id, page, version, blob, wrap) -- one page of entry views, sealed like an event
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from journal import columns, sql
from journal.errors import TamperedRecord

MAX_SIZE = 2**40 - 1
MAX_BLOB = 2**31  # an encrypted list of entry views: large, but not without end
MAX_WRAP = 1024  # a wrapped 32-byte key is 61 bytes


@dataclass(frozen=True)
class CachedViews:
    """A view-cache row whose columns decoded (whether it opens is journal/view_cache.py's to say)."""

    version: int
    blob: bytes
    wrap: bytes


def _decoded(row: Any, what: str) -> CachedViews:
    version, blob, wrap = (columns.integer(row[0], 1, MAX_SIZE), columns.blob(row[1], limit=MAX_BLOB),
                           columns.blob(row[2], limit=MAX_WRAP))
    if version is None or blob is None or wrap is None:
        raise TamperedRecord(f"{what} is malformed in the store")
    return CachedViews(version, blob, wrap)


class ViewCacheStore:
    TABLES = [
        "CREATE TABLE IF NOT EXISTS mj_view_cache (journal_id TEXT PRIMARY KEY, version INTEGER, "
        "blob BLOB, wrap BLOB) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS mj_view_pages (journal_id TEXT, page INTEGER, version INTEGER, "
        "blob BLOB, wrap BLOB, PRIMARY KEY (journal_id, page)) WITHOUT ROWID",
    ]
    PAGE_UPSERT = sql.upsert("mj_view_pages", ("journal_id", "page", "version", "blob", "wrap"),
                             ("journal_id", "page"))

    def __init__(self, datastore: Any):
        self.datastore = datastore

    def read(self, journal_id: UUID) -> CachedViews | None:
        """The index row, None when there is none; a malformed one is TamperedRecord (the reader
        ignores it and rebuilds the cache, `mj verify` reports it)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT version, blob, wrap FROM mj_view_cache WHERE journal_id = ?", (journal_id.hex,))
            row = c.fetchone()
        return None if row is None else _decoded(row, f"the view cache of journal {journal_id.hex[:8]}")

    def pages(self, journal_id: UUID, numbers: Iterable[int]) -> dict[int, CachedViews]:
        """The page rows asked for that are there; one malformed is TamperedRecord."""
        wanted = sorted(set(numbers))
        found: dict[int, CachedViews] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(wanted), 500):  # under every backend's limit of parameters
                chunk = wanted[start:start + 500]
                c.execute(f"SELECT page, version, blob, wrap FROM mj_view_pages WHERE journal_id = ? "
                          f"AND page IN ({', '.join('?' * len(chunk))})", (journal_id.hex, *chunk))
                for row in c.fetchall():
                    page = columns.integer(row[0], 0, MAX_SIZE)
                    if page is None:
                        raise TamperedRecord(f"a page of journal {journal_id.hex[:8]}'s view cache is malformed")
                    found[page] = _decoded(row[1:], f"page {page} of journal {journal_id.hex[:8]}'s view cache")
        return found

    def write(self, journal_id: UUID, index: CachedViews, pages: dict[int, CachedViews], *,
              replace_all: bool = False) -> None:
        """The index and the pages it names that changed, in one transaction; `replace_all` first
        deletes every page (a cache rebuilt from the first record)."""
        with self.datastore.transaction(commit=True) as c:
            if replace_all:
                c.execute("DELETE FROM mj_view_pages WHERE journal_id = ?", (journal_id.hex,))
            for number, page in sorted(pages.items()):
                c.execute(self.PAGE_UPSERT, (journal_id.hex, number, page.version, page.blob, page.wrap))
            c.execute(sql.upsert("mj_view_cache", ("journal_id", "version", "blob", "wrap"), ("journal_id",)),
                      (journal_id.hex, index.version, index.blob, index.wrap))

    @staticmethod
    def delete(c: Any, journal_id: UUID) -> None:
        """The whole cache of a journal, in the caller's transaction (a forget, a key rotation)."""
        c.execute("DELETE FROM mj_view_cache WHERE journal_id = ?", (journal_id.hex,))
        c.execute("DELETE FROM mj_view_pages WHERE journal_id = ?", (journal_id.hex,))
