"""Programme aggregates: a mentee's bounded monthly metrics, the manager's incremental view of
sums and counts, and the report released with differential privacy.

The catalogue is fixed (no ad-hoc queries, which would invite differencing attacks). Every
metric is clamped to its bounds before it leaves the mentee's machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Callable

from domain import clock
from domain.errors import JournalError
from projections import privacy
from projections.model import JournalModel

BOUNDS = {"active": (0, 1), "checkins": (0, 31), "meetings": (0, 4), "meeting_minutes": (0, 600),
          "met_norm": (0, 1), "goals_set": (0, 5), "goals_achieved": (0, 5), "milestones": (0, 10),
          "confidence": (1, 5), "satisfaction": (1, 5)}
BATCH = 2000
MONTH = r"\d{4}-\d{2}"


def _clamp(metric: str, value: int) -> int:
    low, high = BOUNDS[metric]
    return max(low, min(high, value))


def month_of(moment) -> str:
    return clock.local_month(moment)


def closed_periods(joined: str, left: str | None, today: date) -> list[str]:
    """Whole months from joining up to (not including) this month, or the month of leaving."""
    return clock.months_from(joined, min(clock.month_of_day(today), left or "9999-12"))


def monthly_metrics(model: JournalModel, period: str, cohort: str) -> dict[str, Any]:
    """One mentee's bounded figures for one month: counts and 1–5 means, nothing else."""
    entries = [e for e in model.entries if month_of(e.at) == period]
    kinds = [e.kind for e in entries]
    minutes = sum(e.fields["minutes"] for e in entries if e.kind == "meeting")
    confidences = [e.fields["confidence"] for e in entries if e.kind == "checkin" and e.fields.get("confidence")]
    moods = [e.fields["mood"] for e in entries if e.kind == "checkin" and e.fields.get("mood")]
    metrics = {"active": int(bool(entries)), "checkins": kinds.count("checkin"), "meetings": kinds.count("meeting"),
               "meeting_minutes": minutes, "met_norm": int(minutes >= 60), "goals_set": kinds.count("goal"),
               "goals_achieved": kinds.count("achieved"), "milestones": kinds.count("reached")}
    metrics = {m: _clamp(m, v) for m, v in metrics.items()}
    for name, values in (("confidence", confidences), ("satisfaction", moods)):
        metrics[name] = _clamp(name, round(sum(values) / len(values))) if values else None
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


def catch_up(app: Any, name: str, progress: Callable[[int], None] | None = None,
             from_scratch: bool = False) -> tuple[int, dict[str, Any]]:
    """The manager's view: sums and counts per cohort, period and metric, advanced over the
    contributions added since its position (or rebuilt), saved with that position."""
    from journal import programmes

    programme = programmes.find_programme(app, name)
    key = programmes.programme_private_key(app, programme)
    position, view = (0, {}) if from_scratch else programmes.load_view(app, key, name)
    added = 0
    while batch := programmes.contributions_after(app, name, position, BATCH):
        for rowid, period, sealed in batch:
            position = rowid
            if period is None or sealed is None:  # a row the store class could not decode
                continue
            try:  # anyone can seal a row to the programme key: one that does not decode counts for nothing
                payload = programmes.open_contribution(key, name, period, sealed)
                metrics, cohort = dict(payload["metrics"]), payload["cohort"]
            except Exception:  # noqa: BLE001 - unopenable, not JSON, or not the shape a client sends
                continue
            if not (isinstance(cohort, str) and re.fullmatch(MONTH, cohort) and re.fullmatch(MONTH, period)):
                continue
            for metric, value in metrics.items():
                if metric in BOUNDS and isinstance(value, int) and not isinstance(value, bool):
                    cell = view.setdefault(f"{cohort}|{period}|{metric}", [0, 0])
                    cell[0] += _clamp(metric, value)
                    cell[1] += 1
        added += len(batch)
        programmes.save_view(app, key, name, position, view)
        if progress:
            progress(len(batch))
    return added, view


@dataclass(frozen=True)
class ProgrammeReport:
    programme: str
    k: int
    epsilon_spent: str
    epsilon_left: str
    periods: list[dict[str, Any]]
    waiting: list[dict[str, str]] = ()  # closed months with figures, not yet released, and why
    ignored: list[str] = ()  # release rows in the store its manager did not sign: one line each

    def as_json(self) -> dict[str, Any]:
        return {"programme": self.programme, "k": self.k, "epsilon_spent": self.epsilon_spent,
                "epsilon_left": self.epsilon_left, "periods": self.periods, "waiting": list(self.waiting),
                "ignored": list(self.ignored)}


CATALOGUE = ("active mentees", "check-ins per mentee", "meetings per mentee", "share meeting the norm",
             "goals set", "goals achieved", "milestones reached", "confidence", "satisfaction", "retention")


