"""Small faults people hit at the command line: closed stdin, the editor and the passphrase,
piped tables, and wording. Each refusal leaves the store as it was; beside it, the honest path."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PASSPHRASE, ROOT, child_env, store_state


def one_error_line(result_stderr: str, *fragments: str) -> str:
    """The refusal's `Error:` line: the only one, the last, with no traceback."""
    lines = result_stderr.strip().splitlines()
    assert "Traceback" not in result_stderr
    assert lines and lines[-1].startswith("Error:"), result_stderr
    assert sum(line.startswith("Error:") for line in lines) == 1, result_stderr
    for fragment in fragments:
        assert fragment in lines[-1], lines[-1]
    return lines[-1]


def entries(run) -> list[dict]:
    result = run("entries", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- stdin closed ---------------------------------------------------------------------------


def mj_process(home, *args, stdin_closed=False, input=None):
    """`mj` as a separate process; with `stdin_closed`, file descriptor 0 is closed (`<&-`)."""
    return subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *args], cwd=ROOT,
                          env=child_env(MJ_HOME=str(home)), capture_output=True, text=True, timeout=120,
                          input=input, preexec_fn=(lambda: os.close(0)) if stdin_closed else None)


@pytest.mark.slow
def test_a_check_in_with_stdin_closed_is_one_error_line_and_writes_nothing(real_kdf, run, home):
    assert run("init", "--name", "Ada").exit_code == 0  # real KDF parameters: the child checks the real floor
    before = store_state(home / "journal.db")

    refused = mj_process(home, "checkin", "--mood", "3", stdin_closed=True)
    assert refused.returncode == 1, refused.stderr
    one_error_line(refused.stderr, "stdin is closed", "mj checkin")
    assert refused.stdout == ""
    assert store_state(home / "journal.db") == before

    honest = mj_process(home, "checkin", "--mood", "3", input="Paired on the parser\n")
    assert honest.returncode == 0, honest.stderr
    assert [(e["text"], e["mood"]) for e in entries(run)] == [("Paired on the parser", 3)]


# -- the editor opens only once the passphrase is right -------------------------------------


@pytest.fixture
def at_a_terminal(monkeypatch):
    """No passphrase in the environment, a terminal that answers with `answers` in turn, and an
    editor that records when it opened. `happened` lists prompts and the editor in order."""
    happened: list[str] = []
    answers: list[str] = []

    def getpass(prompt=""):
        happened.append("passphrase")
        return answers.pop(0)

    def edit(text=None, filename=None, **kwargs):  # the editor writes into the draft file it is given
        happened.append("editor")
        with open(filename, "w") as draft:
            draft.write("Written in the editor\n# a comment line\n")

    monkeypatch.delenv("MJ_PASSPHRASE", raising=False)
    monkeypatch.setattr("cli.session.terminal_available", lambda: True)
    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr("click.edit", edit)
    monkeypatch.setattr("cli.records.stdin_is_terminal", lambda: True)
    return happened, answers


def test_a_mistyped_passphrase_is_asked_again_before_the_editor_opens(run, mentee, at_a_terminal):
    happened, answers = at_a_terminal
    answers[:] = ["correct horse batery", PASSPHRASE]
    result = run("checkin", "--mood", "4")
    assert result.exit_code == 0, result.output
    assert happened == ["passphrase", "passphrase", "editor"]
    assert "Sorry, try again." in result.stderr
    answers.append(PASSPHRASE)  # for reading it back
    assert [(e["text"], e["mood"]) for e in entries(run)] == [("Written in the editor", 4)]


def test_three_wrong_passphrases_at_a_terminal_are_refused_and_the_editor_never_opens(run, mentee,
                                                                                       at_a_terminal):
    happened, answers = at_a_terminal
    answers[:] = ["wrong one", "wrong two", "wrong three", PASSPHRASE]
    before = store_state(mentee / "journal.db")
    result = run("checkin", "--mood", "4")
    assert result.exit_code == 1, result.output
    one_error_line(result.stderr, "wrong passphrase")
    assert happened == ["passphrase"] * 3
    assert result.stderr.count("Sorry, try again.") == 2
    assert store_state(mentee / "journal.db") == before

    answers[:] = [PASSPHRASE]  # the honest path: right the first time
    happened.clear()
    assert run("checkin", "--mood", "4").exit_code == 0
    assert happened == ["passphrase", "editor"]


