"""The programme report's text layout: months in blocks that fit the width, names never cut."""

from cli.output import PIPED_WIDTH
from cli.programme_screen import month_blocks, report_lines
from projections.programme_release import CATALOGUE, ProgrammeReport


def a_year_of_months() -> ProgrammeReport:
    rows = [{"period": f"2025-{m:02d}", **{name: round(m * 1.25, 2) for name in CATALOGUE}} for m in range(1, 13)]
    rows[0] = {"period": "2025-01"} | {name: "suppressed" for name in CATALOGUE}
    return ProgrammeReport("Long", 10, "1/3", "2/3", rows)


def plain(lines) -> list[str]:
    return [line.plain for line in lines]


def test_at_80_columns_a_year_of_months_comes_in_blocks_that_each_fit():
    lines = plain(report_lines(a_year_of_months(), CATALOGUE, 80))
    assert max(len(line) for line in lines) <= 80
    headers = [line.split() for line in lines if line.startswith(" ")]
    assert headers == [[f"2025-{m:02d}" for m in range(1, 7)], [f"2025-{m:02d}" for m in range(7, 13)]]
    for name in CATALOGUE:  # whole, once per block
        assert sum(line.startswith(name + " ") for line in lines) == 2
    assert lines[-1] == "[s] suppressed: too few mentees to release (k = 10)"


def test_piped_each_figure_is_one_line_with_every_month_for_grep():
    lines = plain(report_lines(a_year_of_months(), CATALOGUE, PIPED_WIDTH))
    assert len(lines) == 1 + len(CATALOGUE) + 1  # the months, a line per figure, the legend
    assert lines[1].split() == ["active", "mentees", "[s]", *(str(round(m * 1.25, 2)) for m in range(2, 13))]


def test_the_legend_is_only_there_when_a_cell_is_suppressed():
    report = a_year_of_months()
    report.periods.pop(0)
    assert not any("suppressed" in line for line in plain(report_lines(report, CATALOGUE, 80)))


def test_a_width_too_narrow_for_two_months_still_shows_one_a_block():
    assert month_blocks([7, 7, 7], label_width=22, width=30) == [range(0, 1), range(1, 2), range(2, 3)]
    assert month_blocks([], label_width=22, width=80) == []
