"""The discrete Gaussian sampler (CKS20, Algorithm 3) against its exact probability mass function,
with an injected seeded source; one hand-worked path through its rejection loop; the zCDP
calibration, the 95% half-width and the (epsilon, delta) conversion."""

import math
import random
from collections import Counter
from fractions import Fraction
from functools import lru_cache

import pytest

from projections import privacy

DRAWS = 20_000
CASES = [Fraction(1, 2), Fraction(4), Fraction(225, 7)]


class Seeded:
    """A reproducible random source for tests, with the interface of `secrets`."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self.random.randrange(n)


class Scripted:
    """Answers each randbelow(n) from a script of (n, answer) pairs, checking n."""

    def __init__(self, script):
        self.script = list(script)

    def randbelow(self, n: int) -> int:
        expected, answer = self.script.pop(0)
        assert n == expected, (n, expected)
        return answer


class Stop(Exception):
    pass


@lru_cache(maxsize=None)
def samples(sigma2: Fraction) -> Counter:
    rng = Seeded(int(sigma2 * 1000))
    return Counter(privacy.discrete_gaussian(sigma2, rng) for _ in range(DRAWS))


def pmf(sigma2: Fraction, y: int) -> float:
    return privacy.discrete_gaussian_pmf(sigma2, y)


def moments(sigma2: Fraction) -> tuple[float, float]:
    """The exact variance and fourth moment (the mean is 0)."""
    ys = range(-200, 201)
    return sum(y**2 * pmf(sigma2, y) for y in ys), sum(y**4 * pmf(sigma2, y) for y in ys)


def fits_the_pmf(counts: Counter, sigma2: Fraction) -> bool:
    """Pearson's chi-square against the pmf, each tail pooled from the last y with >= 5 expected
    beyond it; threshold far beyond p = 0.001."""
    draws = sum(counts.values())
    edge = 1
    while draws * sum(pmf(sigma2, y) for y in range(edge + 1, edge + 400)) >= 5:
        edge += 1
    chi2, bins = 0.0, 0
    for y in range(-edge, edge + 1):
        if abs(y) < edge:
            observed, p = counts[y], pmf(sigma2, y)
        else:
            observed = sum(c for v, c in counts.items() if v * y > 0 and abs(v) >= edge)
            p = sum(pmf(sigma2, v) for v in range(edge, edge + 400))
        chi2 += (observed - draws * p) ** 2 / (draws * p)
        bins += 1
    return chi2 < (bins - 1) + 5 * math.sqrt(2 * (bins - 1))


@pytest.mark.parametrize("sigma2", CASES)
def test_each_frequency_within_three_sigma_matches_the_pmf(sigma2):
    counts, bound = samples(sigma2), 3 * math.sqrt(sigma2)
    for y in range(-math.floor(bound), math.floor(bound) + 1):
        p = pmf(sigma2, y)
        assert abs(counts[y] / DRAWS - p) < 4 * math.sqrt(p * (1 - p) / DRAWS), (y, counts[y], DRAWS * p)


@pytest.mark.parametrize("sigma2", CASES)
def test_the_variance_matches_the_pmfs(sigma2):
    counts = samples(sigma2)
    variance, fourth = moments(sigma2)
    mean = sum(y * c for y, c in counts.items()) / DRAWS
    empirical = sum((y - mean) ** 2 * c for y, c in counts.items()) / (DRAWS - 1)
    assert abs(mean) < 4 * math.sqrt(variance / DRAWS)
    assert abs(empirical - variance) < 4 * math.sqrt((fourth - variance**2) / DRAWS)


@pytest.mark.parametrize("sigma2", CASES)
def test_the_samples_pass_a_chi_square_test_against_the_pmf(sigma2):
    assert fits_the_pmf(samples(sigma2), sigma2)


def test_the_check_rejects_a_sampler_that_is_off():
    """The same check fails for folded samples, and for samples of another sigma2."""
    sigma2 = Fraction(225, 7)
    folded = Counter()
    for y, c in samples(sigma2).items():
        folded[abs(y)] += c
    assert not fits_the_pmf(folded, sigma2)
    assert not fits_the_pmf(samples(sigma2), Fraction(25))
    assert not fits_the_pmf(samples(Fraction(4)), Fraction(9, 2))


@pytest.mark.parametrize("sigma2", CASES)
def test_y_and_minus_y_are_equally_frequent(sigma2):
    counts = samples(sigma2)
    for y in range(1, math.floor(3 * math.sqrt(sigma2)) + 1):
        both = counts[y] + counts[-y]
        assert abs(counts[y] - counts[-y]) < 4 * math.sqrt(both), y
    positive, negative = (sum(c for v, c in counts.items() if sign * v > 0) for sign in (1, -1))
    assert abs(positive - negative) < 4 * math.sqrt(positive + negative)


def test_a_hand_worked_path_through_the_rejection_loop():
    """sigma2 = 1: t = 2, and a candidate Y is kept with probability exp(-(|Y| - 1/2)² / 2)."""
    rng = Scripted([
        # candidate 1, discrete Laplace of scale 2: u = 0, kept (Bernoulli(exp(0)): k stops at 1);
        (2, 0), (1, 0),
        # v: Bernoulli(exp(-1)) true (k stops at 3), then false (k stops at 2), so v = 1;
        (1, 0), (2, 0), (3, 1), (1, 0), (2, 1),
        # Y = u + 2v = 2, sign positive; exp(-9/8) starts with a Bernoulli(exp(-1)), false: rejected.
        (2, 1), (1, 0), (2, 1),
        # candidate 2: u = 1 kept (Bernoulli(exp(-1/2)): k stops at 1), v = 0, negative: Y = -1;
        (2, 1), (2, 1), (1, 0), (2, 1), (2, 0),
        # exp(-1/8): Bernoulli(1/8) false, so k stops at 1: accepted.
        (8, 7),
    ])
    assert privacy.discrete_gaussian(Fraction(1), rng) == -1
    assert rng.script == []


def first_request(sigma2: Fraction) -> int:
    """The n of the sampler's first randbelow(n): the Laplace scale t, an integer."""
    class Recorder:
        def randbelow(self, n: int) -> int:
            raise Stop(n)
    with pytest.raises(Stop) as stopped:
        privacy.discrete_gaussian(sigma2, Recorder())
    return stopped.value.args[0]


