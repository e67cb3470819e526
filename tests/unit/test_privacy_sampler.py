"""The discrete Laplace sampler: exact distribution (checked against its probability mass
function with an injected seeded source), integer output, no floating point; suppression."""

import ast
import math
import random
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from projections import privacy


class Seeded:
    """A reproducible random source for tests, with the interface of `secrets`."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.calls = 0

    def randbelow(self, n: int) -> int:
        self.calls += 1
        return self.random.randrange(n)


def pmf(y: int, scale: float) -> float:
    q = math.exp(-1 / scale)
    return (1 - q) / (1 + q) * q ** abs(y)


def fits_the_pmf(counts: Counter, scale: Fraction) -> bool:
    """Pearson's chi-square against the exact pmf, tails pooled; threshold far beyond p = 0.001."""
    draws, edge = sum(counts.values()), 1 + int(4 * scale)
    chi2, bins = 0.0, 0
    for y in range(-edge, edge + 1):
        if abs(y) < edge:
            observed, p = counts[y], pmf(y, float(scale))
        else:
            observed = sum(c for v, c in counts.items() if v * y > 0 and abs(v) >= edge)
            p = sum(pmf(v, float(scale)) for v in range(edge, edge + 200))
        chi2 += (observed - draws * p) ** 2 / (draws * p)
        bins += 1
    return chi2 < (bins - 1) + 5 * math.sqrt(2 * (bins - 1))


@pytest.mark.parametrize("scale", [Fraction(1, 2), Fraction(2), Fraction(7, 3)])
def test_samples_follow_the_exact_probability_mass_function(scale):
    rng = Seeded(int(scale * 1000))
    counts = Counter(privacy.discrete_laplace(scale, rng) for _ in range(20_000))
    assert fits_the_pmf(counts, scale)


def test_the_check_rejects_a_sampler_that_is_off():
    """The same check fails for a folded sampler and for one with the wrong scale."""
    rng, scale = Seeded(5), Fraction(2)
    folded = Counter(abs(privacy.discrete_laplace(scale, rng)) for _ in range(20_000))
    assert not fits_the_pmf(folded, scale)
    wider = Counter(privacy.discrete_laplace(Fraction(5, 2), rng) for _ in range(20_000))
    assert not fits_the_pmf(wider, scale)


def test_bernoulli_exp_has_probability_exp_minus_gamma():
    rng, trials = Seeded(11), 40_000
    for gamma in (Fraction(1, 3), Fraction(1), Fraction(5, 2)):
        hits = sum(privacy.bernoulli_exp(gamma, rng) for _ in range(trials))
        p = math.exp(-float(gamma))
        assert abs(hits / trials - p) < 4 * math.sqrt(p * (1 - p) / trials), gamma


def test_the_output_is_an_int_and_the_randomness_is_all_from_the_source():
    rng = Seeded(3)
    values = [privacy.discrete_laplace(Fraction(3, 2), rng) for _ in range(500)]
    assert all(type(v) is int for v in values) and rng.calls > 500
    assert len(set(values)) > 5


def test_the_sampler_module_uses_no_floating_point_or_non_cryptographic_randomness():
    """Every function a draw runs (the samplers and, transitively, what they call in the module) is
    float-free and uses of math only the integer isqrt; the pmf and planning helpers may use floats."""
    tree = ast.parse((Path(privacy.__file__)).read_text())
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    todo, sampling = ["discrete_laplace", "discrete_gaussian", "noisy_gaussian"], set()
    while todo:
        if (name := todo.pop()) not in sampling:
            sampling.add(name)
            todo += [n.id for n in ast.walk(functions[name]) if isinstance(n, ast.Name) and n.id in functions]
    assert {"bernoulli", "bernoulli_exp"} <= sampling and "discrete_gaussian_pmf" not in sampling
    for name in sampling:
        nodes = list(ast.walk(functions[name]))
        floats = [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, float)]
        names = {n.id for n in nodes if isinstance(n, ast.Name)}
        from_math = {n.attr for n in nodes if isinstance(n, ast.Attribute) and getattr(n.value, "id", None) == "math"}
        assert floats == [] and "float" not in names and from_math <= {"isqrt"}, name
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not imported & {"random", "numpy"} and "random_below" in imported  # journal/crypto.py's


def test_the_default_source_is_the_operating_systems_csprng():
    assert privacy.SYSTEM_RANDOM.randbelow(1) == 0
    assert type(privacy.discrete_laplace(Fraction(1))) is int


def test_a_scale_that_is_not_positive_is_refused():
    with pytest.raises(ValueError):
        privacy.discrete_laplace(Fraction(0))
