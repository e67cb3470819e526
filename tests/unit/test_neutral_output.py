"""cli.output.esc, the one helper for text from other people, and emit_json, which stays exact."""

import json
import time

import pytest

from cli.output import counterparty, emit_json, esc


@pytest.mark.parametrize("raw, shown", [
    ("Grace\x1b[2J", "Grace\\x1b[2J"),
    ("t\x1b]0;title\x07", "t\\x1b]0;title\\x07"),
    ("a\x9b31mb", "a\\x9b31mb"),  # C1 CSI
    ("left\u202eright\u2066", "left\\u202eright\\u2066"),
    ("one\ntwo\r", "one\\x0atwo\\x0d"),
    ("line\u2028sep", "line\\u2028sep"),
    ("zero\u200bwidth", "zero\\u200bwidth"),
    ("tab\there", "tab here"),
    ("tag\U000e0041", "tag\\U000e0041"),
])
def test_control_escape_bidi_and_invisible_characters_are_shown_as_escapes(raw, shown):
    assert esc(raw, markup=False) == shown


def test_honest_text_is_left_as_it_is_and_markup_is_never_read():
    for honest in ("Zoë Ñúñez", "李小龍", "👩\u200d💻 dev", "مرحبا", "Grace O. (she/her)"):
        assert esc(honest, markup=False) == honest
    assert esc("[bold red]loud[/]") == "\\[bold red]loud\\[/]"
    assert esc("one\ntwo\tthree", markup=False, multiline=True) == "one\ntwo\tthree"
    assert counterparty("Ada\x1b[2J", "ab12 cd34 ef56 7890 ab12 cd34 ef56 7890", markup=False) == \
        "Ada\\x1b[2J (ab12 cd34)"


def test_json_keeps_every_character_exact_and_none_raw(capsys):
    name = "M\x1b[2J\x07\x85\u202e\u2028\U000e0041 [x] \ud800"
    emit_json({"name": name})
    out = capsys.readouterr().out
    assert json.loads(out) == {"name": name}
    for raw in ("\x1b", "\x07", "\x85", "\u202e", "\u2028", "\U000e0041", "\ud800"):
        assert raw not in out


def test_ten_thousand_honest_titles_cost_a_few_milliseconds():
    titles = [f"Day {n}: shipped the parser, tagged #work [x] done" for n in range(10_000)]
    start = time.perf_counter()
    for title in titles:
        esc(title)
    assert time.perf_counter() - start < 0.5  # generous for a shared machine: ~30 ms measured, rich escape ~25 of them