def test_t_is_floor_of_sigma_plus_one_exactly():
    """t = max{m : m² <= sigma2} + 1, found here by bisection on Fractions, never on floats."""
    rng = random.Random(4)
    cases = [Fraction(1, 2), Fraction(1), Fraction(4), Fraction(4) - Fraction(1, 10**40), Fraction(225, 7),
             Fraction(49, 4), Fraction(10**40 + 1, 10**20), Fraction(10**40 - 1, 10**20)]
    cases += [Fraction(rng.randrange(1, 10**30), rng.randrange(1, 10**12)) for _ in range(50)]
    for sigma2 in cases:
        low, high = 0, 1
        while high * high <= sigma2:
            high *= 2
        while high - low > 1:  # low² <= sigma2 < high²
            mid = (low + high) // 2
            low, high = (mid, high) if mid * mid <= sigma2 else (low, mid)
        assert first_request(sigma2) == low + 1, sigma2


def test_noisy_gaussian_adds_the_samplers_draw():
    for seed in range(5):
        draw = privacy.discrete_gaussian(Fraction(9, 2), Seeded(seed))
        assert privacy.noisy_gaussian(100, Fraction(9, 2), Seeded(seed)) == 100 + draw
    assert type(privacy.noisy_gaussian(7, Fraction(3))) is int


