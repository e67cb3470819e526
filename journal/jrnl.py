"""jrnl's journals, read as check-ins: its `--export json` file, or its plain-text journal.

Plain text is what jrnl 4.6 writes: entries that each begin with a line `[2026-05-11 09:15:00 PM]
Title` (its default `timeformat`, `%F %r`; `[2026-05-11 21:15] Title` and seconds-less forms are
read too), the body on the lines after it. A title ending in ` *` is starred. Tags are words that
begin with one of jrnl's tag symbols (its default: `#@`). jrnl's times carry no zone: they are
read in the local time zone, as jrnl wrote them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from journal.errors import JournalError

DEFAULT_SYMBOLS = "#@"
_HEADER = re.compile(r"^\[(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})(?::(\d{2}))?(?: ?([AaPp][Mm]))?\] ?(.*)$")
_LOOKS_LIKE_HEADER = re.compile(r"^\[\d{4}-\d{1,2}-\d{1,2}[^\]]*\]")


def read_jrnl(data: bytes, name: str, symbols: str = DEFAULT_SYMBOLS) -> list[dict[str, Any]]:
    """Check-in records (projections/export.py's shape) for every jrnl entry, oldest first."""
    if not symbols or any(c.isalnum() or c.isspace() or c in "-_" for c in symbols):
        raise JournalError(f"--tag-symbols {symbols!r}: give the symbols themselves, e.g. '#@' or '+'")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise JournalError(f"{name} is not UTF-8 text: it is not a jrnl journal") from None
    entries = _from_json(text, name, symbols) if text.lstrip().startswith("{") else _from_text(text, name)
    if not entries:
        raise JournalError(f"{name} has no jrnl entries (jrnl writes nothing at all for an empty journal)")
    return [_record(title, body, moment, starred, symbols) for title, body, moment, starred in entries]


def _from_json(text: str, name: str, symbols: str) -> list[tuple[str, str, datetime, bool]]:
    try:
        document = json.loads(text)
        entries = document["entries"]
        rows = [(str(e["title"]), str(e.get("body") or ""), _moment(e["date"], e["time"], None, f"entry {n} of {name}"),
                 bool(e.get("starred")), [str(t) for t in e.get("tags") or ()]) for n, e in enumerate(entries, 1)]
    except JournalError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise JournalError(f"{name} is not jrnl's `--export json` (an object with its \"entries\")") from None
    foreign = sorted({t for *_, tags in rows for t in tags if t[:1] not in symbols})
    if foreign:
        raise JournalError(f"{name} has tags that begin with {foreign[0][:1]!r} (e.g. {foreign[0][:30]!r}), not with "
                           f"one of {symbols!r}: give --tag-symbols {foreign[0][:1]!r}, jrnl's `tagsymbols`")
    return [row[:4] for row in rows]


def _from_text(text: str, name: str) -> list[tuple[str, str, datetime, bool]]:
    entries: list[list[Any]] = []
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header is None and _LOOKS_LIKE_HEADER.match(line):
            raise JournalError(f"line {number} of {name} begins like a jrnl entry but its date is not one: "
                               f"{line[:40]!r}")
        if header is not None:
            day, minutes, _seconds, half, title = header.groups()
            entries.append([title, [], _moment(day, minutes, half, f"line {number} of {name}")])
        elif entries:
            entries[-1][1].append(line)
        elif line.strip():
            raise JournalError(f"line {number} of {name} comes before any `[YYYY-MM-DD HH:MM] title` line: "
                               "it is not a jrnl journal")
    out = []
    for title, body, moment in entries:
        starred = title.rstrip().endswith(" *") or title.strip() == "*"
        title = title.rstrip()[:-1].rstrip() if starred else title.strip()
        out.append((title, "\n".join(body).strip("\n"), moment, starred))
    return out


def _moment(day: str, minutes: str, half: str | None, where: str) -> datetime:
    if not isinstance(day, str) or not isinstance(minutes, str):
        raise JournalError(f"{where}: its date and time are not text")
    try:
        hour, minute = (int(p) for p in minutes.split(":"))
        if half is not None:
            if not 1 <= hour <= 12:
                raise ValueError
            hour = hour % 12 + (12 if half.lower() == "pm" else 0)
        return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").astimezone()
    except ValueError:
        raise JournalError(f"{where}: {day} {minutes}{' ' + half if half else ''} is not a date and time") from None


def _record(title: str, body: str, moment: datetime, starred: bool, symbols: str) -> dict[str, Any]:
    text = f"{title}\n{body}" if body else title
    tag = re.compile(rf"(?<!\S)[{re.escape(symbols)}]([\w-]+)")
    tags = list(dict.fromkeys(m.group(1)[:40] for m in tag.finditer(text)))
    if starred:
        tags.append("starred")
    return {"id": _pseudo_id(moment, text), "kind": "checkin", "at": moment.isoformat(), "text": text,
            "mood": None, "confidence": None, "tags": list(dict.fromkeys(tags))}


def _pseudo_id(moment: datetime, text: str) -> str:
    from journal import crypto

    return crypto.sha256(f"{moment.isoformat()}\n{text}".encode()).hex()[:32]
