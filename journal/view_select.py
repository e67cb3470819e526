"""Answering a question about her entries from the pages of the view cache it needs, not from
every record: `mj entries -n 20` opens the newest pages, `--from/--to` the pages of the days in
range, `--tag` and `--kind` the pages the index says hold them, `--contains` every page, one at a
time, keeping only what may match.

A page is opened when the index's summary of it may hold a match (`Question.may_hold`), and of
its views only those that may match are kept (`Question.keep`: an amendment is tested as the
record it makes). Then every record kept is completed with all its versions, from the pages the
index names for it, so that folding (journal/versions.py `latest`) gives each kept record
exactly as a fold of the whole journal does; a record whose versions are all elsewhere is not
kept, and not needed. With `newest`, pages are read newest first, and reading stops once the
answer's oldest entry is newer than anything an unread page holds.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from journal import view_cache, view_reads
from journal.versions import latest, standalone
from journal.view_cache import CORRECTIONS, Index, Page, page_of, target_of
from journal.views import EntryView


@dataclass(frozen=True)
class Question:
    may_hold: Callable[[Page], bool]  # whether a page can hold a view of an entry in the answer
    keep: Callable[[EntryView], bool]  # whether a record (as it is after an amendment) can be in it
    answer: Callable[[list[EntryView]], list[EntryView]]  # exact, on the live records kept, oldest first
    newest: int | None = None  # the answer is at most this many of the most recent (`at`, version)


class NotBelieved(Exception):
    """A page that is not the index's: the question is answered from every record instead."""


class _Pages:
    """Pages opened on demand; only the last few are held, so a scan of every page holds one."""

    def __init__(self, app: Any, index: Index, held: int = 4):
        self.app, self.index, self.held = app, index, held
        self.opened: OrderedDict[int, list[EntryView]] = OrderedDict()
        self.reads = 0

    def views(self, number: int) -> list[EntryView]:
        if number in self.opened:
            self.opened.move_to_end(number)
            return self.opened[number]
        found = view_cache.open_pages(self.app.recorder.datastore, self.app.journal_id, self.app.keyring,
                                      self.index, [number])
        if found is None:
            raise NotBelieved(number)
        self.reads += 1
        self.opened[number] = found[number]
        while len(self.opened) > self.held:
            self.opened.popitem(last=False)
        return found[number]

    def locate(self, entry_id: str) -> int:
        """The page of a record's first version, newest pages first; -1 if it is in none."""
        for page in reversed(self.index.pages):
            if any(v.id == entry_id and v.kind not in CORRECTIONS for v in self.views(page.number)):
                return page.number
        return -1


def _may_be_kept(question: Question, view: EntryView) -> bool:
    if view.kind == "retraction":
        return False  # it only ever removes: brought in with the record it retracts
    return question.keep(standalone(view) if view.kind == "amendment" else view)


def _complete(kept: dict[int, EntryView], pages: _Pages, fresh: list[EntryView], completed: set[str]) -> None:
    """Every version (first, amendments, retraction) of each record kept, from wherever it is;
    `completed` names the records already completed, and is added to."""
    index = pages.index
    wanted = {target_of(v) if v.kind == "amendment" else v.id for v in kept.values()
              if v.kind != "retraction"} - completed
    completed |= wanted
    for view in fresh:  # the records after the index are all at hand
        if (target_of(view) if view.kind in CORRECTIONS else view.id) in wanted:
            kept[view.version] = view
    firsts = {v.id for v in kept.values() if v.kind not in CORRECTIONS}
    places: dict[int, set[str]] = {}
    for entry_id in wanted:
        origin, fixes = index.corrected.get(entry_id, (-1, []))
        if entry_id not in firsts and origin < 0:
            origin = pages.locate(entry_id)  # corrected only after the index: rare, and found once
        for number in (origin, *fixes):
            if number >= 0:
                places.setdefault(number, set()).add(entry_id)
    for number, ids in sorted(places.items()):
        for view in pages.views(number):
            if (target_of(view) if view.kind in CORRECTIONS else view.id) in ids:
                kept[view.version] = view


def _answered(question: Question, kept: dict[int, EntryView]) -> list[EntryView]:
    return question.answer(latest(kept[v] for v in sorted(kept)))


def ask(app: Any, question: Question) -> tuple[list[EntryView], int]:
    """(the answer, pages opened). The view cache moves on as a full read would move it."""
    try:
        return _ask(app, question)
    except NotBelieved:
        return question.answer(latest(view_reads.read_history(app))), 0  # rebuilds the cache


def _ask(app: Any, question: Question) -> tuple[list[EntryView], int]:
    index, fresh, heads = view_reads.place_and_fresh(app)
    after = len(heads) - 1  # records after the index (all of them without one)
    if index is None:
        if after >= view_cache.REFRESH_AFTER:
            view_reads.refresh(app, None, [], fresh, heads[-1], after)
        return question.answer(latest(fresh)), 0
    pages = _Pages(app, index)
    firsts = {v.id for v in fresh if v.kind not in CORRECTIONS}
    unplaced = any(v.kind in CORRECTIONS and target_of(v) not in firsts and target_of(v) not in index.corrected
                   for v in fresh)  # an old record corrected since: its page is looked for once, and kept
    if after >= view_cache.REFRESH_AFTER or unplaced:
        open_page = page_of(index.version + 1)
        carried = pages.views(open_page) if open_page < len(index.pages) else []
        moved = view_reads.refresh(app, index, carried, fresh, heads[-1], index.version + after, pages.locate)
        if moved is not None:  # the fresh records are in its pages now
            index, fresh, pages = moved, [], _Pages(app, moved)
    # A page of tombstones alone holds no entry: it is only ever read to complete one (below).
    candidates = [p for p in index.pages if p.last_at is not None and question.may_hold(p)]
    if question.newest:
        candidates.sort(key=lambda p: (p.last_at, p.last), reverse=True)
    kept = {v.version: v for v in fresh if _may_be_kept(question, v)}
    done, batch, completed = 0, 1, set()
    while True:
        for page in candidates[done:done + batch]:
            kept.update((v.version, v) for v in pages.views(page.number) if _may_be_kept(question, v))
        done, batch = done + batch, batch * 2 if question.newest else len(candidates)  # no early stop: one pass
        _complete(kept, pages, fresh, completed)
        answer = _answered(question, kept)
        if done >= len(candidates):
            return answer, pages.reads
        if question.newest and len(answer) >= question.newest:
            oldest, unread = answer[-question.newest], candidates[done]
            if (oldest.at, oldest.version) > (unread.last_at, unread.last):
                return answer, pages.reads
