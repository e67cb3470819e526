"""Rendering: rich tables for people, JSON for scripts; messages to stderr, data to stdout."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import click

KIND_STYLE = {"checkin": "cyan", "aspiration": "magenta", "goal": "bold green", "progress": "green",
              "achieved": "bold green", "dropped": "red", "milestone": "yellow", "reached": "bold yellow",
              "meeting": "blue", "done": "blue", "feedback": "white", "assessment": "cyan"}


# Bidi controls (embeddings, overrides, isolates, marks), shown as escapes wherever they are printed.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_JOINERS = frozenset("\u200c\u200d")  # format characters some scripts and emoji need
_NOT_SHOWN = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def _neutral(text: str, multiline: bool) -> str:
    import unicodedata

    out = []
    for char in text:
        if char in "\n\t" and multiline:
            out.append(char)
        elif char == "\t":
            out.append(" ")
        elif char in _BIDI or (unicodedata.category(char) in _NOT_SHOWN and char not in _JOINERS):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def esc(text: object, *, markup: bool = True, multiline: bool = False) -> str:
    """The one way any text reaches the screen when it may have come from another person (names,
    feedback, released entries, programme fields) or from the store: control characters (C0 and
    C1, so every ESC/CSI/OSC sequence), bidi controls, other invisible format characters, lone
    surrogates and line separators are shown as visible escapes (`\\x1b`, `\\u202e`), so no text
    can clear the screen, retitle the terminal, reorder a line or draw a line of its own; newlines
    stay only where `multiline`. With `markup` (for rich) it is also never read as rich markup
    (`[x] done` stays as typed); pass `markup=False` for click.echo. `--json` does not use this:
    see emit_json."""
    text = text if text.__class__ is str else str(text)
    if not text.isprintable():  # the common case costs one C-speed scan
        text = _neutral(text, multiline)
    if not markup:
        return text
    return _markup_escape()(text)


@functools.cache
def _markup_escape():
    from rich.markup import escape  # imported on first use: `mj --help` does not pay for rich

    return escape


def short_fingerprint(fingerprint: str) -> str:
    """The first two groups, `ab12 cd34`: what is shown beside a name (the whole one is in --json)."""
    return fingerprint[:9]


def counterparty(name: str, fingerprint: str, *, markup: bool = True) -> str:
    """A counterparty as shown on every screen: `Name (ab12 cd34)`, the name neutralised."""
    return f"{esc(name, markup=markup)} ({short_fingerprint(fingerprint)})"


def say(message: str) -> None:
    click.echo(message, err=True)


# Inside JSON strings these are written as \\u escapes: the value decodes to exactly the same
# characters, but a terminal that shows the JSON never meets a raw C1, bidi or line-separator
# character (json.dumps already escapes C0). Lone surrogates would not even encode.
_JSON_HIDDEN = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
                          "\ud800-\udfff\U000e0000-\U000e007f]")


def _json_escape(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"


def json_safe(text: str) -> str:
    """JSON text whose invisible and terminal-controlling characters are \\u escapes: every string
    stays exact (a script gets the very characters); see _JSON_HIDDEN."""
    return _JSON_HIDDEN.sub(_json_escape, text)


def emit_json(data: Any) -> None:
    click.echo(json_safe(json.dumps(data, indent=2, ensure_ascii=False)))


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

    # emoji=False: `:skull:` in someone's name is shown as typed, like markup (see esc)
    if sys.stdout is not None and sys.stdout.isatty():
        return Console(soft_wrap=False, emoji=False)
    return Console(file=_Unpadded(sys.stdout), soft_wrap=True, width=PIPED_WIDTH, emoji=False)


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
                      f"[{style}]{entry.kind}[/]" if style else entry.kind,
                      esc(entry.title) + (" [dim](amended)[/]" if entry.amended is not None else ""),
                      esc(" ".join(f"#{t}" for t in entry.tags)))
    stdout_console().print(table)


def entry_detail(entry: Any, done: set[str] | None = None) -> None:
    """One entry in full; a meeting's action items marked [x] when `done` names them."""
    from rich.table import Table

    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row("id", entry.id)
    table.add_row("kind", entry.kind)
    table.add_row("when", entry.at.astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    table.add_row("written", entry.recorded.astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    if entry.amended is not None:
        table.add_row("amended", entry.amended.astimezone().strftime("%Y-%m-%d %H:%M %Z")
                      + f" (version {entry.versions}: `mj show {entry.id[:8]} --history`)")
    for key, value in entry.fields.items():
        if value in (None, [], (), {}):
            continue
        if key == "actions":
            mark = (lambda a: "[x] " if a["id"] in done else "[ ] ") if done is not None else (lambda a: "")
            value = "\n".join(f"{mark(a)}[{a['id'][:8]}] {a['text']}" for a in value)
        elif isinstance(value, (list, tuple)):
            value = "\n".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "\n".join(f"{k}: {v}" for k, v in value.items())
        table.add_row(key.replace("_", " "), esc(value, multiline=not key.endswith("_name")))  # a name is one line
    stdout_console().print(table)
