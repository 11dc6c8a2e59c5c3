"""Confidence intervals for rates.

Every mean over tasks of per-task rates (pass@1, a status rate, pass@k) gets one interval, the
cluster-score interval (``task_rate_interval``, ``task_passk_interval``; ``docs/metrics.md``
has the method and its measured coverage). Wilson's interval for a binomial proportion is its
building block. ``rate_interval``, ``bootstrap_mean_interval``, ``design_effect`` and
``clustered_wilson_interval`` are the earlier methods, no longer used for anything shown: they
stay for callers and for comparison (``bench/interval_coverage.py`` reports the first).
"""

from __future__ import annotations

import math
from collections import Counter
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


# --- one method for a mean over tasks of per-task rates --------------------------------------

TASK_MEAN_METHOD = "cluster-score"
"""The name every interval of a mean over tasks carries (see ``task_rate_interval``)."""

TaskIntervalMethod = Literal["cluster-score"]

METHOD_LEGEND = {
    TASK_MEAN_METHOD: "cluster-score interval over tasks (docs/metrics.md)",
}
"""What a report prints to say which method made an interval, by method name."""


@dataclass(frozen=True)
class TaskMeanInterval:
    """A mean over tasks with its cluster-score interval and what the interval rests on.

    ``design_effect`` is how much task variation inflates the variance beyond independent
    samples (1: none assumed; with ``df`` infinite and above 1, the variation that a few rare
    outcomes cannot rule out, ``unseen_design_effect``); ``n_effective`` the number of
    independent samples the interval is worth; ``df`` the degrees of freedom of its quantile
    (``inf``: the normal one).
    """

    value: float
    interval: Interval
    design_effect: float
    n_effective: float
    df: float
    n_tasks: int
    n_samples: int
    method: TaskIntervalMethod = TASK_MEAN_METHOD

    def note(self) -> str:
        """One line for a report: what the interval is worth, in samples and tasks."""
        if self.design_effect <= 1.0:
            return ""
        if math.isinf(self.df):
            return (
                f"the rarer outcome is too rare to show whether task rates vary: the interval "
                f"assumes a design effect of {self.design_effect:.2f} ({self.n_effective:.1f} "
                f"independent samples of {self.n_samples}, over {self.n_tasks} task(s))"
            )
        return (
            f"task rates vary (design effect {self.design_effect:.2f}): the interval is worth "
            f"{self.n_effective:.1f} independent samples of {self.n_samples}, over "
            f"{self.n_tasks} task(s)"
        )


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta function (modified Lentz)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-14:
            break
    return h


