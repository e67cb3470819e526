"""Every user mistake ends in one clear `Error:` line, exit code 1 or 2, and an unchanged store."""

import json
import os
from pathlib import Path

import pytest

from journal.config import store_location
from tests.conftest import store_state


@pytest.fixture
def journal_with_goal(run, mentee):
    goal = run("goal", "add", "Give a talk", "--measure", "talks", "--due", "in 8 weeks").stdout.strip()
    assert len(goal) == 32
    return goal


def assert_refused(result, code: int, *fragments: str) -> None:
    """Exit code first, then exactly one error line naming the problem, and no traceback."""
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert lines and lines[-1].startswith("Error:"), result.stderr
    if code == 1:
        assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[-1], lines[-1]
    assert result.stdout == ""


def refused_without_writing(run, home: Path, args: list[str], code: int, *fragments: str, input=None):
    store = store_location()  # MJ_STORE (a PostgreSQL database) or $MJ_HOME/journal.db
    before = store_state(store)
    identity_before = (home / "identity.json").read_bytes()
    assert_refused(run(*args, input=input), code, *fragments)
    assert store_state(store) == before
    assert (home / "identity.json").read_bytes() == identity_before


def test_a_wrong_passphrase_is_refused(run, mentee, monkeypatch):
    monkeypatch.setenv("MJ_PASSPHRASE", "not the passphrase")
    refused_without_writing(run, mentee, ["checkin", "hello"], 1, "wrong passphrase")


def test_no_identity_yet_says_how_to_make_one(run, home):
    assert_refused(run("checkin", "hello"), 1, "no identity", "mj init")
    assert not home.exists() or not any(home.iterdir())


@pytest.mark.sqlite_only
def test_a_missing_store_is_reported_and_not_created(run, mentee, tmp_path):
    missing = tmp_path / "elsewhere" / "journal.db"
    assert_refused(run("--store", str(missing), "entries"), 1, "no journal store", str(missing))
    assert not missing.exists()


@pytest.mark.sqlite_only
def test_a_store_without_this_journal_is_reported(run, mentee, tmp_path, monkeypatch):
    other = tmp_path / "other"
    monkeypatch.setenv("MJ_HOME", str(other))
    assert run("init", "--name", "Grace").exit_code == 0
    monkeypatch.setenv("MJ_HOME", str(mentee))
    assert_refused(run("--store", str(other / "journal.db"), "entries"), 1, "no journal for Ada")


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_is_refused(run, mentee, text):
    refused_without_writing(run, mentee, ["checkin", text], 1, "text")


def test_empty_stdin_is_refused(run, mentee):
    refused_without_writing(run, mentee, ["checkin"], 1, "text", input="")


def test_text_over_the_limit_is_refused(run, mentee):
    refused_without_writing(run, mentee, ["checkin", "x" * 10_001], 1, "at most 10000")


@pytest.mark.parametrize("mood", ["0", "6", "three"])
def test_a_mood_outside_one_to_five_is_a_usage_error(run, mentee, mood):
    refused_without_writing(run, mentee, ["checkin", "hello", "--mood", mood], 2, "--mood")


@pytest.mark.parametrize("when", ["the day after", "2026-13-01", "31/12/2025"])
def test_an_unparseable_date_is_a_usage_error(run, mentee, when):
    refused_without_writing(run, mentee, ["checkin", "hello", "--at", when], 2, "--at", "not a date")


def test_a_date_in_the_future_is_refused(run, mentee):
    refused_without_writing(run, mentee, ["checkin", "hello", "--at", "tomorrow"], 1, "in the future")


def test_a_new_goal_due_in_the_past_is_refused(run, mentee):
    refused_without_writing(run, mentee, ["goal", "add", "Talk", "--measure", "talks", "--due", "2020-01-01"],
                            1, "already past")


def test_a_goal_without_a_measure_is_refused(run, mentee):
    refused_without_writing(run, mentee, ["goal", "add", "Talk", "--due", "in 3 weeks"], 2, "--measure")
    refused_without_writing(run, mentee, ["goal", "add", "Talk", "--measure", " ", "--due", "in 3 weeks"],
                            1, "measure")


def test_a_milestone_on_an_unknown_goal_is_refused(run, journal_with_goal, mentee):
    unknown = "0123abcd" if not journal_with_goal.startswith("0123abcd") else "fedc9876"
    refused_without_writing(run, mentee, ["milestone", "add", unknown, "Outline"], 1, "no goal", unknown)


def test_progress_on_a_dropped_goal_is_refused(run, journal_with_goal, mentee):
    assert run("goal", "drop", journal_with_goal[:8], "--reason", "no conference").exit_code == 0
    refused_without_writing(run, mentee, ["goal", "progress", journal_with_goal[:8], "1"], 1, "dropped")


