"""Rendering: rich tables for people, JSON for scripts; messages to stderr, data to stdout."""

from __future__ import annotations

import json
from typing import Any

import click

KIND_STYLE = {"checkin": "cyan", "aspiration": "magenta", "goal": "bold green", "progress": "green",
              "achieved": "bold green", "dropped": "red", "milestone": "yellow", "reached": "bold yellow",
              "meeting": "blue", "done": "blue", "feedback": "white", "assessment": "cyan"}


def esc(text: object) -> str:
    """User text shown through rich must never be read as markup (`[x] done` stays as typed)."""
    from rich.markup import escape

    return escape(str(text))


def say(message: str) -> None:
    click.echo(message, err=True)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


# Piped output is for grep and cut: one record a line, however long, never folded at 80 columns.
PIPED_WIDTH = 1_000_000


class _Unpadded:
    """stdout for piped rich output: each line without the spaces rich pads table cells with."""

    def __init__(self, out: Any):
        self.out, self.partial = out, ""
        self.encoding = getattr(out, "encoding", None) or "utf-8"  # rich picks its characters by it

    def write(self, text: str) -> int:
        *lines, self.partial = (self.partial + text).split("\n")
        self.out.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        self.out.write(self.partial)
        self.partial = ""
        self.out.flush()


def stdout_console():
    """Where rich output goes: stdout, fitted to a terminal's width, or at full width when piped."""
    import sys

    from rich.console import Console

    if sys.stdout is not None and sys.stdout.isatty():
        return Console(soft_wrap=False)
    return Console(file=_Unpadded(sys.stdout), soft_wrap=True, width=PIPED_WIDTH)


def counted(number: int, noun: str) -> str:
    """`1 meeting`, `2 meetings`: a count with its noun in the right number."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def recorded(kind: str, entry_id: str, detail: str = "", *, sentence: str = "") -> None:
    """A write's id is data (stdout); the sentence about it is a message (stderr): `Recorded
    KIND ID (DETAIL)`, or `sentence` where that would not read as English."""
    click.echo(entry_id)
    say(sentence or f"Recorded {kind} {entry_id[:8]}" + (f" ({detail})" if detail else ""))


def entries_table(entries: list[Any]) -> None:
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("id", "when", "kind", "entry", "tags"):
        table.add_column(column, no_wrap=column != "entry", overflow="fold")
    for entry in entries:
        style = KIND_STYLE.get(entry.kind, "")
        table.add_row(entry.id[:8], entry.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                      f"[{style}]{entry.kind}[/]" if style else entry.kind, esc(entry.title),
                      esc(" ".join(f"#{t}" for t in entry.tags)))
    stdout_console().print(table)


def entry_detail(entry: Any) -> None:
    from rich.table import Table

    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row("id", entry.id)
    table.add_row("kind", entry.kind)
    table.add_row("when", entry.at.astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    table.add_row("written", entry.recorded.astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    for key, value in entry.fields.items():
        if value in (None, [], (), {}):
            continue
        if key == "actions":
            value = "\n".join(f"[{a['id'][:8]}] {a['text']}" for a in value)
        elif isinstance(value, (list, tuple)):
            value = "\n".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "\n".join(f"{k}: {v}" for k, v in value.items())
        table.add_row(key.replace("_", " "), esc(value))
    stdout_console().print(table)
