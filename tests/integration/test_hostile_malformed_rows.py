"""Rows of the wrong type or shape, written by a hostile writer of the store: each is one line
(or an unreadable entry shown as such), never a Python traceback, and the honest path works."""

import pytest

from tests.conftest import raw_store


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
    return lines[0]


@pytest.mark.parametrize("column, value", [("head", None), ("signature", b"short"), ("size", -1)])
def test_a_malformed_checkpoint_is_one_line_naming_it(run, mentee, column, value):
    assert run("checkin", "an honest day").exit_code == 0
    assert "an honest day" in run("entries").stdout  # the honest path, before the damage
    with raw_store(_store()) as db:
        db.execute(f"UPDATE mj_checkpoints SET {column} = ?", (value,))
    assert "checkpoint" in one_error_line(run("entries"))
    assert "checkpoint" in one_error_line(run("checkin", "written on a damaged store"))


def test_a_directory_entry_nested_thousands_deep_is_shown_as_unreadable(run, mentee, home):
    grace = str(home / "grace.json")
    assert run("--identity", grace, "init", "--name", "Grace Okafor", "--role", "mentor").exit_code == 0
    with raw_store(_store()) as db:
        db.execute("INSERT INTO mj_directory (fingerprint, entry, signature) VALUES (?, ?, ?)",
                   ("f" * 39, b"[" * 200_000, b"\x00" * 64))
    listed = run("directory")
    assert listed.exit_code == 0, listed.output
    assert "Grace Okafor" in listed.stdout and "unreadable entry" in listed.stdout
    shared = run("checkin", "still mine")
    assert shared.exit_code == 0, shared.output


def _store():
    from journal.config import store_location

    return store_location(None)
