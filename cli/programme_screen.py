"""The programme report as text: a row per figure and a column per month, fitted to the screen."""

from __future__ import annotations

from typing import Any

from cli.output import esc

# A short mark keeps a month's column as narrow as its header, so that the default six-month
# programme fits 80 columns in one block; the legend under the table says what it means.
SUPPRESSED = "[s]"
GAP = 2


def _cell(value: Any) -> str:
    return SUPPRESSED if value == "suppressed" else esc(value, markup=False)


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


def report_lines(report: Any, catalogue: tuple[str, ...], width: int) -> list:
    """Every released month, oldest first, in blocks of months that fit `width`: each block a
    header of months and a line per figure, names never cut. Piped (an unbounded width) it is
    one block, one figure a line, for grep."""
    from rich.text import Text

    months = [esc(row["period"], markup=False) for row in report.periods]
    cells = {name: [_cell(row.get(name, "suppressed")) for row in report.periods] for name in catalogue}
    widths = [max([len(m)] + [len(cells[n][i]) for n in catalogue]) for i, m in enumerate(months)]
    label_width = max(len(n) for n in catalogue)
    lines: list = []
    for block in month_blocks(widths, label_width, width):
        if lines:
            lines.append(Text(""))
        header = Text(" " * label_width)
        for i in block:
            header.append(" " * GAP + months[i].rjust(widths[i]), style="bold")
        lines.append(header)
        for name in catalogue:
            line = Text(name.ljust(label_width))
            for i in block:
                value = cells[name][i]
                line.append(" " * (GAP + widths[i] - len(value)))
                line.append(value, style="dim" if value == SUPPRESSED else "")
            lines.append(line)
    if any(SUPPRESSED in row for row in cells.values()):
        lines.append(Text(f"{SUPPRESSED} suppressed: too few mentees to release (k = {report.k})", style="dim"))
    return lines
