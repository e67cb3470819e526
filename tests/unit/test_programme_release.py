"""The privacy release decides on noisy values only: what a month shows, suppressed or not, is a
function of its noisy figures, never of a true count (which would leak that count)."""

from fractions import Fraction

import pytest

from projections import privacy, programme_release

K, EPSILON = 10, Fraction(1, 33)
PERIOD = "2026-03"


def totals(members: int, with_confidence: int) -> dict[tuple[str, str], list[int]]:
    """A month's sums and counts: `members` active, each with 3 check-ins and a meeting, of whom
    `with_confidence` gave a confidence of 4 and a satisfaction of 3."""
    return {(PERIOD, "active"): [members, members], (PERIOD, "checkins"): [3 * members, members],
            (PERIOD, "meetings"): [members, members], (PERIOD, "met_norm"): [members // 2, members],
            (PERIOD, "goals_set"): [2, members], (PERIOD, "goals_achieved"): [1, members],
            (PERIOD, "milestones"): [3, members], (PERIOD, "confidence"): [4 * with_confidence, with_confidence],
            (PERIOD, "satisfaction"): [3 * with_confidence, with_confidence]}


def release_with_noise(monkeypatch, month, noise: list[int]) -> dict:
    """Releases `month` with the discrete Laplace draws scripted, in the order they are taken."""
    draws = iter(noise)
    monkeypatch.setattr(privacy, "discrete_laplace", lambda scale, rng=None: next(draws, 0))
    return programme_release._release_period(PERIOD, month, K, EPSILON, rng=None)


# Draw order: active; check-ins, meetings, met norm; goals set, achieved, milestones; then a
# count and a sum for confidence and for satisfaction.
SMALL_NOISE = [1, 3, 1, 1, 0, 0, 0, 1, 4, 1, 3]  # on k - 1 members, each noisy figure lands where...
LARGE_NOISE = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # ...the k-member month's does with no noise


def test_neighbouring_true_counts_with_the_same_noisy_counts_release_the_same_row(monkeypatch):
    small = release_with_noise(monkeypatch, totals(K - 1, K - 1), SMALL_NOISE)
    large = release_with_noise(monkeypatch, totals(K, K), LARGE_NOISE)
    assert small == large
    assert large["active mentees"] == K and large["confidence"] == 4.0  # the honest path: figures shown


def test_a_month_of_k_members_whose_noisy_count_falls_under_k_is_suppressed(monkeypatch):
    row = release_with_noise(monkeypatch, totals(K, K), [-1])
    assert row == {"period": PERIOD} | {name: "suppressed" for name in programme_release.CATALOGUE}


def test_a_mean_is_suppressed_on_its_noisy_count_alone(monkeypatch):
    few = release_with_noise(monkeypatch, totals(40, K - 1), [0, 0, 0, 0, 0, 0, 0, 1, 4, -1])
    assert few["confidence"] == 4.0  # k - 1 true, k noisy: shown
    assert few["satisfaction"] == "suppressed"  # k - 1 true, k - 2 noisy
    assert few["active mentees"] == 40


@pytest.mark.parametrize("seed", range(3))
def test_a_large_cohort_releases_its_figures_with_real_noise(seed):
    import random

    class Seeded:
        def __init__(self):
            self.random = random.Random(seed)

        def randbelow(self, n):
            return self.random.randrange(n)

    row = programme_release._release_period(PERIOD, totals(400, 400), K, Fraction(1, 3), Seeded())
    assert all(row[name] != "suppressed" for name in programme_release.CATALOGUE if name != "retention")
