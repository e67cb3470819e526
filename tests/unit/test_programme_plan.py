"""The plan's numbers against independent computations: the PMF summed term by term, a direct
convolution, and the real release run many times on a seeded source."""

import math
import random
from fractions import Fraction

import pytest

from projections import privacy, programme_plan
from projections.programme_plan import (active_released, at_least, beyond, cohort_warning, difference_beyond,
                                        half_width, plan, smallest_cohort)
from projections.programme_release import CATALOGUE, FIGURES_PER_PERIOD, PERIODS_PER_QUARTER, _release_period


class Seeded:
    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self.random.randrange(n)


def pmf(y: int, scale: Fraction) -> float:
    q = math.exp(-1 / float(scale))
    return (1 - q) / (1 + q) * q ** abs(y)


def mass(ys, scale) -> float:
    return math.fsum(pmf(y, scale) for y in ys)


SCALES = [Fraction(1, 2), Fraction(7, 3), Fraction(33), Fraction(330)]


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("m", [-40, -4, 0, 1, 5])
def test_the_chance_of_a_release_is_the_pmf_summed_from_the_threshold(scale, m):
    assert at_least(m, scale) == pytest.approx(mass(range(m, m + 60 * int(scale) + 200), scale), abs=1e-9)


@pytest.mark.parametrize("scale", SCALES)
def test_the_half_width_is_the_smallest_that_holds_95_percent_of_the_pmf(scale):
    h = half_width(scale)
    assert mass(range(-h, h + 1), scale) >= 0.95 > mass(range(-h + 1, h), scale)
    assert beyond(h, scale) == pytest.approx(1 - mass(range(-h, h + 1), scale), abs=1e-9)


@pytest.mark.parametrize("scale", [Fraction(1, 2), Fraction(2), Fraction(7, 3)])
def test_the_tail_of_a_difference_of_two_draws_matches_a_direct_convolution(scale):
    span = range(-80, 81)
    difference = {d: math.fsum(pmf(y, scale) * pmf(y - d, scale) for y in span) for d in range(-60, 61)}
    for h in (0, 1, 3, 8):
        assert difference_beyond(h, scale) == pytest.approx(
            1 - math.fsum(p for d, p in difference.items() if abs(d) <= h), abs=1e-9)


def test_the_noise_of_the_real_sampler_stays_within_the_half_width_95_percent_of_the_time():
    rng, scale = Seeded(13), Fraction(33)
    h, draws = half_width(scale), 20_000
    inside = sum(abs(privacy.discrete_laplace(scale, rng)) <= h for _ in range(draws))
    assert inside / draws == pytest.approx(1 - beyond(h, scale), abs=0.01)


def cohort_totals(members: int, period: str = "2026-03") -> dict:
    per_member = {"active": 1, "checkins": 6, "meetings": 2, "met_norm": 1, "goals_set": 1, "goals_achieved": 1,
                  "milestones": 2, "confidence": 4, "satisfaction": 4}
    return {(period, metric): [value * members, members] for metric, value in per_member.items()}


@pytest.mark.parametrize("members", [6, 11, 14, 40])
def test_the_chances_of_release_are_what_the_release_itself_does(members):
    """The real `_release_period`, run 1,500 times on the defaults' share of ε: how often a
    month's active count and a mean are released matches the plan within 4 standard errors."""
    k, epsilon, runs = 10, Fraction(1), 1500
    rng, share = Seeded(members), epsilon / PERIODS_PER_QUARTER / FIGURES_PER_PERIOD
    rows = [_release_period("2026-03", cohort_totals(members), k, share, rng) for _ in range(runs)]
    planned = {f.figure: f.released for f in plan(members, k, epsilon).figures}
    for figure in ("active mentees", "goals set", "confidence"):
        seen = sum(row[figure] != "suppressed" for row in rows) / runs
        p = planned[figure]
        assert seen == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / runs) + 0.005)


def test_every_figure_of_the_catalogue_has_a_row_even_for_a_cohort_under_k():
    """Suppression is decided on the noisy count alone: under k, a month is released less often."""
    result = plan(9, 10, Fraction(1))
    assert [f.figure for f in result.figures] == list(CATALOGUE)
    assert 0 < result.figures[0].released < 0.5 < plan(11, 10, Fraction(1)).figures[0].released


def test_means_need_their_own_count_released_too():
    figures = {f.figure: f for f in plan(14, 10, Fraction(1)).figures}
    assert figures["confidence"].released == pytest.approx(figures["active mentees"].released ** 2)


def test_ratios_are_their_sums_half_width_over_the_cohort():
    figures = {f.figure: f for f in plan(40, 10, Fraction(1)).figures}
    assert figures["check-ins per mentee"].half_width == half_width(Fraction(31 * 33)) / 40
    assert figures["goals set"].half_width == half_width(Fraction(5 * 33))


def test_the_smallest_cohort_is_the_first_whose_active_count_is_released_95_percent_of_months():
    for k, epsilon in ((10, Fraction(1)), (5, Fraction(10)), (25, Fraction(1, 2))):
        n = smallest_cohort(k, epsilon)
        assert active_released(n, k, epsilon) >= 0.95 > active_released(n - 1, k, epsilon)


def test_the_defaults_leave_a_handbook_cohort_little_and_generous_terms_do_not():
    assert programme_plan.HANDBOOK_COHORT == 14
    assert "mj program plan --members 14" in cohort_warning(10, Fraction(1))
    assert cohort_warning(5, Fraction(10)) is None
    assert "suppressed in 91% of months" in cohort_warning(20, Fraction(10))  # k above the cohort


@pytest.mark.parametrize(("members", "k", "epsilon", "message"), [
    (0, 10, Fraction(1), "1 to 1,000,000 members"), (10**6 + 1, 10, Fraction(1), "1 to 1,000,000 members"),
    (14, 4, Fraction(1), "k must be at least 5"), (14, 10, Fraction(0), "epsilon must lie between"),
    (14, 10, Fraction(-1), "epsilon must lie between")])
def test_terms_that_no_programme_could_have_are_refused(members, k, epsilon, message):
    from domain.errors import JournalError

    with pytest.raises(JournalError, match=message):
        plan(members, k, epsilon)
