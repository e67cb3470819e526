"""Differential privacy for programme reports: exact discrete Laplace and discrete Gaussian
samplers, and zCDP arithmetic. No floating point
anywhere in the sampling; floats appear only in the pmf and planning helpers (`discrete_gaussian_pmf`,
`half_width_95`, `epsilon_of_rho`), which no sampler calls.

The samplers follow Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
Privacy" (2020), Algorithms 1 to 3: Bernoulli(exp(-γ)) built from Bernoulli(p) trials with
rational p, the two-sided geometric, then the discrete Gaussian by rejection from it. Randomness
comes from the OS (`crypto.random_below`); tests inject a seeded source through the `rng`
parameter, never through a user-facing option.
"""

from __future__ import annotations

import math
from functools import lru_cache
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


def discrete_gaussian(sigma2: Fraction, rng: RandomSource = SYSTEM_RANDOM) -> int:
    """An integer Y with P(Y = y) proportional to exp(-y² / (2 sigma2)) (CKS20, Algorithm 3)."""
    if not isinstance(sigma2, (int, Fraction)) or sigma2 <= 0:
        raise ValueError("sigma2 must be a positive Fraction")
    sigma2 = Fraction(sigma2)
    # floor(sqrt(p/q)) = isqrt(p // q): an integer m has m² <= p/q exactly when m² <= p // q
    t = math.isqrt(sigma2.numerator // sigma2.denominator) + 1
    while True:
        y = discrete_laplace(Fraction(t), rng)
        if bernoulli_exp((abs(y) - sigma2 / t) ** 2 / (2 * sigma2), rng):
            return y


def noisy_gaussian(true_value: int, sigma2: Fraction, rng: RandomSource = SYSTEM_RANDOM) -> int:
    """An integer query's value plus discrete Gaussian noise of variance parameter sigma2."""
    return true_value + discrete_gaussian(sigma2, rng)


def gaussian_sigma2(sensitivity: int, rho: Fraction) -> Fraction:
    """The sigma2 at which the discrete Gaussian on a sensitivity-Δ integer query is rho-zCDP:
    Δ² / (2 rho) (CKS20, Theorem 4)."""
    if sensitivity <= 0 or rho <= 0:
        raise ValueError("sensitivity and rho must be positive")
    return Fraction(sensitivity * sensitivity) / (2 * Fraction(rho))


@lru_cache(maxsize=256)
def _weights(sigma2: Fraction) -> tuple[float, ...]:
    """exp(-y² / (2 sigma2)) for y = 0, 1, ..., ceil(12 sigma) + 10; the rest is below exp(-72)."""
    if sigma2 <= 0:
        raise ValueError("sigma2 must be positive")
    s2 = float(sigma2)
    return tuple(math.exp(-y * y / (2 * s2)) for y in range(math.ceil(12 * math.sqrt(s2)) + 11))


def discrete_gaussian_pmf(sigma2: Fraction, y: int) -> float:
    """P(Y = y) under the discrete Gaussian, normalised numerically (for tests and planning)."""
    weights = _weights(sigma2)
    return math.exp(-y * y / (2 * float(sigma2))) / (2 * sum(weights) - weights[0])


@lru_cache(maxsize=None)
def half_width_95(sigma2: Fraction) -> int:
    """The smallest h >= 0 with P(|Y| <= h) >= 0.95 under the discrete Gaussian."""
    weights = _weights(sigma2)
    total, inside, h = 2 * sum(weights) - weights[0], weights[0], 0
    while inside < 0.95 * total:
        h += 1
        inside += 2 * weights[h]
    return h


def epsilon_of_rho(rho: Fraction, delta: float) -> float:
    """An (epsilon, delta)-DP epsilon implied by rho-zCDP: rho + 2 sqrt(rho ln(1/delta))
    (Bun and Steinke 2016, Proposition 1.3)."""
    if rho < 0 or not 0 < delta < 1:
        raise ValueError("rho must be >= 0 and delta in (0, 1)")
    return float(rho) + 2 * math.sqrt(float(rho) * math.log(1 / delta))
