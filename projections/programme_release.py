"""The privacy release of a programme: each closed month's figures, released once with
differential privacy and charged to the ledger, and the report that shows them.

The catalogue is fixed (no ad-hoc queries, which would invite differencing attacks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from domain import clock
from domain.errors import JournalError
from projections import privacy
from projections.programme_view import catch_up

# 7 sums or counts, and a sum and a count per mean: by sequential composition each noisy
# release of a period gets an equal share of the period's budget.
FIGURES_PER_PERIOD = 11
PERIODS_PER_QUARTER = 3


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
# Each figure after "active mentees", in the order its noise is drawn: how it is released (a
# noisy sum per noisy active mentee, a noisy total, or a noisy sum over a noisy count), the
# member metric it sums, and that metric's bound (the sum's sensitivity). `mj program plan`
# reads this too, so that the plan follows the release.
RELEASED_FIGURES = {"check-ins per mentee": ("per mentee", "checkins", 31),
                    "meetings per mentee": ("per mentee", "meetings", 4),
                    "share meeting the norm": ("per mentee", "met_norm", 1),
                    "goals set": ("total", "goals_set", 5), "goals achieved": ("total", "goals_achieved", 5),
                    "milestones reached": ("total", "milestones", 10),
                    "confidence": ("mean", "confidence", 5), "satisfaction": ("mean", "satisfaction", 5)}


def release_report(app: Any, name: str, today: date, rng: privacy.RandomSource = privacy.SYSTEM_RANDOM
                   ) -> ProgrammeReport:
    """Releases every closed period not yet released, oldest first, each once and for good (later
    reports reuse it at no cost). Each month is paid for by its own quarter's budget, a third of
    it, whatever day the report runs. Every month released before is shown; months whose
    quarter's budget is spent are listed as waiting. Refused only when there is nothing at all
    to show."""
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
    per_period, spent = programme.epsilon / PERIODS_PER_QUARTER, Fraction(0)
    waiting: list[dict[str, str]] = []
    refused: JournalError | None = None
    for period in fresh:
        quarter = clock.quarter_of(period)
        try:
            spend(app, programme, quarter, per_period)
        except JournalError as error:
            refused = refused or error
            waiting.append({"period": period, "reason": f"the privacy budget for {quarter} is spent"})
            continue
        spent += per_period
        row = _release_period(period, totals, programme.k, per_period / FIGURES_PER_PERIOD, rng)
        store_release(app, programme, period, row, quarter, per_period)
        released[period] = row
    if refused and not released:
        raise refused  # nothing was ever released and nothing can be: say why
    left = remaining(app, programme, clock.quarter_of(clock.month_of_day(today)))
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

    # Every suppression is decided on a noisy count: a decision on a true count would itself
    # release that count, whatever the noise on the figures.
    active = privacy.noisy_count(cell("active")[0], epsilon, k, rng)
    row: dict[str, Any] = {"period": period}
    if active.suppressed:
        return row | {name: "suppressed" for name in CATALOGUE}
    n = active.value

    def mean(metric, bound):
        total, count = cell(metric)
        noisy_n = privacy.noisy_count(count, epsilon, k, rng)
        if noisy_n.suppressed:
            return "suppressed"
        return round(min(max(privacy.noisy_sum(total, epsilon, bound, rng) / noisy_n.value, 1), bound), 2)

    # Clamping noisy outputs into their possible range is post-processing: it costs no privacy.
    def per_mentee(metric, bound):
        return round(min(max(privacy.noisy_sum(cell(metric)[0], epsilon, bound, rng) / n, 0), bound), 2)

    def total(metric, bound):
        return max(privacy.noisy_sum(cell(metric)[0], epsilon, bound, rng), 0)

    release = {"per mentee": per_mentee, "total": total, "mean": mean}
    row |= {"active mentees": n} | {name: release[kind](metric, bound)
                                    for name, (kind, metric, bound) in RELEASED_FIGURES.items()}
    return row
