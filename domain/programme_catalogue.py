"""The programme catalogue, in one place for the member who sends, the helper who adds noise, the
manager who releases and `mj program plan`: the monthly vector a member's client sends, each
coordinate's bound (its sensitivity), and what each release costs in zCDP's ρ.

A member's vector for a month has nine coordinates. The first five are monthly figures; the
last four are her ratings over the quarter, filled only in the month that closes a quarter of
the programme (March, June, September, December, or the programme's last month) and zero in
every other month, so that slow signals are released once a quarter, not each month.

Ratings are sent as `rating - 1` (0 to 4), so that their bound, and the noise, is 4, not 5.
"""

from __future__ import annotations

from fractions import Fraction

from domain import clock

# (coordinate, bound): the member's client clamps each value into [0, bound] before it leaves.
MONTHLY = (("active", 1), ("meetings", 2), ("met_norm", 1), ("goals_achieved", 2), ("milestones", 3))
QUARTERLY = (("confidence", 4), ("rated_confidence", 1), ("satisfaction", 4), ("rated_satisfaction", 1))
VECTOR = MONTHLY + QUARTERLY
LENGTH = len(VECTOR)
BOUNDS = dict(VECTOR)
INDEX = {name: i for i, (name, _) in enumerate(VECTOR)}

# A quarter's budget ρ pays for three months of five monthly figures and one release of the four
# quarterly ones: nineteen equal shares. Equal ρ per figure makes each figure's noise
# proportional to its own bound (σ² = bound² / 2ρ_share), whatever else the vector holds.
SHARES_PER_QUARTER = 3 * len(MONTHLY) + len(QUARTERLY)

DEFAULT_RHO = Fraction(2)  # per quarter; see README "Programme figures" for why
DEFAULT_K = 10
DEFAULT_MONTHS = 6
DEFAULT_SETTLE_DAYS = 7
RHO_RANGE = (Fraction(1, 100), Fraction(10))  # per quarter


def share_rho(rho: Fraction) -> Fraction:
    return rho / SHARES_PER_QUARTER


def sigma2(coordinate: str, rho: Fraction) -> Fraction:
    """The discrete Gaussian's σ² for one coordinate's sum, on a quarter's budget ρ."""
    bound = BOUNDS[coordinate]
    return Fraction(bound * bound) / (2 * share_rho(rho))


def closes_quarter(period: str, last_period: str) -> bool:
    """Whether `period` carries the quarter's ratings: a calendar quarter's last month, or the
    programme's last month."""
    return period == last_period or period[5:7] in ("03", "06", "09", "12")


def noised(period: str, last_period: str) -> tuple[str, ...]:
    """The coordinates released for a month: the monthly five, and the quarterly four when the
    month closes a quarter. The others are zero in every member's vector and stay unreleased."""
    names = [name for name, _ in MONTHLY]
    if closes_quarter(period, last_period):
        names += [name for name, _ in QUARTERLY]
    return tuple(names)


def cost(period: str, last_period: str, rho: Fraction) -> Fraction:
    """What releasing a month costs its quarter: one share of ρ per coordinate released."""
    return share_rho(rho) * len(noised(period, last_period))


def quarter_of(period: str) -> str:
    """The quarter whose budget pays for a month: the month's own, whatever day it is released."""
    return clock.quarter_of(period)
