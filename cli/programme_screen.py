"""The programme report as text (a row per figure, a column per month, fitted to the screen) and
`mj program plan`'s table."""

from __future__ import annotations

from typing import Any

from cli.output import esc
from domain.programme_catalogue import DEFAULT_MONTHS
from projections.programme_figures import CATALOGUE, MEANS

# Short marks keep a month's column narrow; the legend under the table says what they mean.
SUPPRESSED = "[s]"
NOT_DUE = "–"
GAP = 2


def _cell(cell: Any) -> tuple[str, str]:
    """A released figure as (value, half-width), the half-width empty where there is none."""
    if cell is None:
        return NOT_DUE, ""
    if not isinstance(cell, dict):
        return esc(cell, markup=False), ""
    if cell.get("suppressed") is True:
        return SUPPRESSED, ""
    half = cell.get("half_width")
    return esc(cell.get("value"), markup=False), "" if half in (None, 0) else esc(half, markup=False)


class _Column:
    """A month's cells, their "±" aligned: values right-aligned, half-widths left-aligned."""

    def __init__(self, month: str, cells: list[tuple[str, str]]):
        self.month, self.cells = month, cells
        self.left = max(len(v) for v, _ in cells)
        self.right = max(len(h) for _, h in cells)
        self.width = max(len(month), self.left + (3 + self.right if self.right else 0))

    def text(self, i: int) -> str:
        value, half = self.cells[i]
        shown = value.rjust(self.left) + ((f" ± {half}" if half else "").ljust(3 + self.right) if self.right else "")
        return shown.rjust(self.width)


def month_blocks(widths: list[int], label_width: int, width: int) -> list[range]:
    """Consecutive months, as many to a block as fit `width` beside the figure names (at least one)."""
    blocks, start, used = [], 0, label_width
    for i, w in enumerate(widths):
        if i > start and used + GAP + w > width:
            blocks.append(range(start, i))
            start, used = i, label_width
        used += GAP + w
    if widths:
        blocks.append(range(start, len(widths)))
    return blocks


def report_lines(report: Any, width: int) -> list:
    """Every released month, oldest first, in blocks of months that fit `width`: each block a
    header of months and a line per figure, names never cut, each cell "value ± half-width".
    Piped (an unbounded width) it is one block, one figure a line, for grep."""
    from rich.text import Text

    columns = []
    for row in report.periods:
        figures = row.get("figures") if isinstance(row.get("figures"), dict) else {}
        columns.append(_Column(esc(row.get("period"), markup=False), [_cell(figures.get(n)) for n in CATALOGUE]))
    label_width = max(len(n) for n in CATALOGUE)
    lines: list = []
    for block in month_blocks([c.width for c in columns], label_width, width):
        if lines:
            lines.append(Text(""))
        header = Text(" " * label_width)
        for i in block:
            header.append(" " * GAP + columns[i].month.rjust(columns[i].width), style="bold")
        lines.append(header)
        for n, name in enumerate(CATALOGUE):
            line = Text(name.ljust(label_width))
            for i in block:
                shown = columns[i].text(n)
                line.append(" " * GAP)
                line.append(shown, style="dim" if shown.strip() in (SUPPRESSED, NOT_DUE) else "")
            line.rstrip()
            lines.append(line)
    if not columns:
        return lines
    marks = {value for c in columns for value, _ in c.cells}
    lines.append(Text("value ± half-width: a 95% interval for the noise added", style="dim"))
    if SUPPRESSED in marks:
        lines.append(Text(f"{SUPPRESSED} suppressed: too few to release (a noisy count under k = {report.k})",
                          style="dim"))
    if NOT_DUE in marks:
        lines.append(Text(f"{NOT_DUE} not due: ratings are released in the month that closes a quarter", style="dim"))
    return lines


def plan_table(plan: Any):
    """`mj program plan`: a row per figure with its 95% half-width, how often it is released and
    its units, under a title naming the terms and their (ε, δ) equivalent."""
    from rich.table import Table

    table = Table(title=f"A cohort of {plan.members}: k={plan.k}, ρ={plan.rho} per quarter "
                        f"(ε={plan.epsilon:.1f} per quarter at δ=10⁻⁶)",
                  caption=f"Over a {DEFAULT_MONTHS}-month programme, at most ρ={plan.programme_rho} in all: "
                          f"ε={plan.programme_epsilon:.1f} at δ=10⁻⁶.\nThe rating means are released in 95% of "
                          f"quarters from {plan.smallest_cohort} members.",
                  box=None, header_style="bold", title_justify="left", caption_justify="left", pad_edge=False)
    table.add_column("figure", no_wrap=True)
    table.add_column("± 95%", justify="right", no_wrap=True)
    table.add_column("released", justify="right", no_wrap=True)
    table.add_column("units", no_wrap=True)
    for f in plan.figures:
        table.add_row(f.figure, f"± {f.half_width:g}", _released(f), f.units)
    return table


def _released(figure: Any) -> str:
    if figure.released == 0:
        return "never: under k"
    if figure.figure not in MEANS:
        return "every month" if figure.released == 1 else f"{figure.released:.1%} of months"
    return f"{figure.released:.1%} of quarters"

