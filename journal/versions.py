"""Records as she reads them: each in its latest version, retracted ones gone, and the versions
of one record in order. Folded from the history of events (journal/app.py `history`)."""

from __future__ import annotations

from collections.abc import Iterable

from journal.views import EntryView


def as_version(original: EntryView, amendment: EntryView) -> EntryView:
    """Record `original` as `amendment` (a later version of it) has it."""
    f = amendment.fields
    return EntryView(id=original.id, kind=original.kind, at=amendment.at, recorded=original.recorded,
                     version=amendment.version, fields=f["fields"], tags=tuple(f["fields"].get("tags", ())),
                     amended=amendment.recorded, versions=f["number"])


def standalone(amendment: EntryView) -> EntryView:
    """An amendment read without its original (a mentor given only the latest version)."""
    f = amendment.fields
    return EntryView(id=f["target_id"], kind=f["target_kind"], at=amendment.at, recorded=amendment.recorded,
                     version=amendment.version, fields=f["fields"], tags=tuple(f["fields"].get("tags", ())),
                     amended=amendment.recorded, versions=f["number"])


def latest(history: Iterable[EntryView]) -> list[EntryView]:
    """Every live record in its latest version, in the order first written."""
    live: dict[str, EntryView] = {}
    for entry in history:
        if entry.kind == "retraction":
            live.pop(entry.fields["target_id"], None)
        elif entry.kind == "amendment":
            target = live.get(entry.fields["target_id"])
            if target is not None:
                live[target.id] = as_version(target, entry)
        else:
            live[entry.id] = entry
    return list(live.values())


def versions(history: Iterable[EntryView], entry_id: str) -> list[EntryView]:
    """Every version of record `entry_id`, the first one first (empty if there is none)."""
    found: list[EntryView] = []
    for entry in history:
        if entry.id == entry_id and entry.kind not in ("retraction", "amendment"):
            found = [entry]
        elif found and entry.kind == "amendment" and entry.fields["target_id"] == entry_id:
            found.append(as_version(found[0], entry))
    return found
