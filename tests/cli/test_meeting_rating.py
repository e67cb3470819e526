"""`mj meeting log --rating N`: how useful the meeting was for her, shown back by `mj show` and
`mj entries --json`, refused outside 1–5 with nothing written."""

import json

import pytest

from tests.cli.test_cli_bad_input import refused_without_writing


def logged(run, *extra: str) -> str:
    result = run("meeting", "log", "--minutes", "45", "--focus", "career plan", *extra)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_a_rated_meeting_shows_its_rating(run, mentee):
    result = run("meeting", "log", "--minutes", "45", "--focus", "career plan", "--rating", "4")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip().endswith("(45 min, 0 action items, rated 4/5)")
    meeting = result.stdout.strip()
    shown = run("show", meeting[:8])
    assert shown.exit_code == 0, shown.output
    assert [line.split() for line in shown.stdout.splitlines() if line.startswith("rating")] == [["rating", "4"]]
    assert json.loads(run("show", meeting[:8], "--json").stdout)["rating"] == 4


def test_entries_json_carries_each_meetings_rating_or_null(run, mentee):
    rated, unrated = logged(run, "--rating", "5"), logged(run)
    listed = {e["id"]: e for e in json.loads(run("entries", "--kind", "meeting", "--json").stdout)}
    assert (listed[rated]["rating"], listed[unrated]["rating"]) == (5, None)
    assert "rating" not in run("show", unrated[:8]).stdout  # an unrated meeting shows no rating line


@pytest.mark.parametrize("rating", ["0", "6", "four"])
def test_a_rating_outside_one_to_five_is_refused_and_nothing_is_written(run, mentee, rating):
    refused_without_writing(run, mentee, ["meeting", "log", "--minutes", "45", "--focus", "plan",
                                          "--rating", rating], 2, "--rating")
