"""The programme report's text layout: "value ± half-width" cells in blocks of months that fit the
width, names never cut, "[s]" for a suppressed mean and "–" for a rating not due that month."""

from fractions import Fraction

from rich.console import Console

from cli.output import PIPED_WIDTH
from cli.programme_screen import month_blocks, plan_table, report_lines
from domain.programme_catalogue import noised
from projections.programme_figures import CATALOGUE, figures
from projections.programme_plan import plan
from projections.programme_release import ProgrammeReport, with_retention

RHO, K = Fraction(2), 10


def a_month(period: str, last: str, members: int = 14, raters: int = 14, active: int = 12) -> dict:
    """A month as the manager releases it, through the real `figures`, from chosen noisy totals."""
    noisy = {"active": active, "meetings": 12, "met_norm": 9, "goals_achieved": 3, "milestones": 5,
             "confidence": 2 * raters, "rated_confidence": raters, "satisfaction": 3 * raters,
             "rated_satisfaction": raters}
    return {"period": period} | figures({c: noisy[c] for c in noised(period, last)}, members, K, RHO)


def a_report(months: int = 6, year: int = 2026, **month) -> ProgrammeReport:
    periods = [f"{year}-{m:02d}" for m in range(1, months + 1)]
    rows = [a_month(p, periods[-1], **month) for p in periods]
    return ProgrammeReport("Spring", K, str(RHO), None, with_retention(rows))


LABEL = max(len(name) for name in CATALOGUE)


def plain(lines) -> list[str]:
    return [line.plain for line in lines]


def labelled(lines: list[str], name: str) -> int:
    """How many lines are the figure's own, its name whole at the start."""
    return sum(line[:LABEL + 1].rstrip() == name for line in lines)


def shown(cell: dict) -> list[str]:
    """How a released cell reads, split on spaces: value, then "±" and the half-width if any."""
    if cell.get("suppressed"):
        return ["[s]"]
    return [str(cell["value"])] + (["±", str(cell["half_width"])] if cell.get("half_width") else [])


def test_a_six_month_programme_fits_80_columns_in_blocks_with_every_name_whole():
    report = a_report()
    lines = plain(report_lines(report, 80))
    assert max(len(line) for line in lines) <= 80
    headers = [line.split() for line in lines if line.startswith(" ")]
    assert [m for header in headers for m in header] == [row["period"] for row in report.periods]
    assert len(headers) > 1  # "value ± half" cells are too wide for six months beside the names
    for name in CATALOGUE:
        assert labelled(lines, name) == len(headers)


def test_each_cell_is_the_released_value_with_its_half_width():
    report = a_report()
    lines = plain(report_lines(report, PIPED_WIDTH))
    row = lines[1 + CATALOGUE.index("active mentees")]
    assert row.split()[2:] == ["12", "±", "4"] * 6
    per_mentee = lines[1 + CATALOGUE.index("meetings per mentee")].split()[3:]
    assert per_mentee[:3] == shown(report.periods[0]["figures"]["meetings per mentee"])
    assert lines[1].split() == ["members", "sending"] + ["14"] * 6  # an exact count has no interval
    assert "value ± half-width: a 95% interval for the noise added" in lines


def test_piped_it_is_one_block_a_figure_a_line_for_grep():
    report = a_report(months=12, year=2025)
    lines = plain(report_lines(report, PIPED_WIDTH))
    assert lines[0].split() == [row["period"] for row in report.periods]
    for n, name in enumerate(CATALOGUE):
        cells = [shown(row["figures"][name]) if name in row["figures"] else ["–"] for row in report.periods]
        assert lines[1 + n].split() == name.split() + [word for cell in cells for word in cell], name
    assert all(not line.startswith(" ") for line in lines[1:])  # a single header


def test_ratings_are_dashes_outside_the_months_that_close_a_quarter():
    report = a_report()
    lines = plain(report_lines(report, PIPED_WIDTH))
    confidence = lines[1 + CATALOGUE.index("confidence")].split()[1:]
    expected = [["–"], ["–"], shown(report.periods[2]["figures"]["confidence"]), ["–"], ["–"],
                shown(report.periods[5]["figures"]["confidence"])]
    assert confidence == [word for cell in expected for word in cell]
    assert "–" in lines[-1] and "[s]" not in " ".join(lines)  # not due is not suppressed


def test_a_mean_whose_noisy_raters_are_under_k_is_marked_and_explained():
    report = a_report(raters=K - 1)
    lines = plain(report_lines(report, PIPED_WIDTH))
    satisfaction = lines[1 + CATALOGUE.index("satisfaction")].split()[1:]
    assert satisfaction == ["–", "–", "[s]", "–", "–", "[s]"]
    assert f"[s] suppressed: too few to release (a noisy count under k = {K})" in lines


def test_the_legends_are_there_only_for_marks_that_are_shown():
    report = ProgrammeReport("Spring", K, "2", None, with_retention([a_month("2026-03", "2026-03")]))
    lines = plain(report_lines(report, 80))
    assert lines[-1] == "value ± half-width: a 95% interval for the noise added"
    assert not any(line.startswith(("[s]", "–")) for line in lines)
    assert report_lines(ProgrammeReport("Spring", K, "2", None, []), 80) == []


def test_a_width_too_narrow_for_two_months_still_shows_one_a_block_with_names_whole():
    assert month_blocks([7, 7, 7], label_width=22, width=30) == [range(0, 1), range(1, 2), range(2, 3)]
    assert month_blocks([], label_width=22, width=80) == []
    lines = plain(report_lines(a_report(months=3), 30))
    assert [line.split() for line in lines if line.startswith(" ")] == [["2026-01"], ["2026-02"], ["2026-03"]]
    assert labelled(lines, "meeting the one-hour norm") == 3


def test_text_from_the_store_is_shown_as_escapes():
    report = a_report(months=1)
    report.periods[0]["period"] = "2026-01\x1b[2J"
    report.periods[0]["figures"]["active mentees"] = {"value": "\u202eevil", "half_width": 4}
    lines = plain(report_lines(report, PIPED_WIDTH))
    assert "\x1b" not in "".join(lines) and "\u202e" not in "".join(lines)
    assert "2026-01\\x1b[2J" in lines[0] and "\\u202eevil ± 4" in lines[2]


def test_the_plan_table_names_its_terms_and_gives_a_row_per_figure():
    result = plan(14, K, RHO)
    console = Console(width=200, record=True, color_system=None)
    console.print(plan_table(result))
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    assert lines[0] == f"A cohort of 14: k={K}, ρ={RHO} per quarter (ε={result.epsilon:.1f} per quarter at δ=10⁻⁶)"
    assert lines[1].split() == ["figure", "±", "95%", "released", "units"]
    assert [f.figure for f in result.figures] == [name for name in CATALOGUE if name != "members sending"]
    for line, figure in zip(lines[2:], result.figures, strict=False):
        assert line.startswith(figure.figure + " ") and f"± {figure.half_width:g}" in line
    assert lines[2 + len(result.figures):] == [
        f"Over a 6-month programme, at most ρ={result.programme_rho} in all: ε={result.programme_epsilon:.1f} at "
        "δ=10⁻⁶.", f"The rating means are released in 95% of quarters from {result.smallest_cohort} members."]
