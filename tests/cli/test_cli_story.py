"""The mentee's story through the command line: write every kind of record and read it back; and
a programme's, from its manager's `program create` through its steward's `program aggregate` to
the months its manager's `program report` releases."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine

from domain import clock


def entries(run, *args):
    result = run("entries", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_init_prints_the_fingerprint_and_whoami_repeats_it(run, home):
    result = run("init", "--name", "Ada Lovelace")
    assert result.exit_code == 0, result.output
    fingerprint = result.stdout.strip()
    assert len(fingerprint.split()) == 8
    who = json.loads(run("whoami", "--json").stdout)
    assert who["fingerprint"] == fingerprint
    assert (who["name"], who["role"]) == ("Ada Lovelace", "mentee")


def test_a_check_in_is_read_back_with_its_mood_and_tags(run, mentee):
    result = run("checkin", "Shipped the parser", "--mood", "4", "--confidence", "3", "--tag", "work")
    assert result.exit_code == 0, result.output
    entry_id = result.stdout.strip()
    assert "Recorded check-in" in result.stderr
    [entry] = entries(run)
    assert entry["id"] == entry_id
    assert (entry["kind"], entry["text"], entry["mood"], entry["confidence"], entry["tags"]) == \
        ("checkin", "Shipped the parser", 4, 3, ["work"])


def test_a_check_in_can_come_from_stdin(run, mentee):
    assert run("checkin", input="Read two chapters\n").exit_code == 0
    assert entries(run)[0]["text"] == "Read two chapters"


def test_a_check_in_can_come_from_the_editor(run, mentee, monkeypatch, tmp_path):
    editor = tmp_path / "editor.sh"  # a real editor program: it writes the entry into the file
    editor.write_text('#!/bin/sh\nprintf "Wrote it in vim\\n# a comment line\\n" > "$1"\n')
    editor.chmod(0o700)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setattr("cli.records.stdin_is_terminal", lambda: True)
    assert run("checkin").exit_code == 0
    assert entries(run)[0]["text"] == "Wrote it in vim"


def test_at_yesterday_dates_the_record_yesterday(run, mentee):
    assert run("checkin", "late write-up", "--at", "yesterday").exit_code == 0
    at = datetime.fromisoformat(entries(run)[0]["at"])
    assert at.astimezone().date() == clock.today() - timedelta(days=1)


def test_the_whole_story_of_a_goal(run, mentee):
    aspiration = run("aspiration", "add", "Lead a team", "--why", "I like helping people grow").stdout.strip()
    goal = run("goal", "add", "Run the weekly standup", "--measure", "standups run", "--target", "8",
               "--due", "in 10 weeks", "--aspiration", aspiration[:6]).stdout.strip()
    milestone = run("milestone", "add", goal[:8], "First standup").stdout.strip()
    assert run("goal", "progress", goal[:8], "3", "--note", "three done").exit_code == 0
    assert run("milestone", "reach", milestone[:8], "--evidence", "notes.md").exit_code == 0
    assert run("goal", "achieve", goal[:8]).exit_code == 0
    kinds = [e["kind"] for e in entries(run)]
    assert kinds == ["aspiration", "goal", "milestone", "progress", "reached", "achieved"]
    shown = json.loads(run("show", goal[:10], "--json").stdout)
    assert (shown["measure"], shown["target"], shown["aspiration_id"]) == ("standups run", 8.0, aspiration)


def test_a_meeting_and_its_action_items(run, mentee):
    result = run("meeting", "log", "--minutes", "60", "--concern", "tired this week", "--focus", "career plan",
                 "--next-focus", "feedback skills", "--action", "draft CV", "--action", "ask for a stretch task")
    assert result.exit_code == 0, result.output
    meeting = json.loads(run("show", result.stdout.strip()[:8], "--json").stdout)
    assert meeting["concerns"] == ["tired this week"] and meeting["next_focus"] == "feedback skills"
    action = meeting["actions"][0]["id"]
    assert run("action", "done", action[:8]).exit_code == 0
    assert run("action", "done", action[:8]).exit_code == 1  # only once
    assert [e["kind"] for e in entries(run)] == ["meeting", "done"]


def test_feedback_and_self_assessment(run, mentee):
    checkin = run("checkin", "Gave my first talk").stdout.strip()
    assert run("feedback", "add", "The mock talk helped a lot", "--about", checkin[:8]).exit_code == 0
    assert run("assess", "--rate", "public speaking=3", "--rate", "delegation=2").exit_code == 0
    feedback, assessment = entries(run)[1:]
    assert feedback["about"] == checkin
    assert assessment["ratings"] == {"public speaking": 3, "delegation": 2}
    assert run("assess", "--rate", "public speaking=9").exit_code == 2


@pytest.fixture
def varied(run, mentee):
    run("checkin", "Paired on the parser", "--tag", "work", "--at", "2026-01-05")
    run("checkin", "Went climbing", "--tag", "health", "--at", "2026-02-10")
    run("checkin", "Parser review went well", "--tag", "work", "--mood", "5")
    run("aspiration", "add", "Become a staff engineer")


def test_entries_filter_by_kind_tag_text_period_and_count(run, varied):
    assert [e["kind"] for e in entries(run, "--kind", "aspiration")] == ["aspiration"]
    assert [e["text"] for e in entries(run, "--tag", "health")] == ["Went climbing"]
    assert len(entries(run, "--contains", "PARSER")) == 2
    assert [e["text"] for e in entries(run, "--from", "2026-02-01", "--to", "2026-02-28")] == ["Went climbing"]
    assert len(entries(run, "-n", "2")) == 2 and entries(run, "-n", "1")[0]["kind"] == "aspiration"


def test_entries_for_people_is_a_table(run, varied):
    result = run("entries")
    assert result.exit_code == 0
    assert "Went climbing" in result.stdout and "#health" in result.stdout


def test_entries_with_an_inverted_period_is_a_usage_error(run, varied):
    assert run("entries", "--from", "2026-03-01", "--to", "2026-02-01").exit_code == 2


def test_verify_reports_a_sound_journal(run, varied):
    report = json.loads(run("verify", "--json").stdout)
    assert report["records"] == 5 and report["checkpoint_size"] == 5  # opened + four entries


def test_two_people_share_one_store(run, mentee, tmp_path, monkeypatch):
    run("checkin", "Ada's private note")
    grace = tmp_path / "grace.json"
    assert run("--identity", str(grace), "init", "--name", "Grace").exit_code == 0
    assert run("--identity", str(grace), "checkin", "Grace's private note").exit_code == 0
    assert [e["text"] for e in entries(run)] == ["Ada's private note"]
    monkeypatch.setenv("MJ_IDENTITY", str(grace))
    assert [e["text"] for e in entries(run)] == ["Grace's private note"]


def test_help_explains_each_command(run):
    for command in (["checkin"], ["goal", "add"], ["entries"], ["meeting", "log"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout and len(result.stdout) > 300


def test_the_demo_tells_the_story_and_finds_no_plaintext(run, tmp_path):
    result = run("demo", "--home", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert "mj:sealed/1" in result.stdout and "none found" in result.stdout
    assert "Quiet day of" in result.stdout  # what Sam reads back
    assert "verify: 3" in result.stdout  # 27 records written, a release, a summary and its release, feedback
    assert "Grace" in result.stdout and "opens 2 of Sam's" in result.stdout
    said = " ".join(result.stdout.split())  # as printed, wrapped to the console's width
    assert "two aggregators, and only noisy totals for the manager" in said
    assert "a share for the manager and one for the steward" in said
    assert "members sending" in said and "a 95% interval for the noise added" in said
    # Lena's relationship: an ending, a re-match, six months, two evaluations, a certificate
    assert "ended after a month" in said and "re-matched with Grace" in said
    assert "5 of 6 month(s) met the norm" in said and said.count("Grace's evaluation, now Lena's record") == 2
    assert "Months: 6, 5 meeting the norm" in said and "Goals achieved: 1" in said
    assert "certificate.html (as Lena, who knows Morgan from joining): verified" in said
    assert "certificate.pdf (as Lena, who knows Morgan from joining): verified" in said
    assert "(one fact changed on the page): does not verify" in said and "this is a bug" not in said


def test_the_demo_refuses_a_directory_that_is_not_empty(run, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = run("demo", "--home", str(tmp_path))
    assert result.exit_code == 2 and (tmp_path / "keep.txt").read_text() == "mine"


def test_the_passphrase_can_come_from_a_password_manager_command(run, mentee, monkeypatch, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("correct horse battery\n")
    monkeypatch.delenv("MJ_PASSPHRASE")
    monkeypatch.setenv("MJ_PASSPHRASE_COMMAND", f"cat {secret}")
    assert run("checkin", "unlocked by a command").exit_code == 0
    assert entries(run)[0]["text"] == "unlocked by a command"


def test_whoami_needs_no_passphrase(run, mentee, monkeypatch):
    monkeypatch.setenv("MJ_PASSPHRASE", "wrong passphrase entirely")
    result = run("whoami")
    assert result.exit_code == 0 and "Ada Lovelace" in result.stdout


@pytest.mark.sqlite_only
def test_a_sqlite_url_names_the_store_too(run, mentee):
    run("checkin", "in the default store")
    url = f"sqlite:///{mentee / 'journal.db'}"
    result = run("--store", url, "entries", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["text"] == "in the default store"


def test_text_that_looks_like_markup_is_shown_as_typed(run, mentee):
    assert run("checkin", "[x] done [bold]really[/bold] [/]").exit_code == 0
    result = run("entries")
    assert result.exit_code == 0, result.output
    assert "[x] done [bold]really[/bold] [/]" in result.stdout


# -- a programme: a manager, a steward and five mentees --------------------------------------

def ok(result):
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def programme(run, home):
    """Morgan (a manager) made the programme Spring from February with Sam (a steward) as its
    helper; five mentees joined it as of 1 February and wrote in February, March and April, each
    through the command line. Returns (Morgan's, Sam's, the mentees') --identity options."""
    morgan, sam = (["--identity", str(home / f"{name}.json")] for name in ("morgan", "sam"))
    ok(run(*morgan, "init", "--name", "Morgan Reid", "--role", "manager"))
    ok(run(*sam, "init", "--name", "Sam Steward", "--role", "steward"))
    created = ok(run(*morgan, "program", "create", "Spring", "--helper", "Sam", "--start", "2026-02", "--k", "5"))
    assert "Created programme 'Spring': helper Sam Steward" in created.stderr and "Warning" not in created.stderr
    mentees = []
    for n in range(5):
        me = ["--identity", str(home / f"mentee{n}.json")]
        ok(run(*me, "init", "--name", f"Mentee {n}"))
        joined = ok(run(*me, "program", "join", "Spring", "--at", "2026-02-01"))
        assert "Warning" not in joined.stderr and "one for the helper" in joined.stderr
        for month in ("02", "03", "04"):
            ok(run(*me, "checkin", f"MENTEE{n}-SECRET", "--mood", "3", "--confidence", str(2 + n % 3),
                   "--at", f"2026-{month}-1{n}"))
            ok(run(*me, "meeting", "log", "--minutes", "60", "--focus", "plan", "--rating", "4",
                   "--at", f"2026-{month}-2{n}"))
        ok(run(*me, "program", "contribute"))
        mentees.append(me)
    return morgan, sam, mentees


def test_a_programme_is_batched_aggregated_by_its_steward_and_released_to_its_manager(run, programme):
    morgan, sam, mentees = programme
    with time_machine.travel(datetime(2026, 5, 5, 12).astimezone(), tick=False):  # April settles on 8 May
        batched = ok(run(*morgan, "program", "report", "Spring"))
        assert batched.stderr.splitlines()[-3:] == [
            f"2026-{m}: waiting for the helper ({sam_fingerprint(run, sam)}) to aggregate it" for m in ("02", "03")
        ] + ["2026-04: settles on 2026-05-08"]
        aggregated = ok(run(*sam, "program", "aggregate", "Spring"))
        assert aggregated.stderr.splitlines() == ["2026-02: aggregated", "2026-03: aggregated"]
        early = json.loads(ok(run(*morgan, "program", "report", "Spring", "--json")).stdout)
    assert [row["period"] for row in early["periods"]] == ["2026-02", "2026-03"]
    assert early["waiting"] == [{"period": "2026-04", "reason": "settles on 2026-05-08"}]
    # 13 May: April has settled; the manager batches it, the steward adds its noise, he releases it.
    ok(run(*morgan, "program", "report", "Spring"))
    again = json.loads(ok(run(*sam, "program", "aggregate", "Spring", "--json")).stdout)
    assert [(o["period"], o["state"]) for o in again] == [
        ("2026-02", "done"), ("2026-03", "done"), ("2026-04", "aggregated")]  # never a second draw
    report = ok(run(*morgan, "program", "report", "Spring"))
    lines = report.stdout.splitlines()
    assert lines[0] == f"Spring: helper {sam_fingerprint(run, sam)}, k=5, ρ=2 per quarter"
    assert lines[1].split() == ["2026-02", "2026-03", "2026-04"]
    assert lines[2].split() == ["members", "sending", "5", "5", "5"]
    assert lines[3].startswith("active mentees") and lines[3].count("±") == 3
    assert "a 95% interval for the noise added" in report.stdout and "waiting" not in report.stderr
    released = json.loads(ok(run(*morgan, "program", "report", "Spring", "--json")).stdout)
    assert [(row["period"], row["members"]) for row in released["periods"]] == [
        ("2026-02", 5), ("2026-03", 5), ("2026-04", 5)]
    assert released["waiting"] == [] and released["ignored"] == []
    assert all(row["figures"]["active mentees"]["half_width"] > 0 for row in released["periods"])
    march = released["periods"][1]["figures"]  # March closes the first quarter: its ratings
    assert "confidence" in march and "confidence" not in released["periods"][0]["figures"]
    status = json.loads(ok(run(*mentees[0], "program", "status", "--json")).stdout)
    assert [(m["period"], m["state"]) for m in status[0]["months"]] == [
        ("2026-02", "aggregated"), ("2026-03", "aggregated"), ("2026-04", "aggregated")]


def test_only_the_steward_aggregates_and_only_the_manager_reports(run, home, programme):
    from journal.config import store_location
    from tests.conftest import store_state

    morgan, sam, mentees = programme
    before = store_state(store_location())
    for who, command, says in ((morgan, "aggregate", "only the helper of 'Spring'"),
                               (mentees[0], "aggregate", "only the helper of 'Spring'"),
                               (sam, "report", "only the manager of 'Spring'"),
                               (mentees[0], "report", "only the manager of 'Spring'")):
        refused = run(*who, "program", command, "Spring")
        assert refused.exit_code == 1 and refused.stderr.strip().splitlines() == [refused.stderr.strip()]
        assert refused.stderr.startswith("Error: ") and says in refused.stderr, refused.stderr
    assert store_state(store_location()) == before
    ok(run(*morgan, "program", "report", "Spring"))  # the honest path: each in their own role
    assert [o["state"] for o in json.loads(ok(run(*sam, "program", "aggregate", "Spring", "--json")).stdout)] == [
        "aggregated", "aggregated", "aggregated"]


def sam_fingerprint(run, sam) -> str:
    return json.loads(ok(run(*sam, "whoami", "--json")).stdout)["fingerprint"]
