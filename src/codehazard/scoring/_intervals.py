"""Confidence intervals for rates: Wilson for a binomial proportion, bootstrap for a mean."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

from codehazard.errors import ArgumentError


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
        raise ArgumentError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> Interval:
    """Wilson score interval for ``successes`` out of ``n``; ``[0, 1]`` when ``n == 0``.

    Counts may be effective (non-integer) ones, as ``clustered_wilson_interval`` passes.

    Raises:
        ValueError: counts out of range or a confidence outside (0, 1).
    """
    if n < 0 or not 0 <= successes <= n:
        raise ArgumentError(f"need 0 <= successes <= n, got {successes}/{n}")
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


def rate_interval(rate: float, n: int, confidence: float = 0.95) -> Interval:
    """Wilson interval for a mean of ``n`` values in [0, 1] (a per-task rate over ``n`` tasks).

    Values in [0, 1] have variance at most ``p (1 - p)``, so the interval is valid
    (conservative) however many samples each task has, and, unlike a bootstrap, it is not a
    single point when every task has the same value.

    Raises:
        ValueError: ``rate`` outside [0, 1], ``n < 0``, or confidence outside (0, 1).
    """
    if not 0 <= rate <= 1 or n < 0:
        _z(confidence)
        raise ArgumentError(f"need 0 <= rate <= 1 and n >= 0, got {rate}, {n}")
    z = _z(confidence)
    if n == 0:
        return Interval(0.0, 1.0, confidence)
    denom = 1 + z * z / n
    centre = (rate + z * z / (2 * n)) / denom
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if rate == 0 else max(0.0, centre - half)  # exact ends, no rounding dust
    high = 1.0 if rate == 1 else min(1.0, centre + half)
    return Interval(low, high, confidence)


TaskIntervalMethod = Literal["bootstrap-tasks", "wilson-tasks"]


def task_mean_interval(
    values: Sequence[float], *, confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[Interval, TaskIntervalMethod]:
    """Interval of a mean over tasks (pass@k): a percentile bootstrap over the tasks, or
    Wilson's over the tasks (``rate_interval``) where every task has the same value in [0, 1]
    and the bootstrap would be a single point; with the method used.

    Raises:
        ValueError: no values, or a confidence outside (0, 1).
    """
    if not values:
        raise ArgumentError("no per-task values")
    if max(values) == min(values) and 0.0 <= values[0] <= 1.0:
        return rate_interval(float(values[0]), len(values), confidence), "wilson-tasks"
    interval = bootstrap_mean_interval(values, confidence=confidence, n_boot=n_boot, seed=seed)
    return interval, "bootstrap-tasks"


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
        raise ArgumentError("bootstrap of an empty sequence")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, arr.size, size=(n_boot, arr.size))
    means = arr[idx].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return Interval(float(low), float(high), confidence)


def design_effect(counts: Sequence[tuple[int, int]]) -> float:
    """How much correlation within clusters inflates a pooled rate's variance (>= 1).

    ``counts`` holds ``(events, n)`` per cluster (a task's samples). The intra-cluster
    correlation ``rho`` is the one-way ANOVA estimator for binary outcomes, clipped to
    [0, 1]; the design effect is ``1 + (m - 1) rho`` with ``m = sum n_t^2 / N``, the size of
    the cluster an average sample is in. It is 1 (no correction) with fewer than two
    clusters, or when no cluster has more than one sample: then ``rho`` cannot be estimated
    or does not matter.
    """
    clusters = [(c, n) for c, n in counts if n > 0]
    total = sum(n for _, n in clusters)
    k = len(clusters)
    if k < 2 or total <= k:
        return 1.0
    p = sum(c for c, _ in clusters) / total
    between = sum(n * (c / n - p) ** 2 for c, n in clusters) / (k - 1)
    within = sum(c * (1 - c / n) for c, n in clusters) / (total - k)
    n0 = (total - sum(n * n for _, n in clusters) / total) / (k - 1)
    denominator = between + (n0 - 1) * within
    if denominator <= 0:
        return 1.0
    rho = min(1.0, max(0.0, (between - within) / denominator))
    m = sum(n * n for _, n in clusters) / total
    return 1.0 + (m - 1.0) * rho


def clustered_wilson_interval(
    counts: Sequence[tuple[int, int]], confidence: float = 0.95
) -> tuple[Interval, float]:
    """Wilson interval for the pooled rate of clustered samples, and the design effect used.

    Samples of one task are not independent: a task the model cannot do fails all of its
    samples. Treating them as independent makes the interval too narrow (and a conservative
    evidence rule too lenient). The counts are divided by the design effect (Kish's effective
    sample size) before Wilson's formula; with no correlation this is plain Wilson.

    Raises:
        ValueError: counts out of range or a confidence outside (0, 1).
    """
    events = sum(c for c, _ in counts)
    n = sum(m for _, m in counts)
    deff = design_effect(counts)
    return wilson_interval(events / deff, n / deff, confidence), deff