@pytest.mark.parametrize("variable, value", [("MJ_PASSPHRASE", "not the passphrase"),
                                             ("MJ_PASSPHRASE_COMMAND", "echo not the passphrase")])
def test_a_wrong_passphrase_from_the_environment_gets_one_try_and_no_editor(run, mentee, at_a_terminal,
                                                                            monkeypatch, variable, value):
    happened, answers = at_a_terminal
    answers[:] = [PASSPHRASE]  # a terminal is there, but a passphrase the environment gave is not asked again
    monkeypatch.setenv(variable, value)
    before = store_state(mentee / "journal.db")
    result = run("checkin", "--mood", "4")
    assert result.exit_code == 1, result.output
    one_error_line(result.stderr, "wrong passphrase")
    assert happened == [] and "Sorry" not in result.stderr
    assert store_state(mentee / "journal.db") == before

    monkeypatch.setenv(variable, PASSPHRASE if variable == "MJ_PASSPHRASE" else f"echo '{PASSPHRASE}'")
    assert run("checkin", "--mood", "4").exit_code == 0
    assert happened == ["editor"]
    assert entries(run)[0]["text"] == "Written in the editor"


# -- piped tables: one record a line, at full width ------------------------------------------

LONG = ("Paired with Sam on the parser and then " + "went through every failing case of the grammar, "
        * 5 + "until the needle phrase at the very end")


def grep(stdout: str, phrase: str) -> list[str]:
    return [line for line in stdout.splitlines() if phrase in line]


def test_a_long_entry_piped_from_entries_is_one_line_that_grep_finds(run, mentee):
    assert len(LONG) >= 300
    entry = run("checkin", LONG, "--tag", "work").stdout.strip()
    assert run("checkin", "A short one").exit_code == 0
    result = run("entries")
    assert result.exit_code == 0, result.output
    lines = result.stdout.rstrip("\n").splitlines()
    assert len(lines) == 3  # the header, then one line per record
    assert not [line for line in lines if line.endswith(" ")]  # no padding after the last column
    [line] = grep(result.stdout, "needle phrase at the very end")
    assert LONG in line and entry[:8] in line and "#work" in line and "checkin" in line


def test_a_long_entry_piped_from_show_and_timeline_is_one_line(run, mentee):
    entry = run("checkin", LONG).stdout.strip()
    shown = run("show", entry[:8])
    assert shown.exit_code == 0, shown.output
    [line] = grep(shown.stdout, "needle phrase")
    assert LONG in line
    timeline = run("timeline")
    assert timeline.exit_code == 0, timeline.output
    [line] = grep(timeline.stdout, "needle phrase")
    assert LONG in line and entry[:8] in line


def test_a_long_goal_piped_from_progress_is_one_line(run, mentee):
    goal_text = LONG.replace("Paired", "Run")
    assert run("goal", "add", goal_text, "--measure", "standups run", "--target", "8",
               "--due", "in 10 weeks").exit_code == 0
    result = run("progress")
    assert result.exit_code == 0, result.output
    [line] = grep(result.stdout, "needle phrase")
    assert goal_text in line and "not started" in line


# -- wording ---------------------------------------------------------------------------------


def test_verify_counts_one_record_in_the_singular(run, mentee):
    result = run("verify")
    assert result.exit_code == 0, result.output
    assert "1 record and 0 snapshots open" in result.stdout
    assert run("checkin", "hello").exit_code == 0
    assert "2 records and 0 snapshots open" in run("verify").stdout


