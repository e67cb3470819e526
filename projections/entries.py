"""The filtered entry list behind `mj entries`: by period, kind, tag, text, and count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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

    def apply(self, entries: list[Any]) -> list[Any]:
        """Entries that pass every filter, oldest first; `limit` keeps the most recent ones."""
        needle = self.contains.casefold() if self.contains else None
        wanted_tags = {t.casefold() for t in self.tags}
        chosen = []
        for entry in entries:
            day = clock.local_day(entry.at)
            if self.since and day < self.since or self.until and day > self.until:
                continue
            if self.kinds and entry.kind not in self.kinds:
                continue
            if wanted_tags and not wanted_tags & {t.casefold() for t in entry.tags}:
                continue
            if needle and needle not in entry.searchable():
                continue
            chosen.append(entry)
        chosen.sort(key=lambda e: (e.at, e.version))
        return chosen[-self.limit:] if self.limit else chosen