def _t_tail(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom, ``t >= 0``."""
    x = df / (df + t * t)
    a, b = df / 2, 0.5
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(log_front + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return 0.5 * front * _betacf(a, b, x) / a
    return 0.5 * (1.0 - front * _betacf(b, a, 1.0 - x) / b)


def t_quantile(confidence: float, df: float) -> float:
    """The two-sided ``confidence`` quantile of Student's t (``inf`` df: the normal one).

    Numpy has no t distribution and ``scoring`` depends on nothing else; the Cornish-Fisher
    expansion (Abramowitz and Stegun 26.7.5) is within 0.03% for ``df >= 5``, and fewer
    degrees of freedom are solved exactly by bisection on the incomplete beta function.

    Raises:
        ValueError: confidence outside (0, 1) or ``df < 1``.
    """
    z = _z(confidence)
    if not df >= 1:
        raise ArgumentError(f"degrees of freedom must be >= 1, got {df}")
    if math.isinf(df) or df > 1e7:
        return z
    if df >= 5:
        z2 = z * z
        g = (
            (z2 + 1) * z / 4,
            ((5 * z2 + 16) * z2 + 3) * z / 96,
            (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384,
            ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160,
        )
        return z + sum(gi / df ** (i + 1) for i, gi in enumerate(g))
    tail, low, high = (1 - confidence) / 2, z, 1e6
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if _t_tail(mid, df) > tail else (low, mid)
        if high - low < 1e-10 * high:
            break
    return (low + high) / 2


def _score_interval(value: float, n: float, q: float, confidence: float) -> Interval:
    """Wilson's score interval for a proportion worth ``n`` samples, quantile ``q``."""
    if n <= 0:
        return Interval(0.0, 1.0, confidence)
    denom = 1 + q * q / n
    centre = (value + q * q / (2 * n)) / denom
    half = q * math.sqrt(max(0.0, value * (1 - value)) / n + q * q / (4 * n * n)) / denom
    low = 0.0 if value <= 0 else min(value, max(0.0, centre - half))  # exact ends
    high = 1.0 if value >= 1 else max(value, min(1.0, centre + half))
    return Interval(low, high, confidence)


UNSEEN_CLUSTERING_ODDS = 0.5
"""The chance of seeing no sign of task variation at the design effect ``unseen_design_effect``
assumes: the median-unbiased choice (``docs/metrics.md``, "Rare events")."""


def unseen_design_effect(value: float, n_floor: float, tasks: float) -> float:
    """The design effect that a few rare outcomes showing no task variation cannot rule out.

    When the rarer outcome (passes of a hard suite, failures of an easy one) occurs only a few
    times, those few samples usually fall in different tasks even when tasks differ a lot, so
    the data look binomial and the binomial floor is too optimistic: a rate of 0.02 over 50
    tasks of 10 samples with intra-task correlation 0.3 shows two or three scattered events
    in one data set of eight. Among the ``C = e (e - 1) / 2`` pairs of the ``e = n_floor
    min(v, 1 - v)`` rare outcomes, none shared a task more often than chance; the share ``pi``
    of pairs within one task for which that has probability ``UNSEEN_CLUSTERING_ODDS`` (``1 -
    0.5^(1/C)``, the median-unbiased estimate; any ``pi`` when ``e <= 1``) gives the
    intra-task correlation, from ``pi / (1 - pi) = (m - 1) (q + rho (1 - q)) / ((T - 1) m q)``
    for pairs of rare outcomes among ``T`` tasks of ``m`` samples (``m = n_floor / T``), and
    the design effect ``1 + (m - 1) rho``. It is 1 with one sample a task, and whenever
    ``e`` is large enough for scattered outcomes to be evidence (about ``sqrt(1.4 T)``).
    """
    m = n_floor / tasks
    rare = min(value, 1.0 - value)
    events = n_floor * rare
    if m <= 1.0 + 1e-9 or tasks < 2 or rare <= 0.0:
        return 1.0
    pairs = events * (events - 1) / 2
    if pairs <= 0:
        return m
    within = 1.0 - UNSEEN_CLUSTERING_ODDS ** (1.0 / pairs)
    if within >= 1.0:
        return m
    rho = (within / (1.0 - within) * (tasks - 1) * m * rare / (m - 1) - rare) / (1.0 - rare)
    return 1.0 + (m - 1.0) * min(1.0, max(0.0, rho))


def cluster_score_interval(
    values: Sequence[float],
    weights: Sequence[float],
    n_floor: float,
    *,
    n_samples: int,
    confidence: float = 0.95,
    unseen: bool = True,
) -> TaskMeanInterval:
    """The cluster-score interval of ``sum w_t v_t``, a weighted mean of per-task values.

    ``n_floor`` is what the mean is worth, in independent samples, when tasks do not vary
    (the binomial floor: ``1 / sum(w_t^2 / n_t)`` for pass rates). The variance ``V`` is the
    cluster-robust (sandwich) one over tasks, with the small-sample factor ``T / (T - 1)``,
    but never below the binomial floor. The effective sample size is ``v (1 - v) / V + 1``
    (``v (1 - v)`` underestimates ``p (1 - p)`` by ``V``), which is ``n_floor`` at the floor;
    the design effect is ``n_floor / n_effective``. Where the spread between tasks sets the
    variance it is estimated from ``T`` values, so the quantile is Student's t with ``T - 1``
    degrees of freedom (the usual small-sample correction of a cluster-robust interval); at
    the floor it is the normal one. The interval is Wilson's score interval on the effective
    sample size with that quantile: inside [0, 1], and ending exactly at 0 or 1 when every
    value is 0 or 1. Where the tasks show no variation beyond the floor and ``unseen`` is set
    (values that are shares of samples, ``n_floor`` counted in samples), the floor is divided
    by ``unseen_design_effect``: a few rare outcomes cannot show task variation, and the
    interval assumes what they cannot rule out. ``docs/metrics.md`` has the method and its
    measured coverage.

    Raises:
        ValueError: no values, values outside [0, 1], weights that are negative or do not
            match the values, or a confidence outside (0, 1).
    """
    _z(confidence)
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    if v.size == 0 or v.shape != w.shape:
        raise ArgumentError(f"need one weight per value, got {v.size} values, {w.size} weights")
    if np.any((v < 0) | (v > 1)) or np.any(w < 0) or not w.sum() > 0:
        raise ArgumentError("values must lie in [0, 1] and weights be non-negative, not all 0")
    w = w / w.sum()
    value = min(1.0, max(0.0, float(np.dot(w, v))))
    tasks = int(v.size)
    n_eff, df = n_floor, math.inf
    if tasks >= 2 and 0.0 < value < 1.0 and n_floor > 1:
        robust = tasks / (tasks - 1) * float(np.dot(w * w, (v - value) ** 2))
        # v(1-v) underestimates p(1-p) by the variance itself: n_eff = v(1-v) / V + 1, so
        # the floor's V = v(1-v) / (n_floor - 1) gives n_floor back
        if robust > value * (1 - value) / (n_floor - 1) * (1 + 1e-9):  # not rounding dust
            n_eff, df = value * (1 - value) / robust + 1.0, float(tasks - 1)
        elif unseen:  # no variation seen: a few rare outcomes cannot show it
            n_eff = n_floor / unseen_design_effect(value, n_floor, 1.0 / float(np.sum(w * w)))
    deff = n_floor / n_eff
    interval = _score_interval(value, n_eff, t_quantile(confidence, df), confidence)
    return TaskMeanInterval(value, interval, deff, n_eff, df, tasks, n_samples)


def task_rate_interval(
    counts: Sequence[tuple[int, int]],
    *,
    confidence: float = 0.95,
    weight: Literal["tasks", "samples"] = "tasks",
) -> TaskMeanInterval:
    """The rate of an event over tasks' samples (pass@1, a status rate) and its interval.

    ``counts`` holds ``(events, samples)`` per task. ``weight="tasks"`` averages each task's
    rate (pass@1: every task counts the same); ``"samples"`` pools the samples (a status rate,
    a block's rate), which is the same mean weighted by sample counts. The interval is
    ``cluster_score_interval``'s with the binomial floor ``1 / sum(w_t^2 / n_t)``. Tasks
    with no samples are left out.

    Raises:
        ValueError: no task with a sample, counts out of range, or a confidence outside (0, 1).
    """
    kept = [(c, n) for c, n in counts if n > 0]
    if not kept:
        raise ArgumentError("no task has a sample")
    if any(not 0 <= c <= n for c, n in kept):
        raise ArgumentError(f"need 0 <= events <= samples per task, got {kept}")
    n = np.array([m for _, m in kept], dtype=float)
    values = np.array([c for c, _ in kept], dtype=float) / n
    w = np.ones_like(n) if weight == "tasks" else n.copy()
    w /= w.sum()
    n_floor = 1.0 / float(np.sum(w * w / n))
    return cluster_score_interval(values, w, n_floor, n_samples=int(n.sum()), confidence=confidence)


def _passk_variance(n: int, p: float, k: int) -> float:
    """Variance of one task's unbiased pass@k over ``n`` samples of a fixed rate ``p``."""
    if p <= 0.0 or p >= 1.0:
        return 0.0
    c = np.arange(n + 1)
    log_pmf = (
        np.array(
            [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in range(n + 1)]
        )
        + c * math.log(p)
        + (n - c) * math.log1p(-p)
    )
    estimate = np.array([1.0 - math.comb(n - i, k) / math.comb(n, k) for i in range(n + 1)])
    pmf = np.exp(log_pmf)
    mean = float(np.dot(pmf, estimate))
    return float(np.dot(pmf, (estimate - mean) ** 2))


def task_passk_interval(
    counts: Sequence[tuple[int, int]], k: int, *, confidence: float = 0.95
) -> TaskMeanInterval:
    """pass@k averaged over tasks (each task's unbiased estimate) and its interval.

    The same cluster-score interval as pass@1: the binomial floor is the variance the mean of
    the unbiased estimates would have if every task had the rate ``p`` that gives the observed
    pass@k (``1 - (1 - p)^k``), computed exactly from the binomial distribution, kept between
    ``N / k`` (disjoint groups of k samples) and ``N`` samples; at 0 or 1, where that variance
    vanishes, it is ``N / k``. For k = 1 this is ``task_rate_interval``.

    Raises:
        ValueError: ``k < 1``, a task with fewer than k samples (pass@k is undefined there),
            counts out of range, or a confidence outside (0, 1).
    """
    if k < 1:
        raise ArgumentError(f"k must be >= 1, got {k}")
    if k == 1:
        return task_rate_interval(counts, confidence=confidence)
    if not counts or any(n < k or not 0 <= c <= n for c, n in counts):
        raise ArgumentError(f"pass@{k} needs at least {k} samples a task, got {list(counts)}")
    values = np.array([1.0 - math.comb(n - c, k) / math.comb(n, k) for c, n in counts])
    sizes = [n for _, n in counts]
    total, tasks = float(sum(sizes)), len(counts)
    value = float(values.mean())
    n_floor = total / k
    if 0.0 < value < 1.0:
        p = 1.0 - (1.0 - value) ** (1.0 / k)
        per_size = Counter(sizes)  # one binomial sum per distinct sample count
        floor = sum(m * _passk_variance(n, p, k) for n, m in per_size.items()) / tasks**2
        if floor > 0:
            n_floor = min(total, max(total / k, value * (1 - value) / floor))
    # the floor is not counted in samples here, so pairs of rare outcomes cannot be counted
    return cluster_score_interval(
        values,
        np.full(tasks, 1.0 / tasks),
        n_floor,
        n_samples=int(total),
        confidence=confidence,
        unseen=False,
    )
