"""What a programme's terms give a cohort before anyone joins: per figure, the chance its cell is
released and the 95% half-width of its noise, read off the release's own mechanism.

Everything follows `projections.programme_release` (its catalogue, budget split and bounds) and
the exact discrete Laplace law of `privacy.discrete_laplace`: P(Y = y) = (1-q)/(1+q) q^|y| with
q = exp(-1/scale), whose tails have closed forms, so nothing here is simulated. The cohort is
taken as N members, all active and all giving the 1–5 ratings. For the figures that are ratios
(per mentee, means, retention) the noisy denominator is taken to be N: their half-width is the
numerator's (exact) half-width divided by N, an approximation that ignores the denominator's
own noise and the clamping into the figure's range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from domain.errors import JournalError
from projections.programme_release import CATALOGUE, FIGURES_PER_PERIOD, PERIODS_PER_QUARTER, RELEASED_FIGURES

LEVEL = 0.95  # the intervals' coverage, and the "released almost always" of `smallest_cohort`
MAX_MEMBERS = 10**6
UNITS = {"active mentees": "mentees", "check-ins per mentee": "check-ins per mentee",
         "meetings per mentee": "meetings per mentee", "share meeting the norm": "share of mentees",
         "goals set": "goals", "goals achieved": "goals", "milestones reached": "milestones",
         "confidence": "points on 1–5", "satisfaction": "points on 1–5", "retention": "share of first month"}


@dataclass(frozen=True)
class FigurePlan:
    figure: str
    released: float  # probability that its cell is released rather than suppressed
    half_width: float  # 95% half-width of the noise on the released figure, in `units`
    units: str


@dataclass(frozen=True)
class ProgrammePlan:
    members: int
    k: int
    epsilon: Fraction  # per quarter
    epsilon_per_figure: Fraction
    smallest_cohort: int  # the fewest members whose active count is released with probability >= LEVEL
    figures: list[FigurePlan]

    def as_json(self) -> dict[str, Any]:
        return {"members": self.members, "k": self.k, "epsilon": str(self.epsilon),
                "epsilon_per_figure": str(self.epsilon_per_figure), "level": LEVEL,
                "smallest_cohort": self.smallest_cohort,
                "figures": [{"figure": f.figure, "released": round(f.released, 4),
                             "half_width": round(f.half_width, 4), "units": f.units} for f in self.figures]}


def at_least(m: int, scale: Fraction) -> float:
    """P(Y >= m): q^m / (1+q) for m >= 1, and by symmetry 1 - q^(1-m) / (1+q) otherwise."""
    q = math.exp(-1 / scale)
    return math.exp(-m / scale) / (1 + q) if m >= 1 else 1 - math.exp(-(1 - m) / scale) / (1 + q)


def beyond(h: int, scale: Fraction) -> float:
    """P(|Y| > h) = 2 q^(h+1) / (1+q)."""
    return 2 * math.exp(-(h + 1) / scale) / (1 + math.exp(-1 / scale))


def difference_beyond(h: int, scale: Fraction) -> float:
    """P(|Y1 - Y2| > h) for two independent draws, from P(D = d) = c² q^|d| (2/(1-q²) + |d| - 1)
    with c = (1-q)/(1+q), summed in closed form over d > h (and doubled, D being symmetric)."""
    q, n = math.exp(-1 / scale), h + 1
    c, a = (1 - q) / (1 + q), 2 / (1 - q * q)
    return 2 * c * c * q**n * ((a - 1) / (1 - q) + (n - (n - 1) * q) / (1 - q) ** 2)


def half_width(scale: Fraction, tail: Callable[[int, Fraction], float] = beyond) -> int:
    """The smallest h with P(|noise| > h) <= 1 - LEVEL."""
    estimate = float(scale) * math.log(2 / (1 - LEVEL) / (1 + math.exp(-1 / scale)))  # Laplace's own, then exact
    return _least(math.ceil(estimate) - 1, lambda h: tail(h, scale) <= 1 - LEVEL)


def smallest_cohort(k: int, epsilon: Fraction) -> int:
    scale = 1 / _per_figure(epsilon)
    estimate = float(scale) * math.log(1 / (1 - LEVEL) / (1 + math.exp(-1 / scale)))
    return k + _least(math.ceil(estimate) - 1, lambda j: at_least(-j, scale) >= LEVEL)


def active_released(members: int, k: int, epsilon: Fraction) -> float:
    """The chance a month's active count (and with it the month) is released rather than suppressed:
    suppression is decided on the noisy count only, so even a cohort under k is sometimes released."""
    return at_least(k - members, 1 / _per_figure(epsilon))


def plan(members: int, k: int, epsilon: Fraction) -> ProgrammePlan:
    from journal.programmes import MIN_K, check_epsilon

    if not 1 <= members <= MAX_MEMBERS:
        raise JournalError(f"a cohort has 1 to {MAX_MEMBERS:,} members, not {members}")
    if k < MIN_K:
        raise JournalError(f"k must be at least {MIN_K}: smaller cells identify people")
    check_epsilon(epsilon)
    count_scale = 1 / _per_figure(epsilon)
    active = active_released(members, k, epsilon)
    rows = {"active mentees": (active, half_width(count_scale)),
            "retention": (active, half_width(count_scale, difference_beyond) / members)}
    for figure, (kind, _, bound) in RELEASED_FIGURES.items():
        noise = half_width(bound * count_scale)
        if kind == "total":
            rows[figure] = (active, noise)
        elif kind == "per mentee":
            rows[figure] = (active, noise / members)
        elif kind == "mean":  # its own count (all N rated) is released on the same terms, independently
            rows[figure] = (active * active, noise / members)
        else:
            raise ValueError(f"no plan for a {kind!r} release")
    return ProgrammePlan(members, k, epsilon, _per_figure(epsilon), smallest_cohort(k, epsilon),
                         [FigurePlan(f, *rows[f], UNITS[f]) for f in CATALOGUE])


def _per_figure(epsilon: Fraction) -> Fraction:
    return epsilon / PERIODS_PER_QUARTER / FIGURES_PER_PERIOD


def _least(estimate: int, holds: Callable[[int], bool]) -> int:
    """The smallest n >= 0 for which a monotone `holds` is true, searched from an estimate."""
    n = max(0, estimate)
    while not holds(n):
        n += 1
    while n > 0 and holds(n - 1):
        n -= 1
    return n


HANDBOOK_COHORT = 14  # the handbooks' cohort: `program create` warns when its terms leave such a cohort little
WARN_SUPPRESSED = 0.5


def cohort_warning(k: int, epsilon: Fraction, members: int = HANDBOOK_COHORT) -> str | None:
    """What a cohort of `members` would miss on these terms, if its active count is suppressed in
    most months or, when released, is noisier than the cohort is large; None if neither."""
    active = plan(members, k, epsilon).figures[0]
    if 1 - active.released <= WARN_SUPPRESSED and active.half_width < members:
        return None
    return (f"on these terms a cohort of {members} would see its active count suppressed in "
            f"{1 - active.released:.0%} of months, and released ± {active.half_width:,} mentees (95%): "
            f"see `mj program plan --members {members} --k {k} --epsilon {epsilon}`")
