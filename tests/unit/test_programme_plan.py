"""The plan's numbers against independent computations: the discrete Gaussian's pmf written out
here term by term, the real sampler run many times on a seeded source, and ρ added up month by
month over every start of a six-month programme."""

import json
import math
import random
from fractions import Fraction

import pytest

from domain.errors import JournalError
from projections import privacy
from domain.programme_catalogue import BOUNDS, DEFAULT_K, DEFAULT_RHO, SHARES_PER_QUARTER
from projections.programme_figures import CATALOGUE, MEANS, TOTALS, UNITS
from projections.programme_plan import cohort_warning, mean_released, plan, smallest_cohort


class Seeded:
    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self.random.randrange(n)


def variance(coordinate: str, rho: Fraction) -> Fraction:
    """σ² = bound² / (2 ρ/19): each of a quarter's nineteen releases gets an equal share of ρ."""
    return Fraction(BOUNDS[coordinate] ** 2) * SHARES_PER_QUARTER / (2 * rho)


def pmf(sigma2: Fraction) -> dict[int, float]:
    """P(Y = y) ∝ exp(-y² / 2σ²), normalised over a range far wider than any mass that matters."""
    reach = 40 * math.isqrt(int(sigma2) + 1) + 40
    weights = {y: math.exp(-y * y / (2 * float(sigma2))) for y in range(-reach, reach + 1)}
    total = math.fsum(weights.values())
    return {y: w / total for y, w in weights.items()}


def mass(sigma2: Fraction, ys) -> float:
    p = pmf(sigma2)
    return math.fsum(p.get(y, 0.0) for y in ys)


TERMS = [(14, 10, Fraction(2)), (40, 5, Fraction(1, 2)), (9, 8, Fraction(1, 100)), (200, 25, Fraction(10))]


@pytest.mark.parametrize(("members", "k", "rho"), TERMS)
def test_each_counts_half_width_is_the_smallest_holding_95_percent_of_its_noise(members, k, rho):
    figures = {f.figure: f for f in plan(members, k, rho).figures}
    for figure, coordinate in TOTALS.items():
        h, s2 = figures[figure].half_width, variance(coordinate, rho)
        assert mass(s2, range(-h, h + 1)) >= 0.95 > mass(s2, range(-h + 1, h)), figure


@pytest.mark.parametrize(("members", "k", "rho"), TERMS)
def test_the_means_are_released_as_often_as_their_noisy_raters_reach_k(members, k, rho):
    figures = {f.figure: f for f in plan(members, k, rho).figures}
    expected = mass(variance("rated_confidence", rho), range(k - members, 10**4))
    for figure in MEANS:
        assert figures[figure].released == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("members", "k", "rho"), TERMS)
def test_ratios_are_their_counts_half_width_over_the_cohort_and_means_the_delta_method(members, k, rho):
    figures = {f.figure: f for f in plan(members, k, rho).figures}
    assert figures["meetings per mentee"].half_width == pytest.approx(figures["meetings"].half_width / members,
                                                                      abs=0.0051)
    assert figures["retention"].half_width == pytest.approx(
        math.sqrt(2) * figures["active mentees"].half_width / members, abs=0.0051)
    # the sum of (rating − 1) at a mean of 3, and the count of raters, both N, both noisy
    spread = math.sqrt(variance("confidence", rho) + 4 * variance("rated_confidence", rho)) / members
    assert figures["confidence"].half_width == pytest.approx(1.96 * spread, abs=0.0051)


def test_the_real_sampler_stays_within_the_half_width_and_reaches_k_as_often_as_planned():
    rho, members, k, draws = DEFAULT_RHO, 12, DEFAULT_K, 4000
    figures = {f.figure: f for f in plan(members, k, rho).figures}
    rng, s2 = Seeded(13), variance("active", rho)
    noise = [privacy.discrete_gaussian(s2, rng) for _ in range(draws)]
    inside = sum(abs(y) <= figures["active mentees"].half_width for y in noise) / draws
    assert inside == pytest.approx(mass(s2, range(-figures["active mentees"].half_width,
                                                  figures["active mentees"].half_width + 1)), abs=0.015)
    released = sum(members + y >= k for y in noise) / draws  # the count of raters has the same σ²
    p = figures["confidence"].released
    assert released == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / draws) + 0.005)


def test_on_the_defaults_a_handbook_cohort_sees_its_active_count_within_a_few():
    result = plan(14, DEFAULT_K, DEFAULT_RHO)
    figures = {f.figure: f for f in result.figures}
    assert 4 <= figures["active mentees"].half_width <= 5
    assert figures["confidence"].released > 0.95 and figures["confidence"].half_width < 2
    assert result.smallest_cohort <= 14
    assert cohort_warning(DEFAULT_K, DEFAULT_RHO) is None


