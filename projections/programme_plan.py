"""What a programme's terms give a cohort before anyone joins: each figure's 95% half-width and how
often it is released, read off the release's own mechanism and the discrete Gaussian's pmf.

The cohort is N members, all sending, all active and all giving both ratings. Counts are exact
(`privacy.half_width_95` of the coordinate's σ²). Ratios are approximations: a per-mentee figure
is its count's half-width over N; a mean's is the delta method at a mid-scale mean (rating 3) with
the count of raters at N, as `programme_figures.mean` computes it; retention's is √2 times the
active count's over N (two independent draws). The chance a mean is released is exact:
P(N + Y >= k) for Y the count of raters' noise. A month under k members is never aggregated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from domain.errors import JournalError
from projections import privacy
from domain.programme_catalogue import DEFAULT_MONTHS, RHO_RANGE, cost, sigma2
from projections.programme_figures import CATALOGUE, MEANS, TOTALS, UNITS, rounded_width

LEVEL = 0.95  # the intervals' coverage, and the "released almost always" of `smallest_cohort`
DELTA = 1e-6  # for stating ρ as the familiar (ε, δ)
MAX_MEMBERS = 10**6
MID_SCALE = 2  # a mean of 3 on the 1–5 scale, as sent (rating − 1)
PLANNED = tuple(f for f in CATALOGUE if f != "members sending")  # its count is exact


@dataclass(frozen=True)
class FigurePlan:
    figure: str
    half_width: float  # 95% half-width of the released figure, in `units`
    released: float  # chance it is released in a month it is due (a quarter, for the means)
    units: str


@dataclass(frozen=True)
class ProgrammePlan:
    members: int
    k: int
    rho: Fraction  # per quarter
    epsilon: float  # ρ per quarter as (ε, DELTA)
    programme_rho: Fraction  # the most a programme of DEFAULT_MONTHS months spends in all
    programme_epsilon: float
    smallest_cohort: int  # the fewest members whose means are released in LEVEL of quarters
    figures: list[FigurePlan]

    def as_json(self) -> dict[str, Any]:
        return {"members": self.members, "k": self.k, "rho_per_quarter": str(self.rho), "delta": DELTA,
                "epsilon_per_quarter": round(self.epsilon, 2), "programme_months": DEFAULT_MONTHS,
                "rho_per_programme": str(self.programme_rho), "epsilon_per_programme": round(self.programme_epsilon, 2),
                "level": LEVEL, "smallest_cohort": self.smallest_cohort,
                "figures": [{"figure": f.figure, "half_width": f.half_width, "released": round(f.released, 4),
                             "units": f.units} for f in self.figures]}


def at_least(threshold: int, variance: Fraction) -> float:
    """P(Y >= threshold) for the discrete Gaussian, its pmf summed to where the tail is below 1e-30."""
    reach = math.ceil(12 * math.sqrt(variance)) + 1
    if threshold > reach:
        return 0.0
    return min(1.0, math.fsum(privacy.discrete_gaussian_pmf(variance, y) for y in range(max(threshold, -reach),
                                                                                        reach + 1)))


def mean_released(members: int, k: int, rho: Fraction) -> float:
    """The chance a quarter's means are released: the noisy count of raters (all N) is at least k."""
    if members < k:
        return 0.0
    return at_least(k - members, sigma2(MEANS["confidence"][1], rho))


def smallest_cohort(k: int, rho: Fraction) -> int:
    n = k
    while mean_released(n, k, rho) < LEVEL:
        n += 1
    return n


def programme_rho(rho: Fraction, months: int = DEFAULT_MONTHS) -> Fraction:
    """What a member's months cost in all (ρ adds up), for the costliest starting month: a
    programme off the calendar's quarters closes one more quarter early, at its last month."""
    def spent(first: int) -> Fraction:
        periods = [f"{2000 + (first + i) // 12}-{(first + i) % 12 + 1:02d}" for i in range(months)]
        return sum((cost(p, periods[-1], rho) for p in periods), Fraction(0))

    return max(spent(first) for first in range(12))


def plan(members: int, k: int, rho: Fraction) -> ProgrammePlan:
    from journal.programmes import MIN_K

    if not 1 <= members <= MAX_MEMBERS:
        raise JournalError(f"a cohort has 1 to {MAX_MEMBERS:,} members, not {members}")
    if k < MIN_K:
        raise JournalError(f"k must be at least {MIN_K}: smaller cells identify people")
    if not RHO_RANGE[0] <= rho <= RHO_RANGE[1]:
        raise JournalError("rho must lie between 0.01 and 10 per quarter")
    monthly = 1.0 if members >= k else 0.0  # the helper refuses a month under k members
    counts = {figure: privacy.half_width_95(sigma2(coordinate, rho)) for figure, coordinate in TOTALS.items()}
    rows: dict[str, tuple[float, float]] = {figure: (h, monthly) for figure, h in counts.items()}
    rows["meetings per mentee"] = (rounded_width(counts["meetings"] / members), monthly)
    for figure, (total, count) in MEANS.items():
        spread = math.sqrt(sigma2(total, rho) + MID_SCALE * MID_SCALE * sigma2(count, rho)) / members
        rows[figure] = (rounded_width(1.96 * spread), mean_released(members, k, rho))
    rows["retention"] = (rounded_width(math.sqrt(2) * counts["active mentees"] / members), monthly)
    spent = programme_rho(rho)
    return ProgrammePlan(members, k, rho, privacy.epsilon_of_rho(rho, DELTA), spent,
                         privacy.epsilon_of_rho(spent, DELTA), smallest_cohort(k, rho),
                         [FigurePlan(f, *rows[f], UNITS[f]) for f in PLANNED])


HANDBOOK_COHORT = 14  # the handbooks' cohort: `program create` warns when its terms leave such a cohort little
WARN_RELEASED = 0.5


def cohort_warning(k: int, rho: Fraction, members: int = HANDBOOK_COHORT) -> str | None:
    """What a cohort of `members` would miss on these terms: no month at all when it is under k;
    else an active count noisier than half the cohort, or means released in under half of
    quarters. None if neither."""
    see = f"see `mj program plan --members {members} --k {k} --rho {rho}`"
    if members < k:
        return f"a cohort of {members} is under k={k}: none of its months would be released: {see}"
    figures = {f.figure: f for f in plan(members, k, rho).figures}
    active, means = figures["active mentees"].half_width, figures["confidence"].released
    if active <= members / 2 and means >= WARN_RELEASED:
        return None
    return (f"on these terms a cohort of {members} would see its active count ± {active:g} (95%) and its "
            f"rating means released in {means:.0%} of quarters: {see}")
