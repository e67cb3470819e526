"""The filtered entry list behind `mj entries`: by period, kind, tag, text, and count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain import clock


@dataclass(frozen=True)
class EntryFilter:
    since: date | None = None
    until: date | None = None
    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    contains: str | None = None
    limit: int | None = None

    def matches(self, entry: Any) -> bool:
        """Whether one entry passes every filter (`limit` aside)."""
        day = clock.local_day(entry.at)
        if self.since and day < self.since or self.until and day > self.until:
            return False
        if self.kinds and entry.kind not in self.kinds:
            return False
        if self.tags and not {t.casefold() for t in self.tags} & {t.casefold() for t in entry.tags}:
            return False
        return not self.contains or self.contains.casefold() in entry.searchable()

    def apply(self, entries: list[Any]) -> list[Any]:
        """Entries that pass every filter, oldest first; `limit` keeps the most recent ones."""
        chosen = sorted((e for e in entries if self.matches(e)), key=lambda e: (e.at, e.version))
        return chosen[-self.limit:] if self.limit else chosen

    def page_may_hold(self, page: Any) -> bool:
        """Whether a page of the view cache (journal/view_cache.py `Page`) can hold a match. A day
        of slack each side: where a clock change falls at midnight, a later moment can have an
        earlier local day."""
        slack = timedelta(days=1)
        if self.since and self.since > date.min + slack and clock.local_day(page.last_at) < self.since - slack:
            return False
        if self.until and self.until < date.max - slack and clock.local_day(page.first_at) > self.until + slack:
            return False
        if self.kinds and not set(self.kinds) & page.kinds:
            return False
        return not self.tags or bool({t.casefold() for t in self.tags} & page.tags)

    def question(self) -> Any:
        from journal.view_select import Question

        return Question(self.page_may_hold, self.matches, self.apply, self.limit)
