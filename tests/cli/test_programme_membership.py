"""A mentee joins a programme late or backfills (`mj program join NAME --at DATE`), and sees what
her client sent for each closed month (`mj program status`)."""

import json
from datetime import datetime

import pytest
import time_machine

from journal.config import store_location
from tests.cli.test_cli_bad_input import refused_without_writing
from tests.conftest import store_state

# The suite's calendar is mid-May 2026: February, March and April are closed months.
CREATED = datetime(2026, 1, 20, 12).astimezone()


@pytest.fixture
def programme(run, home, mentee):
    """Morgan's programme, created in January with Sam as its steward; Ada (the mentee) has not
    joined it yet."""
    morgan = ["--identity", str(home / "morgan.json")]
    assert run(*morgan, "init", "--name", "Morgan Reid", "--role", "manager").exit_code == 0
    sam = ["--identity", str(home / "sam.json")]
    assert run(*sam, "init", "--name", "Sam Steward", "--role", "steward").exit_code == 0
    with time_machine.travel(CREATED, tick=False):
        created = run(*morgan, "program", "create", "Spring cohort", "--helper", "Sam", "--k", "5")
    assert created.exit_code == 0, created.output
    return "Spring cohort"


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def test_joining_a_programme_with_a_steward_names_it_and_warns_of_nothing(run, home, programme):
    joined = ok(run("program", "join", programme))
    sam = json.loads(ok(run("--identity", str(home / "sam.json"), "whoami", "--json")).stdout)["fingerprint"]
    assert "Warning" not in joined.stderr
    assert f"one for the helper {sam}: neither alone says anything about you" in " ".join(joined.stderr.split())
    assert f"helper {sam}" in joined.stderr.splitlines()[-1]  # pinned with the rest of the terms


def test_joining_a_programme_without_a_helper_warns_that_its_manager_reads_her_months(run, home, programme):
    morgan = ["--identity", str(home / "morgan.json")]
    with time_machine.travel(CREATED, tick=False):
        created = ok(run(*morgan, "program", "create", "Solo", "--no-helper", "--k", "5"))
    assert "Warning: without a helper you can read every member's monthly figures" in created.stderr
    joined = ok(run("program", "join", "Solo"))
    [warning] = [line for line in joined.stderr.splitlines() if line.startswith("Warning:")]
    assert warning.startswith("Warning: this programme has no helper: its manager can read your monthly figures")
    assert "no helper" in joined.stderr.splitlines()[-1]  # and that is what her journal pins
    status = json.loads(ok(run("program", "status", "--json")).stdout)
    assert [s["programme"] for s in status] == ["Solo"]
    second = ok(run("program", "join", programme))  # the honest path beside it: a programme with a steward
    assert "Warning" not in second.stderr


def test_a_late_join_dated_earlier_covers_the_months_from_that_date(run, programme):
    joined = ok(run("program", "join", programme, "--at", "2026-03-02"))
    assert "covers the months from 2026-03 on" in joined.stderr
    ok(run("meeting", "log", "--minutes", "60", "--focus", "plan", "--rating", "4", "--at", "2026-03-05"))
    ok(run("program", "contribute"))
    status = json.loads(ok(run("program", "status", "--json")).stdout)
    assert [(s["programme"], s["joined"]) for s in status] == [(programme, "2026-03")]
    assert [m["period"] for m in status[0]["months"]] == ["2026-03", "2026-04"]  # not February


@pytest.mark.parametrize("at, fragments", [
    ("2025-12-31", ("before programme", "starts (2026-01)", "from 2026-01-01 on")),
    ("tomorrow", ("in the future",))])
def test_a_join_dated_before_the_programme_or_in_the_future_is_refused_and_nothing_is_written(
        run, home, programme, at, fragments):
    refused_without_writing(run, home, ["program", "join", programme, "--at", at], 1, *fragments)
    ok(run("program", "join", programme, "--at", "2026-01-01"))  # its first month's first day: the honest path


def test_a_join_at_a_word_that_is_no_date_is_refused(run, home, programme):
    refused_without_writing(run, home, ["program", "join", programme, "--at", "someday"], 2, "--at")


def test_status_shows_each_closed_month_sent_or_not_with_the_figures_from_her_journal(run, home, programme):
    ok(run("checkin", "steady", "--mood", "2", "--at", "2026-02-03"))
    ok(run("meeting", "log", "--minutes", "60", "--focus", "plan", "--rating", "5", "--at", "2026-03-05"))
    ok(run("program", "join", programme, "--at", "2026-02-01"))  # backfills: any later command sends
    before = store_state(store_location())
    unsent = json.loads(ok(run("program", "status", "--json")).stdout)
    assert store_state(store_location()) == before  # status sends nothing itself
    assert [(m["period"], m["sent"], m["state"]) for m in unsent[0]["months"]] == [
        ("2026-02", False, "not yet sent"), ("2026-03", False, "not yet sent"), ("2026-04", False, "not yet sent")]
    ok(run("program", "contribute"))
    with time_machine.travel(datetime(2026, 6, 3, 12).astimezone(), tick=False):  # May has closed since
        status = ok(run("program", "status", "--json"))
        text = ok(run("program", "status")).stdout.splitlines()
    months = {m["period"]: m for m in json.loads(status.stdout)[0]["months"]}
    assert {p: (m["sent"], m["state"]) for p, m in months.items()} == {
        "2026-02": (True, "sent"), "2026-03": (True, "sent"), "2026-04": (True, "sent"),
        "2026-05": (False, "not yet sent")}
    february, march = months["2026-02"]["figures"], months["2026-03"]["figures"]
    assert (february["active"], february["meetings"], february["satisfaction"]) == (1, 0, None)  # mid-quarter
    # March closes the quarter: its ratings are her meeting's 5, never February's mood of 2.
    assert (march["meetings"], march["met_norm"], march["satisfaction"], march["confidence"]) == (1, 1, 5, None)
    assert text[0] == "Spring cohort (joined 2026-02)"
    assert [line.split()[:2] for line in text[1:]] == [["2026-02", "sent"], ["2026-03", "sent"],
                                                       ["2026-04", "sent"], ["2026-05", "not"]]
    assert "satisfaction=5" in text[2] and "satisfaction=-" in text[1]


def test_status_after_leaving_stops_at_the_month_she_left(run, programme):
    ok(run("program", "join", programme, "--at", "2026-02-01"))
    ok(run("program", "contribute"))
    ok(run("program", "leave", programme))
    status = json.loads(ok(run("program", "status", "--json")).stdout)
    assert (status[0]["joined"], status[0]["left"]) == ("2026-02", "2026-05")
    assert [m["period"] for m in status[0]["months"]] == ["2026-02", "2026-03", "2026-04"]
    assert [m["figures"]["active"] for m in status[0]["months"]] == [0, 0, 0]  # consent is not use


def test_status_without_a_programme_says_so(run, mentee):
    result = ok(run("program", "status"))
    assert (result.stdout, result.stderr.strip()) == ("", "You have joined no programme")
    assert json.loads(ok(run("program", "status", "--json")).stdout) == []
