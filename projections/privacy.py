"""Differential privacy for programme reports: an exact discrete Laplace sampler, noisy counts
with small-cell suppression, and budget arithmetic. No floating point anywhere in the sampling.

The sampler follows Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
Privacy" (2020), Algorithms 1 and 2: Bernoulli(exp(-γ)) built from Bernoulli(p) trials with
rational p, then the two-sided geometric. Randomness comes from the OS (`crypto.random_below`); tests
inject a seeded source through the `rng` parameter, never through a user-facing option.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol


class RandomSource(Protocol):
    def randbelow(self, n: int) -> int: ...


class _Secrets:
    @staticmethod
    def randbelow(n: int) -> int:
        from journal.crypto import random_below

        return random_below(n)


SYSTEM_RANDOM: RandomSource = _Secrets()


def bernoulli(p: Fraction, rng: RandomSource) -> bool:
    """True with probability exactly p (a rational in [0, 1])."""
    return rng.randbelow(p.denominator) < p.numerator


def bernoulli_exp(gamma: Fraction, rng: RandomSource) -> bool:
    """True with probability exactly exp(-gamma), for rational gamma >= 0 (CKS20, Algorithm 1)."""
    while gamma > 1:  # exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma)))
        if not bernoulli_exp(Fraction(1), rng):
            return False
        gamma -= 1
    k = 1
    while bernoulli(gamma / k, rng):
        k += 1
    return k % 2 == 1


def discrete_laplace(scale: Fraction, rng: RandomSource = SYSTEM_RANDOM) -> int:
    """An integer Y with P(Y = y) proportional to exp(-|y| / scale) (CKS20, Algorithm 2)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    t, s = scale.numerator, scale.denominator  # scale = t / s
    while True:
        u = rng.randbelow(t)
        if not bernoulli_exp(Fraction(u, t), rng):
            continue
        v = 0
        while bernoulli_exp(Fraction(1), rng):
            v += 1
        y = (u + t * v) // s
        negative = bernoulli(Fraction(1, 2), rng)
        if negative and y == 0:
            continue
        return -y if negative else y


@dataclass(frozen=True)
class Cell:
    """One released statistic: a noisy value, or `suppressed` (value None)."""

    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def noisy_count(true_count: int, epsilon: Fraction, k: int, rng: RandomSource = SYSTEM_RANDOM,
                sensitivity: int = 1) -> Cell:
    """A count released with epsilon-DP; suppressed when the *noisy* count is under k."""
    noisy = true_count + discrete_laplace(Fraction(sensitivity) / epsilon, rng)
    return Cell(None) if noisy < k else Cell(noisy)


def noisy_sum(true_sum: int, epsilon: Fraction, bound: int, rng: RandomSource = SYSTEM_RANDOM) -> int:
    """A sum of values clamped to [0, bound], released with epsilon-DP (sensitivity = bound)."""
    return true_sum + discrete_laplace(Fraction(bound) / epsilon, rng)