def test_an_id_that_is_not_hexadecimal_is_refused(run, mentee):
    refused_without_writing(run, mentee, ["show", "zz-top"], 1, "not an id")


def test_an_unknown_id_is_refused(run, mentee):
    run("checkin", "hello")
    entry = json.loads(run("entries", "--json").stdout)[0]["id"]
    unknown = "0" * 10 if not entry.startswith("0") else "f" * 10
    refused_without_writing(run, mentee, ["show", unknown], 1, "no entry", unknown)


def test_an_ambiguous_id_prefix_lists_the_candidates(run, mentee):
    ids = [run("checkin", f"entry {i}").stdout.strip() for i in range(17)]
    # Seventeen ids over sixteen hex digits: at least two share their first character.
    first = next(c for c in "0123456789abcdef" if sum(i.startswith(c) for i in ids) > 1)
    sharing_first = [i[:12] for i in ids if i.startswith(first)][:2]
    refused_without_writing(run, mentee, ["show", first], 1, "ambiguous", *sharing_first)


@pytest.mark.sqlite_only
def test_a_store_that_is_not_a_database_is_refused_and_kept(run, mentee, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("these are my notes, not a database\n" * 100)
    before = bogus.read_bytes()
    assert_refused(run("--store", str(bogus), "checkin", "hello"), 1, "not a journal store")
    assert bogus.read_bytes() == before


@pytest.mark.sqlite_only
def test_a_read_only_store_is_refused_without_writing(run, mentee):
    run("checkin", "before")
    store = mentee / "journal.db"
    os.chmod(store, 0o444)
    try:
        refused_without_writing(run, mentee, ["checkin", "after"], 1, "read-only")
        assert run("entries", "--json").exit_code == 0  # reading still works
    finally:
        os.chmod(store, 0o600)


def _edit_identity(home: Path, change) -> None:
    path = home / "identity.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("key,value", [("memory_kib", 1024), ("iterations", 0), ("memory_kib", 2**40)])
def test_an_identity_with_a_kdf_outside_the_safe_range_is_refused(run, mentee, key, value):
    _edit_identity(mentee, lambda d: d["kdf"].__setitem__(key, value))
    refused_without_writing(run, mentee, ["checkin", "hello"], 1, "outside the safe range", key)


def test_an_identity_with_an_edited_header_does_not_unlock(run, mentee):
    _edit_identity(mentee, lambda d: d.__setitem__("name", "Mallory"))
    refused_without_writing(run, mentee, ["checkin", "hello"], 1, "wrong passphrase")


def test_a_truncated_identity_is_refused(run, mentee):
    path = mentee / "identity.json"
    path.write_bytes(path.read_bytes()[:200])
    refused_without_writing(run, mentee, ["checkin", "hello"], 1, "damaged or truncated")


def test_a_failing_passphrase_command_is_refused(run, mentee, monkeypatch):
    monkeypatch.delenv("MJ_PASSPHRASE")
    monkeypatch.setenv("MJ_PASSPHRASE_COMMAND", "echo oops >&2; exit 3")
    refused_without_writing(run, mentee, ["checkin", "hello"], 1, "MJ_PASSPHRASE_COMMAND failed", "exit code 3")


def test_no_passphrase_source_without_a_terminal_is_refused(run, mentee, monkeypatch):
    monkeypatch.delenv("MJ_PASSPHRASE")
    monkeypatch.setattr("builtins.open", _no_tty(open))
    refused_without_writing(run, mentee, ["checkin", "hello"], 1, "no passphrase")


def _no_tty(real_open):
    def fake(path, *args, **kwargs):
        if path == "/dev/tty":
            raise OSError("no terminal")
        return real_open(path, *args, **kwargs)
    return fake


def test_init_twice_is_refused(run, mentee):
    refused_without_writing(run, mentee, ["init", "--name", "Ada again"], 1, "already exists")


def test_init_with_a_short_passphrase_writes_nothing(run, home, monkeypatch):
    monkeypatch.setenv("MJ_PASSPHRASE", "short")
    assert_refused(run("init", "--name", "Ada"), 1, "at least 8 characters")
    assert not (home / "identity.json").exists() and not (home / "journal.db").exists()


def test_an_unknown_command_is_a_usage_error(run, mentee):
    result = run("chekin", "hello")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


@pytest.mark.sqlite_only
def test_a_store_that_cannot_be_created_is_refused_without_an_identity(run, home, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert_refused(run("--store", str(blocker / "journal.db"), "init", "--name", "Ada"), 1, "cannot create store")
    assert not (home / "identity.json").exists()


def test_an_identity_that_cannot_be_written_is_a_clear_error(run, home, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert_refused(run("--identity", str(blocker / "id.json"), "init", "--name", "Ada"), 1,
                   "cannot write identity file")


@pytest.mark.sqlite_only
def test_a_failed_init_leaves_neither_identity_nor_journal(run, home, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database\n" * 50)
    assert_refused(run("--store", str(bogus), "init", "--name", "Ada"), 1, "not a journal store")
    assert not (home / "identity.json").exists()
    assert bogus.read_text() == "not a database\n" * 50


@pytest.mark.sqlite_only
def test_a_read_only_store_refuses_sharing_and_programme_writes_in_one_line(run, mentee, home):
    manager = str(home / "morgan.json")
    assert run("--identity", manager, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    entry = run("checkin", "before").stdout.strip()
    assert run("--identity", str(home / "g.json"), "init", "--name", "Grace", "--role", "mentor").exit_code == 0
    store = home / "journal.db"
    os.chmod(store, 0o444)
    try:
        refused_without_writing(run, home, ["--identity", manager, "program", "create", "P", "--no-helper"], 1,
                                "read-only")
        refused_without_writing(run, home, ["share", entry[:10], "--with", "grace"], 1, "read-only")
    finally:
        os.chmod(store, 0o600)


@pytest.fixture
def manager_and_steward(run, mentee, home):
    """Morgan (a manager) and Sam (a steward) beside Ada in her store; returns Morgan's --identity."""
    morgan = ["--identity", str(home / "morgan.json")]
    assert run(*morgan, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    assert run("--identity", str(home / "sam.json"), "init", "--name", "Sam", "--role", "steward").exit_code == 0
    return morgan


@pytest.mark.parametrize("options, fragments", [
    ([], ("--helper WHO", "--no-helper")),  # neither: whether anyone but the manager adds the noise is hers to know
    (["--helper", "Sam", "--no-helper"], ("--helper WHO", "--no-helper")),  # both
    (["--no-helper", "--rho", "a lot"], ("--rho", "not a number")),
    (["--no-helper", "--rho", "1/0"], ("--rho", "not a number")),
    (["--no-helper", "--start", "2026-13"], ("--start", "not a month")),
    (["--no-helper", "--start", "May"], ("--start", "not a month")),
    (["--no-helper", "--months", "six"], ("--months",)),
    (["--no-helper", "--k", "ten"], ("--k",)),
    (["--no-helper", "--settle-days", "a week"], ("--settle-days",)),
])
def test_a_programme_created_with_a_usage_error_is_refused_and_nothing_is_written(
        run, home, manager_and_steward, options, fragments):
    refused_without_writing(run, home, [*manager_and_steward, "program", "create", "Spring", *options], 2, *fragments)
    created = run(*manager_and_steward, "program", "create", "Spring", "--helper", "Sam")  # the honest path
    assert created.exit_code == 0, created.output


@pytest.mark.parametrize("options, fragments", [
    (["--helper", "Sam", "--k", "4"], ("k must be at least 5",)),
    (["--helper", "Sam", "--rho", "20"], ("rho must lie between 0.01 and 10",)),
    (["--helper", "Sam", "--rho", "1/1000"], ("rho must lie between 0.01 and 10",)),
    (["--helper", "Sam", "--months", "0"], ("1 to 36 months",)),
    (["--helper", "Sam", "--months", "37"], ("1 to 36 months",)),
    (["--helper", "Sam", "--settle-days", "-1"], ("0 to 90 days",)),
    (["--helper", "Sam", "--settle-days", "91"], ("0 to 90 days",)),
    (["--helper", "Ada"], ("Ada", "mentee, not a steward")),  # a mentee cannot hold the other share
    (["--helper", "Morgan"], ("Morgan is a manager, not a steward",)),  # nor the manager himself
    (["--helper", "Nobody"], ("no steward 'Nobody'", "stewards here: Sam")),
])
def test_a_programme_on_terms_out_of_range_or_with_no_steward_is_refused_and_nothing_is_written(
        run, home, manager_and_steward, options, fragments):
    refused_without_writing(run, home, [*manager_and_steward, "program", "create", "Spring", *options], 1, *fragments)
    created = run(*manager_and_steward, "program", "create", "Spring", "--helper", "Sam", "--k", "5", "--rho", "1/2",
                  "--months", "36", "--settle-days", "0")  # the honest path, on the edges of each range
    assert created.exit_code == 0, created.output


def test_only_a_manager_creates_a_programme_and_a_name_is_taken_once(run, home, manager_and_steward):
    sam = ["--identity", str(home / "sam.json")]
    refused_without_writing(run, home, ["program", "create", "Spring", "--helper", "Sam"], 1,
                            "only a programme manager creates programmes")
    refused_without_writing(run, home, [*sam, "program", "create", "Spring", "--no-helper"], 1,
                            "only a programme manager creates programmes")
    assert run(*manager_and_steward, "program", "create", "Spring", "--helper", "Sam").exit_code == 0
    refused_without_writing(run, home, [*manager_and_steward, "program", "create", "Spring", "--no-helper"], 1,
                            "already exists")