def test_the_pmf_is_normalised_symmetric_and_gaussian_in_shape():
    for sigma2 in CASES + [Fraction(10000)]:
        assert math.isclose(sum(pmf(sigma2, y) for y in range(-2000, 2001)), 1, rel_tol=1e-12)
        for y in range(0, 10):
            assert pmf(sigma2, y) == pmf(sigma2, -y)
            ratio = pmf(sigma2, y + 1) / pmf(sigma2, y)
            assert math.isclose(ratio, math.exp(-(2 * y + 1) / (2 * float(sigma2))), rel_tol=1e-9)


def test_gaussian_sigma2_is_the_zcdp_calibration():
    assert privacy.gaussian_sigma2(1, Fraction(1, 2)) == 1
    assert privacy.gaussian_sigma2(4, Fraction(2)) == 4
    assert privacy.gaussian_sigma2(3, Fraction(1, 8)) == 36
    for sensitivity, rho in [(1, Fraction(1, 10)), (5, Fraction(3, 7)), (2, Fraction(1))]:
        sigma2 = privacy.gaussian_sigma2(sensitivity, rho)
        assert type(sigma2) is Fraction and Fraction(sensitivity**2) / (2 * sigma2) == rho
    with pytest.raises(ValueError):
        privacy.gaussian_sigma2(1, Fraction(0))


def test_the_95_half_width_at_sigma2_one_is_two():
    def inside(h: int) -> float:
        return sum(pmf(Fraction(1), y) for y in range(-h, h + 1))
    assert inside(1) < 0.95 <= inside(2)
    assert privacy.half_width_95(Fraction(1)) == 2


def test_the_half_width_is_the_smallest_covering_one_and_grows_with_sigma2():
    widths = []
    for sigma2 in sorted([Fraction(k, 4) for k in range(1, 401)] + [Fraction(225, 7)]):
        h = privacy.half_width_95(sigma2)
        covered = sum(pmf(sigma2, y) for y in range(-h, h + 1))
        assert covered >= 0.95 and (h == 0 or covered - pmf(sigma2, h) - pmf(sigma2, -h) < 0.95), sigma2
        widths.append(h)
    assert widths == sorted(widths) and widths[0] < widths[-1]
    assert abs(privacy.half_width_95(Fraction(10000)) - 1.96 * 100) <= 1


def test_the_half_width_covers_95_percent_of_the_samples():
    sigma2 = Fraction(225, 7)
    h, counts = privacy.half_width_95(sigma2), samples(sigma2)
    share = sum(c for y, c in counts.items() if abs(y) <= h) / DRAWS
    exact = sum(pmf(sigma2, y) for y in range(-h, h + 1))
    assert abs(share - exact) < 4 * math.sqrt(exact * (1 - exact) / DRAWS)


def test_the_half_width_is_cached():
    privacy.half_width_95(Fraction(81, 2))
    hits = privacy.half_width_95.cache_info().hits
    privacy.half_width_95(Fraction(81, 2))
    assert privacy.half_width_95.cache_info().hits == hits + 1


def test_epsilon_of_rho():
    assert math.isclose(privacy.epsilon_of_rho(Fraction(1, 2), 1e-6),
                        0.5 + 2 * math.sqrt(0.5 * math.log(1e6)), rel_tol=1e-12)
    epsilons = [privacy.epsilon_of_rho(Fraction(r, 10), 1e-6) for r in range(0, 30)]
    assert epsilons[0] == 0 and all(epsilons[i] < epsilons[i + 1] for i in range(len(epsilons) - 1))
    with pytest.raises(ValueError):
        privacy.epsilon_of_rho(Fraction(1), 0.0)


@pytest.mark.parametrize("sigma2", [Fraction(0), Fraction(-1, 3), -2, 2.0])
def test_a_sigma2_that_is_not_a_positive_fraction_is_refused(sigma2):
    with pytest.raises(ValueError):
        privacy.discrete_gaussian(sigma2, Seeded(0))
    with pytest.raises(ValueError):
        privacy.noisy_gaussian(5, sigma2, Seeded(0))