def release_report(app: Any, name: str, today: date, rng: privacy.RandomSource = privacy.SYSTEM_RANDOM
                   ) -> ProgrammeReport:
    """Releases every closed period not yet released, oldest first, each once and for good (later
    reports reuse it at no cost), spending a third of the quarter's budget per period. Every
    month released before is shown; months the budget cannot pay for yet are listed as waiting.
    Refused only when there is nothing at all to show."""
    from journal.programmes import find_programme, released_periods, remaining, spend, store_release

    programme = find_programme(app, name)
    _, view = catch_up(app, name)
    totals: dict[tuple[str, str], list[int]] = {}
    for key, (total, count) in view.items():
        _, period, metric = key.split("|")
        cell = totals.setdefault((period, metric), [0, 0])
        cell[0] += total
        cell[1] += count
    ignored: list[str] = []
    released = released_periods(app, programme, ignored)
    fresh = sorted({p for p, _ in totals if p < clock.month_of_day(today)} - set(released))
    quarter = clock.quarter_of(clock.month_of_day(today))
    per_period, left, spent = programme.epsilon / 3, None, Fraction(0)
    waiting: list[dict[str, str]] = []
    for n, period in enumerate(fresh):
        try:
            left = spend(app, programme, quarter, per_period)
        except JournalError:
            if not released:
                raise  # nothing was ever released and nothing can be: say why
            waiting = [{"period": p, "reason": "waiting for next quarter's budget"} for p in fresh[n:]]
            break
        spent += per_period
        # 11 noisy releases per period (7 sums or counts, a sum and a count per mean): by
        # sequential composition each gets an equal share.
        row = _release_period(period, totals, programme.k, per_period / 11, rng)
        store_release(app, programme, period, row, quarter, per_period)
        released[period] = row
    if left is None:
        left = remaining(app, programme, quarter)
    return ProgrammeReport(name, programme.k, str(spent), str(left),
                           with_retention([released[p] for p in sorted(released)]), waiting, ignored)


def with_retention(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Active mentees of each month as a share of the first released month's: computed from
    released figures only (post-processing, no further privacy cost)."""
    base = next((r["active mentees"] for r in rows if isinstance(r["active mentees"], int)), None)
    return [r | {"retention": round(r["active mentees"] / base, 2)
                 if base and isinstance(r["active mentees"], int) else "suppressed"} for r in rows]


def _release_period(period, totals, k, epsilon, rng) -> dict[str, Any]:
    def cell(metric):
        return totals.get((period, metric), [0, 0])

    active_true = cell("active")[0]
    active = privacy.noisy_count(active_true, epsilon, k, rng)
    row: dict[str, Any] = {"period": period}
    # Cells built on fewer than k true contributors are suppressed whatever the noise says, so
    # that a small programme never releases anything but "suppressed".
    if active.suppressed or active_true < k:
        return row | {name: "suppressed" for name in CATALOGUE}
    n = active.value

    def mean(metric, bound):
        total, count = cell(metric)
        if count < k:
            return "suppressed"
        noisy_n = privacy.noisy_count(count, epsilon, k, rng)
        if noisy_n.suppressed:
            return "suppressed"
        return round(min(max(privacy.noisy_sum(total, epsilon, bound, rng) / noisy_n.value, 1), bound), 2)

    # Clamping noisy outputs into their possible range is post-processing: it costs no privacy.
    def per_mentee(metric, bound):
        return round(min(max(privacy.noisy_sum(cell(metric)[0], epsilon, bound, rng) / n, 0), bound), 2)

    def total(metric, bound):
        return max(privacy.noisy_sum(cell(metric)[0], epsilon, bound, rng), 0)

    row |= {"active mentees": n, "check-ins per mentee": per_mentee("checkins", 31),
            "meetings per mentee": per_mentee("meetings", 4), "share meeting the norm": per_mentee("met_norm", 1),
            "goals set": total("goals_set", 5), "goals achieved": total("goals_achieved", 5),
            "milestones reached": total("milestones", 10),
            "confidence": mean("confidence", 5), "satisfaction": mean("satisfaction", 5)}
    return row



def render_programme_report(report: ProgrammeReport) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    from projections import charts

    def series(name):
        return [(row["period"], None if row[name] == "suppressed" else row[name]) for row in report.periods]

    figures = [("Active mentees", charts.period_bars("Active mentees", series("active mentees"))),
               ("Check-ins per mentee", charts.period_bars("Check-ins per mentee", series("check-ins per mentee"),
                                                          colour="#3b82c4")),
               ("Share meeting the one-hour norm",
                charts.period_bars("Share meeting the norm", series("share meeting the norm"), colour="#2f9e44")),
               ("Confidence (1–5)", charts.period_bars("Confidence", series("confidence"), colour="#c2255c"))]
    env = Environment(loader=PackageLoader("projections", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("programme.html").render(report=report, charts=figures, catalogue=CATALOGUE)
