"""The programme report as an HTML page: its table and charts, from released figures only."""

from __future__ import annotations

from projections.programme_release import CATALOGUE, ProgrammeReport

MONTHS_PER_TABLE = 6


def render_programme_report(report: ProgrammeReport) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    from projections import charts

    def series(name):
        return [(row["period"], None if row[name] == "suppressed" else row[name]) for row in report.periods]

    figures = [("Active mentees", charts.period_bars("Active mentees", series("active mentees"))),
               ("Check-ins per mentee", charts.period_bars("Check-ins per mentee", series("check-ins per mentee"),
                                                          colour="#3b82c4")),
               ("Share meeting the one-hour norm",
                charts.period_bars("Share meeting the norm", series("share meeting the norm"), colour="#2f9e44",
                                   scale=(0, 1))),
               ("Confidence (1–5)", charts.period_bars("Confidence", series("confidence"), colour="#c2255c",
                                                       scale=(1, 5))),
               ("Satisfaction (1–5)", charts.period_bars("Satisfaction", series("satisfaction"), colour="#e8590c",
                                                         scale=(1, 5)))]
    # Months in tables of at most six, so that a long programme never makes one table too wide.
    months = [report.periods[i:i + MONTHS_PER_TABLE] for i in range(0, len(report.periods), MONTHS_PER_TABLE)]
    env = Environment(loader=PackageLoader("projections", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("programme.html").render(report=report, charts=figures, catalogue=CATALOGUE,
                                                     tables=months)
