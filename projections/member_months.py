"""The member's side of a programme: her bounded figures for each closed month, and sending
them sealed to every programme she joined. Every metric is clamped to its bounds before it
leaves her machine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain import clock
from domain.errors import JournalError
from projections.model import JournalModel

BOUNDS = {"active": (0, 1), "checkins": (0, 31), "meetings": (0, 4), "meeting_minutes": (0, 600),
          "met_norm": (0, 1), "goals_set": (0, 5), "goals_achieved": (0, 5), "milestones": (0, 10),
          "confidence": (1, 5), "satisfaction": (1, 5)}


def clamp(metric: str, value: int) -> int:
    low, high = BOUNDS[metric]
    return max(low, min(high, value))


def month_of(moment) -> str:
    return clock.local_month(moment)


def closed_periods(joined: str, left: str | None, today: date) -> list[str]:
    """Whole months from joining up to (not including) this month, or the month of leaving."""
    return clock.months_from(joined, min(clock.month_of_day(today), left or "9999-12"))


def monthly_metrics(model: JournalModel, period: str, cohort: str) -> dict[str, Any]:
    """One mentee's bounded figures for one month: counts and 1–5 means, nothing else."""
    # Joining and leaving are consent, not use of the journal: a join dated back (`--at`) does not
    # make the month it names an active one.
    entries = [e for e in model.entries if month_of(e.at) == period and e.kind not in ("joined", "left")]
    kinds = [e.kind for e in entries]
    minutes = sum(e.fields["minutes"] for e in entries if e.kind == "meeting")
    confidences = [e.fields["confidence"] for e in entries if e.kind == "checkin" and e.fields.get("confidence")]
    # Satisfaction is her own rating of her meetings, never her mood: a month without a rated
    # meeting has no satisfaction figure (None, not counted), not a guessed one.
    ratings = [e.fields["rating"] for e in entries if e.kind == "meeting" and e.fields.get("rating")]
    metrics = {"active": int(bool(entries)), "checkins": kinds.count("checkin"), "meetings": kinds.count("meeting"),
               "meeting_minutes": minutes, "met_norm": int(minutes >= 60), "goals_set": kinds.count("goal"),
               "goals_achieved": kinds.count("achieved"), "milestones": kinds.count("reached")}
    metrics = {m: clamp(m, v) for m, v in metrics.items()}
    for name, values in (("confidence", confidences), ("satisfaction", ratings)):
        metrics[name] = clamp(name, round(sum(values) / len(values))) if values else None
    return {"period": period, "cohort": cohort, "metrics": metrics}


def contribute_closed_periods(app: Any, today: date, model: JournalModel | None = None,
                              notes: list[str] | None = None) -> int:
    """Seals every closed period of every joined programme not yet sent; returns how many were
    new. The journal is only read when something is missing, so that commands stay quick.

    A programme whose row is malformed, unsigned, or not what she pinned at join gets nothing;
    the others still get their months, then one `JournalError` names what was refused. Pins
    made on first use (joins recorded before pins) are said in `notes`."""
    from journal.programmes import checked_against_pin, contribute, find_programme, missing_periods

    sent, refused = 0, []
    joined_programmes, pins = app.programme_membership()
    for name, (joined, left) in joined_programmes.items():
        try:
            programme = checked_against_pin(app, find_programme(app, name), pins, notes)
        except JournalError as error:
            refused.append(str(error))
            continue
        missing = missing_periods(app, programme, closed_periods(joined, left, today)[-programme.months:])
        if missing and model is None:
            model = JournalModel.build(app.history())
        for period in missing:
            sent += contribute(app, programme, period, monthly_metrics(model, period, cohort=joined))
    if refused:
        raise JournalError("; ".join(refused))
    return sent
