"""Confidence intervals for rates: Wilson for a binomial proportion, bootstrap for a mean."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval ``[low, high]`` at level ``confidence``."""

    low: float
    high: float
    confidence: float

    def as_dict(self) -> dict[str, float]:
        """JSON-friendly form."""
        return {"low": self.low, "high": self.high, "confidence": self.confidence}


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval:
    """Wilson score interval for ``successes`` out of ``n``; ``[0, 1]`` when ``n == 0``.

    Raises:
        ValueError: counts out of range or a confidence outside (0, 1).
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes}/{n}")
    z = _z(confidence)
    if n == 0:
        return Interval(0.0, 1.0, confidence)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends, no rounding dust
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low, high, confidence)


def bootstrap_mean_interval(
    values: Sequence[float], *, confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> Interval:
    """Percentile bootstrap interval for the mean of ``values`` (resampling the values).

    Used over tasks for pass@1: tasks are the unit of sampling, so the interval reflects how
    much the score depends on which problems happened to be in the benchmark.

    Raises:
        ValueError: no values, or a confidence outside (0, 1).
    """
    _z(confidence)
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("bootstrap of an empty sequence")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, arr.size, size=(n_boot, arr.size))
    means = arr[idx].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return Interval(float(low), float(high), confidence)
