"""Goodness-of-fit statistics and their p-values, in the standard library only.

The ``statistical`` checker decides distribution-level properties with these: Pearson's
chi-square against exact expected probabilities, and the one-sample Kolmogorov-Smirnov
statistic against a uniform distribution. Both tails are computed, because a report that fits
*too* well (counts exactly proportional, values evenly spaced) is no more what a random
sampler produces than one that fits badly (see ``docs/suites/expressivity.md``).

Numerical methods: the regularized incomplete gamma function by its series (small ``x``) and
its continued fraction (large ``x``), after Numerical Recipes 6.2; the Kolmogorov distribution
by its two classical series, with Stephens' small-sample correction of the statistic. Both are
accurate to far better than the 1e-6 relative error that matters at the thresholds used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

_EPS = 1e-15
_ITERATIONS = 10_000


def _gamma_series(a: float, x: float) -> float:
    """The regularized lower incomplete gamma P(a, x) by its series (converges for x < a+1)."""
    term = total = 1.0 / a
    denom = a
    for _ in range(_ITERATIONS):
        denom += 1.0
        term *= x / denom
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_fraction(a: float, x: float) -> float:
    """The regularized upper incomplete gamma Q(a, x) by Lentz's continued fraction."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, _ITERATIONS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def chi2_tails(statistic: float, df: int) -> tuple[float, float]:
    """``(P(X >= statistic), P(X <= statistic))`` for X chi-square with ``df`` degrees of
    freedom: the upper tail (a bad fit) and the lower tail (a fit too good to be random)."""
    if df <= 0:
        return 1.0, 1.0
    if statistic <= 0:
        return 1.0, 0.0
    a, x = df / 2.0, statistic / 2.0
    if x < a + 1.0:
        lower = min(1.0, _gamma_series(a, x))
        return max(0.0, 1.0 - lower), lower
    upper = min(1.0, _gamma_fraction(a, x))
    return upper, max(0.0, 1.0 - upper)


def chi_square(observed: Sequence[int], probabilities: Sequence[float]) -> float:
    """Pearson's statistic of counts ``observed`` against ``probabilities`` (summing to 1)."""
    n = sum(observed)
    total = 0.0
    for count, p in zip(observed, probabilities, strict=True):
        expected = n * p
        total += (count - expected) ** 2 / expected
    return total


def _kolmogorov_upper(lam: float) -> float:
    """P(K > lam) for the Kolmogorov distribution K."""
    if lam < 0.2:
        return 1.0 - _kolmogorov_lower(lam)
    total = 0.0
    for j in range(1, 200):
        term = 2.0 * (-1) ** (j - 1) * math.exp(-2.0 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-18:
            break
    return max(0.0, min(1.0, total))


def _kolmogorov_lower(lam: float) -> float:
    """P(K <= lam), by the series that converges fast for small ``lam``."""
    if lam <= 0:
        return 0.0
    if lam > 1.0:
        return 1.0 - _kolmogorov_upper(lam)
    total = 0.0
    for j in range(1, 200):
        term = math.exp(-((2 * j - 1) ** 2) * math.pi**2 / (8.0 * lam * lam))
        total += term
        if term < 1e-300 or term < total * 1e-17:
            break
    return max(0.0, min(1.0, math.sqrt(2.0 * math.pi) / lam * total))


def ks_uniform(values: Sequence[float], low: float, high: float) -> tuple[float, float, float]:
    """The one-sample Kolmogorov-Smirnov statistic D of ``values`` against the uniform
    distribution on ``[low, high]``, with its two tails ``(D, P(D' >= D), P(D' <= D))``.

    Values outside the interval are the caller's to refuse first (a range contract); here they
    only make D large.
    """
    n = len(values)
    if n == 0:
        return 0.0, 1.0, 1.0
    width = high - low
    ordered = sorted(values)
    d = 0.0
    for i, v in enumerate(ordered):
        f = min(1.0, max(0.0, (v - low) / width))
        d = max(d, (i + 1) / n - f, f - i / n)
    root = math.sqrt(n)
    lam = (root + 0.12 + 0.11 / root) * d
    if lam < 1.0:
        lower = _kolmogorov_lower(lam)
        return d, 1.0 - lower, lower
    upper = _kolmogorov_upper(lam)
    return d, upper, 1.0 - upper
