"""`mj program plan` works before anyone joins, with no identity or store, and `program create`
warns when its terms would leave a handbook-sized cohort little to see."""

import json

import pytest

from projections.programme_release import CATALOGUE


@pytest.fixture
def nobody(monkeypatch, home):
    """A fresh machine: no identity, no store, and no passphrase to give."""
    monkeypatch.delenv("MJ_PASSPHRASE")
    return home


def test_the_plan_for_a_handbook_cohort_is_a_row_per_figure_without_any_identity(run, nobody):
    result = run("program", "plan", "--members", "14")
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "A cohort of 14: k=10, ε=1 per quarter (ε=1/33 per figure a month)"
    assert lines[1].split() == ["figure", "released", "±", "95%", "units"]
    assert [line[:23].strip() for line in lines[2:12]] == list(CATALOGUE)
    assert lines[2].split() == ["active", "mentees", "56.4%", "±", "99", "mentees"]
    assert lines[9].split() == ["confidence", "31.8%", "±", "35.29", "points", "on", "1–5"]
    assert lines[12] == "The active count is released in 95% of months from 86 members."
    assert result.stderr == ""
    assert not nobody.exists()  # nothing written, not even the home


def test_the_plan_as_json_gives_every_figure_for_scripts(run, nobody):
    result = run("program", "plan", "--members", "40", "--k", "5", "--epsilon", "10", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["members"], data["k"], data["epsilon"], data["epsilon_per_figure"]) == (40, 5, "10", "10/33")
    assert [f["figure"] for f in data["figures"]] == list(CATALOGUE)
    assert data["figures"][0] == {"figure": "active mentees", "released": 1.0, "half_width": 10, "units": "mentees"}
    assert data["smallest_cohort"] == 13


@pytest.mark.parametrize(("args", "message"), [
    (["--members", "0"], "Error: a cohort has 1 to 1,000,000 members, not 0"),
    (["--members", "1000001"], "Error: a cohort has 1 to 1,000,000 members, not 1000001"),
    (["--members", "14", "--k", "4"], "Error: k must be at least 5: smaller cells identify people"),
    (["--members", "14", "--epsilon", "0"], "Error: epsilon must lie between 0.01 and 10 per quarter"),
    (["--members", "14", "--epsilon", "-1/2"], "Error: epsilon must lie between 0.01 and 10 per quarter")])
def test_terms_no_programme_could_have_are_one_error_line(run, nobody, args, message):
    result = run("program", "plan", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message]
    assert not nobody.exists()


@pytest.mark.parametrize("args", [["--members", "14", "--epsilon", "abc"], ["--members", "14", "--epsilon", "1/0"],
                                  ["--members", "many"], []])
def test_a_malformed_number_or_a_missing_cohort_is_a_usage_error(run, nobody, args):
    result = run("program", "plan", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Error: ")


@pytest.fixture
def manager(run, home):
    identity = str(home / "morgan.json")
    assert run("--identity", identity, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    return identity


def test_creating_on_the_defaults_warns_that_a_handbook_cohort_would_see_little(run, manager):
    result = run("--identity", manager, "program", "create", "Autumn")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Created programme 'Autumn': k=10, ε=1 per quarter, 6 months",
        "Warning: on these terms a cohort of 14 would see its active count suppressed in 44% of months, "
        "and released ± 99 mentees (95%): see `mj program plan --members 14 --k 10 --epsilon 1`"]


def test_creating_on_generous_terms_does_not_warn(run, manager):
    result = run("--identity", manager, "program", "create", "Autumn", "--k", "5", "--epsilon", "10")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["Created programme 'Autumn': k=5, ε=10 per quarter, 6 months"]


def test_a_k_above_the_handbook_cohort_warns_but_still_creates(run, manager):
    result = run("--identity", manager, "program", "create", "Autumn", "--k", "20", "--epsilon", "10")
    assert result.exit_code == 0, result.output
    assert "suppressed in 91% of months" in result.stderr.splitlines()[-1]
    again = run("--identity", manager, "program", "create", "Autumn", "--k", "20", "--epsilon", "10")
    assert again.exit_code == 1 and "already exists" in again.stderr  # the warning did not block it