def test_every_figure_but_the_exact_count_has_a_row_with_its_units():
    result = plan(14, DEFAULT_K, DEFAULT_RHO)
    assert [f.figure for f in result.figures] == [name for name in CATALOGUE if name != "members sending"]
    assert all(f.units == UNITS[f.figure] for f in result.figures)


def test_a_cohort_under_k_is_never_released():
    """The helper refuses a month under k members, so nothing of it is released at all."""
    assert {f.released for f in plan(9, 10, DEFAULT_RHO).figures} == {0.0}
    assert {f.released for f in plan(10, 10, DEFAULT_RHO).figures if f.figure not in MEANS} == {1.0}


@pytest.mark.parametrize(("k", "rho"), [(10, Fraction(2)), (5, Fraction(1, 10)), (25, Fraction(1, 2)), (8, 10)])
def test_the_smallest_cohort_is_the_first_whose_means_are_released_in_95_percent_of_quarters(k, rho):
    n = smallest_cohort(k, Fraction(rho))
    assert mean_released(n, k, Fraction(rho)) >= 0.95
    assert n == k or mean_released(n - 1, k, Fraction(rho)) < 0.95


def rho_of_a_programme(first_month: int, rho: Fraction) -> Fraction:
    """Five figures a month, four ratings in each month that closes a quarter or the programme."""
    months = [(first_month - 1 + i) % 12 + 1 for i in range(6)]
    closing = sum(m % 3 == 0 for m in months[:-1]) + 1
    return rho * (5 * len(months) + 4 * closing) / SHARES_PER_QUARTER


def test_epsilon_is_rho_in_familiar_terms_for_a_quarter_and_for_the_costliest_programme():
    result = plan(14, DEFAULT_K, Fraction(1, 2))
    assert result.epsilon == pytest.approx(0.5 + 2 * math.sqrt(0.5 * math.log(1e6)))
    assert result.programme_rho == max(rho_of_a_programme(m, Fraction(1, 2)) for m in range(1, 13))
    assert result.programme_rho == Fraction(1, 2) * 42 / 19  # off the quarters: three closing months
    spent = float(result.programme_rho)
    assert result.programme_epsilon == pytest.approx(spent + 2 * math.sqrt(spent * math.log(1e6)))


def test_the_plan_as_json_is_what_the_plan_says():
    result = plan(14, DEFAULT_K, DEFAULT_RHO)
    data = json.loads(json.dumps(result.as_json()))
    assert (data["members"], data["k"], data["rho_per_quarter"], data["delta"]) == (14, 10, "2", 1e-6)
    assert data["smallest_cohort"] == result.smallest_cohort and data["level"] == 0.95
    assert data["rho_per_programme"] == str(result.programme_rho)
    assert data["epsilon_per_quarter"] == round(result.epsilon, 2)
    assert data["figures"] == [{"figure": f.figure, "half_width": f.half_width, "released": round(f.released, 4),
                                "units": f.units} for f in result.figures]


def test_terms_that_leave_a_handbook_cohort_little_are_warned_of_in_its_numbers():
    result = {f.figure: f for f in plan(14, 10, Fraction(1, 100)).figures}
    warning = cohort_warning(10, Fraction(1, 100))
    assert f"± {result['active mentees'].half_width:g} (95%)" in warning
    assert f"released in {result['confidence'].released:.0%} of quarters" in warning
    assert "mj program plan --members 14 --k 10 --rho 1/100" in warning
    assert "none of its months would be released" in cohort_warning(20, Fraction(10))
    assert cohort_warning(5, Fraction(10)) is None


@pytest.mark.parametrize(("k", "rho"), [(k, Fraction(r)) for k in (5, 10, 13, 14) for r in ("1/10", "1/2", 2, 10)])
def test_the_warning_comes_exactly_when_the_count_is_too_noisy_or_the_means_too_rare(k, rho):
    figures = {f.figure: f for f in plan(14, k, rho).figures}
    poor = figures["active mentees"].half_width > 7 or figures["confidence"].released < 0.5
    assert (cohort_warning(k, rho) is not None) == poor


@pytest.mark.parametrize(("members", "k", "rho", "message"), [
    (0, 10, Fraction(2), "a cohort has 1 to 1,000,000 members, not 0"),
    (10**6 + 1, 10, Fraction(2), "a cohort has 1 to 1,000,000 members, not 1000001"),
    (14, 4, Fraction(2), "k must be at least 5: smaller cells identify people"),
    (14, 10, Fraction(0), "rho must lie between 0.01 and 10 per quarter"),
    (14, 10, Fraction(11), "rho must lie between 0.01 and 10 per quarter")])
def test_terms_that_no_programme_could_have_are_refused_in_one_line(members, k, rho, message):
    with pytest.raises(JournalError) as refused:
        plan(members, k, rho)
    assert str(refused.value) == message


def test_the_edges_of_the_terms_are_planned():
    assert plan(1, 5, Fraction(1, 100)).members == 1
    assert plan(10**6, 5, Fraction(10)).figures[0].half_width > 0
