"""The mentee's report: one self-contained HTML page (jinja2) with inline SVG charts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from domain import clock
from domain.errors import JournalError
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
    mood = [(clock.local_day(e.at), float(e.fields["mood"])) for e in checkins if e.fields.get("mood")]
    milestones = [(m.text, (clock.local_day(m.reached) if m.reached else m.due), bool(m.reached))
                  for m in model.milestones.values() if m.reached or m.due]
    from projections.rhythm import rhythms

    return {
        "owner": owner, "today": today, "progress": progress, "summary": period,
        "rhythms": rhythms(model.entries, today),
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


def write_report(path: str | Path, page: str) -> None:
    """The page holds the journal in plain text, so only its owner may read the file. It is
    written to a fresh 0600 file beside `path` and renamed over it: an existing file's mode is
    never kept, a link planted at `path` is replaced rather than written through, and a crash
    leaves the old page or the new one, never half of one."""
    from journal.private_files import write_private

    try:
        write_private(path, page.encode("utf-8"))
    except OSError as error:
        raise JournalError(f"cannot write {path}: {error.strerror}") from None
