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


def _stdout_console():
    from rich.console import Console

    return Console(soft_wrap=False)


def recorded(kind: str, entry_id: str, detail: str = "") -> None:
    """A write's id is data (stdout); the sentence about it is a message (stderr)."""
    click.echo(entry_id)
    say(f"Recorded {kind} {entry_id[:8]}" + (f" ({detail})" if detail else ""))


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
    _stdout_console().print(table)


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
    _stdout_console().print(table)
