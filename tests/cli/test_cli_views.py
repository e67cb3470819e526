"""`mj timeline`, `mj progress`, `mj summary`, `mj report` through the command line."""

import json

import pytest


@pytest.fixture
def story(run, mentee):
    aspiration = run("aspiration", "add", "Lead a team").stdout.strip()
    goal = run("goal", "add", "Run standups", "--measure", "standups", "--target", "10", "--due", "in 6 weeks",
               "--aspiration", aspiration[:8], "--at", "3 days ago").stdout.strip()
    milestone = run("milestone", "add", goal[:8], "First standup", "--at", "3 days ago").stdout.strip()
    run("goal", "progress", goal[:8], "4", "--at", "yesterday")
    run("milestone", "reach", milestone[:8], "--at", "yesterday")
    run("checkin", "Standup went well", "--mood", "4", "--confidence", "3", "--tag", "work")
    run("meeting", "log", "--minutes", "45", "--focus", "Facilitation", "--concern", "nerves",
        "--action", "Ask for feedback")
    return goal


def json_of(run, *args):
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_progress_shows_each_goal_under_its_aspiration_with_a_verdict(run, story):
    view = json_of(run, "progress")
    [aspiration] = view["aspirations"]
    [goal] = aspiration["goals"]
    assert (aspiration["text"], goal["text"], goal["value"], goal["target"]) == ("Lead a team", "Run standups", 4, 10)
    assert (goal["milestones_reached"], goal["milestones_total"], goal["verdict"]) == (1, 1, "on track")
    table = run("progress")
    assert table.exit_code == 0 and "Run standups" in table.stdout and "on track" in table.stdout


def test_the_timeline_names_goals_and_milestones_instead_of_ids(run, story):
    periods = json_of(run, "timeline", "--by", "month")
    descriptions = [e["description"] for p in periods for e in p["entries"]]
    assert "Run standups: 4 of 10 standups" in descriptions
    assert "Milestone reached: First standup" in descriptions
    only_work = json_of(run, "timeline", "--tag", "work")
    assert [e["text"] for p in only_work for e in p["entries"]] == ["Standup went well"]
    assert "Milestone reached" in run("timeline").stdout


def test_the_summary_is_the_period_at_a_glance(run, story):
    view = json_of(run, "summary")
    assert view["checkins"] == 1 and view["concerns"] == ["nerves"]
    assert [a["text"] for a in view["open_actions"]] == ["Ask for feedback"]
    assert [m["text"] for m in view["milestones_reached"]] == ["First standup"]
    one_goal = json_of(run, "summary", "--goal", story[:8])
    assert one_goal["checkins"] == 0 and one_goal["meetings"] == [] and len(one_goal["goals_progressed"]) == 1
    assert "Facilitation" in run("summary").stdout


def test_a_summary_for_an_unknown_goal_or_an_inverted_period_is_refused(run, story):
    assert run("summary", "--goal", "ffffffff").exit_code == 1
    assert run("summary", "--from", "2026-03-01", "--to", "2026-02-01").exit_code == 2


def test_the_report_is_written_for_its_owner_only(run, story, tmp_path):
    page = tmp_path / "report.html"
    result = run("report", "--html", str(page))
    assert result.exit_code == 0, result.output
    assert "Run standups" in page.read_text() and page.stat().st_mode & 0o777 == 0o600


def test_a_report_into_a_missing_directory_is_a_clear_error(run, story, tmp_path):
    result = run("report", "--html", str(tmp_path / "no" / "such" / "report.html"))
    assert result.exit_code == 1 and result.stderr.startswith("Error: cannot write")


def test_the_timeline_shows_the_last_twelve_weeks_unless_told_and_pipes_plain_lines(run, mentee):
    ok = lambda result: (result.exit_code == 0 or pytest.fail(result.output)) and result  # noqa: E731
    ok(run("checkin", "OLD-MARKER from the winter", "--at", "2026-02-01"))  # 14 weeks before the suite's day
    ok(run("checkin", "NEW-MARKER from this week", "--at", "2026-05-11"))
    shown = ok(run("timeline"))
    assert "NEW-MARKER" in shown.stdout and "OLD-MARKER" not in shown.stdout
    assert "Showing the last 12 weeks, from 2026-02-18: --all for every record" in shown.stderr
    everything = ok(run("timeline", "--all"))
    assert "OLD-MARKER" in everything.stdout and "Showing" not in everything.stderr
    assert "OLD-MARKER" in ok(run("timeline", "--from", "2026-01-01")).stdout
    assert "[" not in shown.stdout and all(not line.startswith("\x1b") for line in shown.stdout.splitlines())
    assert [p["period"] for p in json.loads(ok(run("timeline", "--by", "month", "--json")).stdout)] == ["2026-05"]
