"""The programme report as an HTML page: its table and charts, each figure with its 95% interval,
from released figures only."""

from __future__ import annotations

from typing import Any

from projections.programme_figures import CATALOGUE, MEANS
from projections.programme_release import ProgrammeReport

MONTHS_PER_TABLE = 6
# (chart title, figure, colour, scale); the norm is charted as a share of the members sending
CHARTS = (("Active mentees", "active mentees", "#5f3dc4", None),
          ("Meetings per mentee", "meetings per mentee", "#3b82c4", None),
          ("Meeting the norm", "meeting the one-hour norm", "#2f9e44", (0, 1)),
          ("Confidence", "confidence", "#c2255c", (1, 5)),
          ("Satisfaction", "satisfaction", "#e8590c", (1, 5)))
HEADINGS = {"Active mentees": "Active mentees", "Meetings per mentee": "Meetings per member sending",
            "Meeting the norm": "Share of members sending who met the one-hour norm",
            "Confidence": "Confidence (mean, 1–5; once a quarter)",
            "Satisfaction": "Satisfaction (mean rating, 1–5; once a quarter)"}


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _figure(row: dict[str, Any], name: str) -> dict[str, Any] | None:
    figures = row.get("figures")
    cell = figures.get(name) if isinstance(figures, dict) else None
    return cell if isinstance(cell, dict) else None


def _share(row: dict[str, Any], cell: dict[str, Any]) -> dict[str, Any]:
    """The norm's count as a share of the members who sent (a public count): post-processing."""
    members, value, half = _number(row.get("members")), _number(cell.get("value")), _number(cell.get("half_width"))
    if not members or value is None:
        return {"suppressed": True}
    return {"value": round(min(max(value / members, 0), 1), 2), "half_width": round((half or 0) / members, 2)}


def series(report: ProgrammeReport, name: str) -> tuple[list[tuple[str, float | None]], list[float | None]]:
    """A chart's bars and whiskers: every month that released the figure (a rating's only in the
    months that close a quarter), None for a suppressed one."""
    rows, halves = [], []
    for row in report.periods:
        cell = _figure(row, name)
        if cell is None and name in MEANS:
            continue  # not due this month
        if cell is not None and name == "meeting the one-hour norm":
            cell = _share(row, cell)
        value = _number((cell or {}).get("value"))
        rows.append((str(row.get("period")), value))
        halves.append(_number((cell or {}).get("half_width")) if value is not None else None)
    return rows, halves


def table_cell(row: dict[str, Any], name: str) -> tuple[str, str]:
    """(text, class): "value ± half-width", "suppressed", or "–" for a rating not due this month."""
    cell = _figure(row, name)
    if cell is None:
        return "–", "absent"
    if cell.get("suppressed") is True or _number(cell.get("value")) is None:
        return "suppressed", "suppressed"
    half = _number(cell.get("half_width"))
    return (f"{cell['value']} ± {half}" if half else str(cell["value"])), ""


def render_programme_report(report: ProgrammeReport) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    from projections import charts

    figures = []
    for title, name, colour, scale in CHARTS:
        rows, halves = series(report, name)
        figures.append((HEADINGS[title], charts.period_bars(title, rows, colour=colour, scale=scale, intervals=halves)))
    # Months in tables of at most six, so that a long programme never makes one table too wide.
    tables = []
    for start in range(0, len(report.periods), MONTHS_PER_TABLE):
        months = report.periods[start:start + MONTHS_PER_TABLE]
        tables.append(([str(row.get("period")) for row in months],
                       [(name, [table_cell(row, name) for row in months]) for name in CATALOGUE]))
    env = Environment(loader=PackageLoader("projections", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("programme.html").render(report=report, charts=figures, tables=tables)
