"""`mj program plan` works before anyone joins, with no identity or store, and `program create`
warns when its terms would leave a handbook-sized cohort little to see."""

import json
from fractions import Fraction

import pytest

from projections.programme_plan import cohort_warning, plan


@pytest.fixture
def nobody(monkeypatch, home):
    """A fresh machine: no identity, no store, and no passphrase to give."""
    monkeypatch.delenv("MJ_PASSPHRASE")
    return home


def test_the_plan_for_a_handbook_cohort_is_a_row_per_figure_without_any_identity(run, nobody):
    result = run("program", "plan", "--members", "14")
    assert result.exit_code == 0, result.output
    expected = plan(14, 10, Fraction(2))
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == f"A cohort of 14: k=10, ρ=2 per quarter (ε={expected.epsilon:.1f} per quarter at δ=10⁻⁶)"
    assert lines[1].split() == ["figure", "±", "95%", "released", "units"]
    rows = lines[2:2 + len(expected.figures)]
    for line, figure in zip(rows, expected.figures, strict=True):
        name, rest = line[:len(figure.figure)], line[len(figure.figure):].split()
        assert name == figure.figure and rest[:2] == ["±", f"{figure.half_width:g}"], line
        assert " ".join(rest).endswith(figure.units)
    active = rows[0].split()
    assert active[:5] == ["active", "mentees", "±", "4", "every"]  # the defaults, as the handbook promises
    confidence = next(line for line in rows if line.startswith("confidence "))
    assert f"{expected.figures[6].released:.1%} of quarters" in confidence
    assert lines[-1] == f"The rating means are released in 95% of quarters from {expected.smallest_cohort} members."
    assert result.stderr == ""
    assert not nobody.exists()  # nothing written, not even the home


def test_the_plan_as_json_gives_every_figure_for_scripts(run, nobody):
    result = run("program", "plan", "--members", "40", "--k", "5", "--rho", "1/2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(plan(40, 5, Fraction(1, 2)).as_json()))
    assert (data["members"], data["k"], data["rho_per_quarter"]) == (40, 5, "1/2")
    assert [f["figure"] for f in data["figures"]][:2] == ["active mentees", "meetings"]
    assert not nobody.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--members", "0"], "Error: a cohort has 1 to 1,000,000 members, not 0"),
    (["--members", "1000001"], "Error: a cohort has 1 to 1,000,000 members, not 1000001"),
    (["--members", "14", "--k", "4"], "Error: k must be at least 5: smaller cells identify people"),
    (["--members", "14", "--rho", "0"], "Error: rho must lie between 0.01 and 10 per quarter"),
    (["--members", "14", "--rho", "-1/2"], "Error: rho must lie between 0.01 and 10 per quarter")])
def test_terms_no_programme_could_have_are_one_error_line(run, nobody, args, message):
    result = run("program", "plan", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message]
    assert not nobody.exists()


@pytest.mark.parametrize("args", [["--members", "14", "--rho", "abc"], ["--members", "14", "--rho", "1/0"],
                                  ["--members", "many"], []])
def test_a_malformed_number_or_a_missing_cohort_is_a_usage_error(run, nobody, args):
    result = run("program", "plan", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("Error: ")


@pytest.fixture
def manager(run, home):
    identity = str(home / "morgan.json")
    assert run("--identity", identity, "init", "--name", "Morgan", "--role", "manager").exit_code == 0
    return identity


NO_HELPER = "Warning: without a helper you can read every member's monthly figures; members are told so when they join"


def test_creating_on_the_defaults_does_not_warn_about_the_cohort(run, manager):
    result = run("--identity", manager, "program", "create", "Autumn", "--no-helper")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Created programme 'Autumn': no helper, k=10, ρ=2 per quarter, 6 months from ")
    assert lines[1:] == [NO_HELPER]


def test_creating_on_thin_terms_warns_with_the_numbers_a_cohort_of_14_would_see(run, manager):
    result = run("--identity", manager, "program", "create", "Autumn", "--no-helper", "--rho", "1/100")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[1:] == [NO_HELPER, f"Warning: {cohort_warning(10, Fraction(1, 100))}"]


def test_a_k_above_the_handbook_cohort_warns_but_still_creates(run, manager):
    result = run("--identity", manager, "program", "create", "Autumn", "--no-helper", "--k", "20")
    assert result.exit_code == 0, result.output
    assert "a cohort of 14 is under k=20" in result.stderr.splitlines()[-1]
    again = run("--identity", manager, "program", "create", "Autumn", "--no-helper", "--k", "20")
    assert again.exit_code == 1 and "already exists" in again.stderr  # the warning did not block it
