"""The mentee's report: one self-contained HTML page (jinja2) with inline SVG charts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from projections import charts
from projections.entries import EntryFilter
from projections.model import JournalModel
from projections.progress import progress_view
from projections.summary import summary
from projections.timeline import timeline


def report_context(model: JournalModel, today: date, owner: str) -> dict[str, Any]:
    progress = progress_view(model, today)
    weeks = [(p.label, p.counts()) for p in timeline(model, EntryFilter(), "week")]
    groups = [(a.text, a.goals) for a in progress.aspirations if a.goals]
    if progress.unlinked:
        groups.append(("Goals serving no aspiration", progress.unlinked))
    period = summary(model, today - timedelta(days=30), today)
    checkins = [e for e in model.entries if e.kind == "checkin"]
    mood = [(e.at.astimezone().date(), float(e.fields["mood"])) for e in checkins if e.fields.get("mood")]
    milestones = [(m.text, (m.reached.date() if m.reached else m.due), bool(m.reached))
                  for m in model.milestones.values() if m.reached or m.due]
    return {
        "owner": owner, "today": today, "progress": progress, "summary": period,
        "counts": {"records": len(model.entries), "check-ins": len(checkins), "goals": len(model.goals),
                   "milestones reached": sum(1 for m in model.milestones.values() if m.reached)},
        "charts": {
            "activity": charts.activity_chart(weeks),
            "progress": charts.progress_bars(groups),
            "mood": charts.mood_chart(mood, progress.confidence),
            "milestones": charts.milestone_axis(milestones, today),
        },
    }


def render_report(model: JournalModel, today: date, owner: str) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("projections", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("report.html").render(**report_context(model, today, owner))
