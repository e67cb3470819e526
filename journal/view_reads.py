"""The view cache as reads and writes meet it: where it stands and the records after it, every
view for a read of the whole history, the cache moved on once records pile up after it, and
moved on by a write with the records it has just written, so that the next read on this device
opens no record and imports none of the domain's models."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from eventsourcing.persistence import PersistenceError

from journal import view_cache
from journal.bound_state import checked_chain, checked_tail
from journal.forgetting import open_all
from journal.views import EntryView


def cached_place(app: Any) -> tuple[view_cache.Index | None, list[Any], list[bytes]]:
    """(the view cache's index, or None; the records after it; heads[i], the chain's head after
    the i-th of them, heads[0] the head at the index). From this device's anchor when it knows the
    head at the index (`checked_tail`), else after checking the whole chain."""
    datastore = app.recorder.datastore
    tail = checked_tail(app)
    index = view_cache.load_index_at(datastore, app.journal_id, app.keyring, tail[0], tail[2][0]) \
        if tail is not None else None
    if tail is not None and index is not None:
        return index, tail[1], tail[2]
    stored, heads = checked_chain(app)
    index = view_cache.load_index(datastore, app.journal_id, app.keyring, heads)
    covered = index.version if index is not None else 0
    if covered:
        app.anchor.remember_cache(covered, heads[covered])  # checked from the first record: from here on
    return index, stored[covered:], heads[covered:]


def fresh_views(app: Any, records: list[Any]) -> list[EntryView]:
    if not records:
        return []  # and the domain's models are not imported: a read served from the cache alone
    from domain.events import RecordEvent

    return [EntryView.of(e) for e in open_all(app.mapper, records) if isinstance(e, RecordEvent)]


def place_and_fresh(app: Any) -> tuple[view_cache.Index | None, list[EntryView], list[bytes]]:
    """`cached_place` with the records after the index opened. An index older than a tombstone
    after it is not believed: its pages may hold what she has since forgotten (a copy of the
    cache from before the forget, put back; or a read that raced the forget and wrote what it
    had opened), so every record is opened instead (index None, heads from the first record)."""
    index, after, heads = cached_place(app)
    fresh = fresh_views(app, after)
    if index is not None and any(v.kind == "retraction" and min(v.fields.get("forgotten") or [2**62]) <= index.version
                                 for v in fresh):
        fresh, heads = whole_history(app)
        return None, fresh, heads
    return index, fresh, heads


def whole_history(app: Any) -> tuple[list[EntryView], list[bytes]]:
    """Every view, opened from the records after checking the whole chain (a cache not believed)."""
    stored, heads = checked_chain(app)
    return fresh_views(app, stored), heads


def read_history(app: Any) -> list[EntryView]:
    """Every record's view in the order written: the view cache's pages, and the records after it
    opened; the cache moves on when enough records piled up after it."""
    index, fresh, heads = place_and_fresh(app)
    cached = [] if index is None else view_cache.every_view(app.recorder.datastore, app.journal_id, app.keyring,
                                                            index)
    if cached is None:  # a page that is not the index's: every record instead, and the cache rebuilt
        views, heads = whole_history(app)
        refresh(app, None, [], views, heads[-1], len(heads) - 1)
        return views
    after = len(heads) - 1  # records after the index (all of them without one)
    if after >= view_cache.REFRESH_AFTER:
        open_page = view_cache.page_of(index.version + 1) if index is not None else 0
        carried = [v for v in cached if view_cache.page_of(v.version) == open_page]
        refresh(app, index, carried, fresh, heads[-1], (index.version if index else 0) + after,
                lambda target: next((view_cache.page_of(v.version) for v in cached if v.id == target), -1))
    return cached + fresh


def refresh(app: Any, index: view_cache.Index | None, carried: list[EntryView], fresh: list[EntryView],
            head: bytes, size: int, locate: Any = lambda target: -1) -> view_cache.Index | None:
    """The view cache moved on to `size` records, and its index; None when it could not be
    written (a cache is never worth failing a read)."""
    if not size:
        return None
    with contextlib.suppress(PersistenceError, sqlite3.Error):
        moved = view_cache.extend(app.recorder.datastore, app.journal_id, app.keyring, index, carried, fresh, size,
                                  head, locate)
        app.anchor.remember_cache(size, head)
        return moved
    return None


def holds_none_of(app: Any, kinds: set[str]) -> bool:
    """True only when this device's anchor vouches for the view cache up to the signed checkpoint
    (no record after it) and no page of it holds a record of these kinds: a question answered
    from the index alone, opening no record. False whenever it cannot tell."""
    tail = checked_tail(app)
    if tail is None or tail[1]:
        return False
    index = view_cache.load_index_at(app.recorder.datastore, app.journal_id, app.keyring, tail[0], tail[2][0])
    return index is not None and not any(kinds & page.kinds for page in index.pages)


def after_write(app: Any, events: list[Any], size: int, head: bytes) -> None:
    """After a write of `events` (committed; the chain's head after them `head`): the cache moved
    on with them when it stood just before them, as this device checked it. Best-effort, and
    skipped where it would cost a search (a record corrected that is not in the open page)."""
    from domain.events import RecordEvent

    place = app.anchor.cache_place()
    if place is None or [e.originator_version for e in events] != list(range(place.size + 1, size + 1)):
        return
    datastore = app.recorder.datastore
    index = view_cache.load_index_at(datastore, app.journal_id, app.keyring, place.size, place.head)
    if index is None:
        return
    open_page = view_cache.page_of(index.version + 1)
    opened = view_cache.open_pages(datastore, app.journal_id, app.keyring, index, [open_page]) \
        if open_page < len(index.pages) else {open_page: []}
    if opened is None:
        return
    carried, fresh = opened[open_page], [EntryView.of(e) for e in events if isinstance(e, RecordEvent)]
    here = {v.id for v in carried + fresh}
    if any(v.kind in view_cache.CORRECTIONS and v.fields["target_id"] not in here | set(index.corrected)
           for v in fresh):
        return  # the next read looks for its page
    refresh(app, index, carried, fresh, head, size)