def test_a_meeting_with_one_action_item_says_so_in_the_singular(run, mentee):
    result = run("meeting", "log", "--minutes", "30", "--focus", "career plan", "--action", "draft CV")
    assert result.exit_code == 0, result.output
    assert "(30 min, 1 action item)" in result.stderr
    two = run("meeting", "log", "--minutes", "30", "--focus", "plan", "--action", "a", "--action", "b")
    assert "(30 min, 2 action items)" in two.stderr


def test_marking_an_action_done_says_which_action(run, mentee):
    meeting = run("meeting", "log", "--minutes", "30", "--focus", "career plan", "--action", "draft CV")
    action = json.loads(run("show", meeting.stdout.strip()[:8], "--json").stdout)["actions"][0]["id"]
    result = run("action", "done", action[:8])
    assert result.exit_code == 0, result.output
    record = result.stdout.strip()
    assert result.stderr.strip() == f"Recorded action {action[:8]} as done (record {record[:8]})"
    assert "Recorded done" not in result.stderr


def test_a_mentor_inbox_counts_one_meeting_in_the_singular(run, mentee, monkeypatch):
    grace = str(mentee / "grace.json")
    assert run("--identity", grace, "init", "--name", "Grace", "--role", "mentor").exit_code == 0
    assert run("meeting", "log", "--minutes", "30", "--focus", "career plan").exit_code == 0
    assert run("checkin", "hello").exit_code == 0
    assert run("share", "--summary", "--with", "grace").exit_code == 0
    inbox = run("--identity", grace, "inbox")
    assert inbox.exit_code == 0, inbox.output
    [line] = grep(inbox.stdout, "summary")
    assert "1 check-in, 1 meeting, 0 milestones reached" in line


@pytest.mark.parametrize("args, says", [
    (["checkin", "hello", "--tag", "a b"], "tag 'a b': tags are letters, digits, - and _"),
    (["checkin", "hello", "--tag", "t" * 41], "tag 'tttttttt…' is 41 characters long: at most 40 are allowed"),
    (["checkin", "x" * 10_001], "the text is 10001 characters long: at most 10000 are allowed"),
    (["checkin", "   "], "the text is empty"),
    (["goal", "add", "Talk", "--measure", " ", "--due", "in 3 weeks"], "the measure is empty"),
])
def test_a_refused_value_is_explained_in_a_sentence(run, mentee, args, says):
    before = store_state(mentee / "journal.db")
    result = run(*args)
    assert result.exit_code == 1, result.output
    line = one_error_line(result.stderr)
    assert line == f"Error: {says}"
    assert "should" not in line and "String" not in line and "^" not in line
    assert store_state(mentee / "journal.db") == before


def test_the_honest_tag_and_text_are_accepted(run, mentee):
    assert run("checkin", "x" * 10_000, "--tag", "pair-programming_2").exit_code == 0
    assert entries(run)[0]["tags"] == ["pair-programming_2"]


def test_no_readme_command_pipes_into_another_when_pasted():
    commands = [line.split(" #")[0] for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("mj ")]
    assert len(commands) > 30  # the walk found the examples
    assert [command for command in commands if "|" in command] == []


def test_a_programme_counts_one_monthly_contribution_in_the_singular(run, mentee):
    morgan, sam = ["--identity", str(mentee / "morgan.json")], ["--identity", str(mentee / "sam.json")]
    assert run(*morgan, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    assert run(*sam, "init", "--name", "Sam", "--role", "steward").exit_code == 0
    created = run(*morgan, "program", "create", "Spring", "--helper", "Sam", "--start", "2026-04", "--k", "5")
    assert created.exit_code == 0, created.output
    assert run("program", "join", "Spring", "--at", "2026-04-01").exit_code == 0
    sent = run("program", "contribute")  # April, the one closed month
    assert (sent.exit_code, sent.stderr.strip()) == (0, "Sent 1 monthly contribution")
    again = run("program", "contribute")
    assert (again.exit_code, again.stderr.strip()) == (0, "Nothing new to send")
    idle = run(*sam, "program", "aggregate", "Spring")  # the manager has batched nothing yet
    assert (idle.exit_code, idle.stderr.strip()) == (0, "No month is batched yet")
