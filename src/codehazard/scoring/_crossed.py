"""Means over a crossed design: every participant tries several tasks, every task is tried by
several participants, so neither the participants nor the tasks are independent draws.

A human baseline pools participants' results per dimension and level. Its uncertainty has two
sources: another group of people (participants differ in skill) and another set of tasks
(tasks differ in difficulty). The variance of the mean is the two-way cluster-robust one
(Cameron, Gelbach and Miller 2011): ``V = V_participants + V_tasks - V_cells``, each the
sandwich variance clustered on that factor with its small-sample factor ``G / (G - 1)``,
never below the larger one-way variance. A rate's interval is Wilson's on the effective sample
size ``v (1 - v) / V + 1`` with Student's t on ``min(P, T) - 1`` degrees of freedom, as the
cluster-score interval of a model's rates does (``docs/metrics.md``). Where every observation
is equal no variation can be measured; the interval then counts only ``min(P, T)`` independent
observations (the fewer clusters), which is the conservative reading. A mean time gets the
t interval on the same variance.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from codehazard.errors import ArgumentError
from codehazard.scoring._intervals import Interval, _score_interval, _z, t_quantile
from codehazard.scoring._levels import dimension_of, level_of
from codehazard.scoring._passk import Scorable

CROSSED_METHOD = "two-way-cluster"
"""The name of the crossed interval's method, as reports show it."""


@dataclass(frozen=True)
class CrossedMean:
    """A mean over (participant, task) observations, its interval and what it rests on.

    ``interval`` is ``None`` for a mean time with fewer than two observations. ``n_effective``
    is what the rate's interval is worth in independent observations; ``df`` the degrees of
    freedom of its quantile.
    """

    value: float
    interval: Interval | None
    n_observations: int
    n_participants: int
    n_tasks: int
    n_effective: float
    df: float
    method: str = CROSSED_METHOD


def _clustered(residuals: Sequence[tuple[Hashable, float]], n: int) -> float:
    """The sandwich variance of a mean clustered on the first element, with ``G / (G - 1)``."""
    sums: dict[Hashable, float] = defaultdict(float)
    for key, e in residuals:
        sums[key] += e
    groups = len(sums)
    if groups < 2:
        return 0.0
    return groups / (groups - 1) * sum(s * s for s in sums.values()) / (n * n)


def crossed_variance(observations: Sequence[tuple[Hashable, Hashable, float]]) -> float:
    """The two-way cluster-robust variance of the mean of ``(participant, task, value)``.

    Raises:
        ArgumentError: no observations.
    """
    n = len(observations)
    if n == 0:
        raise ArgumentError("observations: need at least one (participant, task, value)")
    mean = sum(v for _, _, v in observations) / n
    rows = _clustered([(p, v - mean) for p, _, v in observations], n)
    cols = _clustered([(t, v - mean) for _, t, v in observations], n)
    cells = _clustered([((p, t), v - mean) for p, t, v in observations], n)
    return max(rows + cols - cells, rows, cols)


def crossed_rate(
    observations: Sequence[tuple[Hashable, Hashable, float]], *, confidence: float = 0.95
) -> CrossedMean:
    """The pooled rate of ``(participant, task, outcome)`` observations (outcomes in [0, 1])
    with its two-way interval.

    Raises:
        ArgumentError: no observations, an outcome outside [0, 1], or a confidence outside
            (0, 1).
    """
    _z(confidence)
    if any(not 0 <= v <= 1 for _, _, v in observations):
        raise ArgumentError("observations: outcomes must lie in [0, 1]")
    variance = crossed_variance(observations)
    n = len(observations)
    value = sum(v for _, _, v in observations) / n
    people = len({p for p, _, _ in observations})
    tasks = len({t for _, t, _ in observations})
    fewer = min(people, tasks)
    if 0 < value < 1 and variance > 0:
        floor = value * (1 - value) / (n - 1) if n > 1 else math.inf
        if variance > floor:  # participants or tasks vary beyond the binomial floor
            n_eff = value * (1 - value) / variance + 1.0
            df = float(fewer - 1) if fewer >= 2 else math.inf
        else:
            n_eff, df = float(n), math.inf
    else:  # nothing varies: count the fewer clusters only
        n_eff, df = float(fewer), math.inf
    quantile = t_quantile(confidence, df)
    interval = _score_interval(value, n_eff, quantile, confidence)
    return CrossedMean(value, interval, n, people, tasks, n_eff, df)


def crossed_mean(
    observations: Sequence[tuple[Hashable, Hashable, float]], *, confidence: float = 0.95
) -> CrossedMean:
    """The mean of ``(participant, task, value)`` (a time in seconds) with the t interval on
    the two-way variance (``None`` with fewer than two observations).

    Raises:
        ArgumentError: no observations or a confidence outside (0, 1).
    """
    _z(confidence)
    variance = crossed_variance(observations)
    n = len(observations)
    value = sum(v for _, _, v in observations) / n
    people = len({p for p, _, _ in observations})
    tasks = len({t for _, t, _ in observations})
    fewer = min(people, tasks)
    df = float(max(fewer - 1, 1))
    interval = None
    if n >= 2:
        half = t_quantile(confidence, df) * math.sqrt(variance)
        interval = Interval(max(0.0, value - half), value + half, confidence)
    return CrossedMean(value, interval, n, people, tasks, float(n), df)


def human_ratio(model: float, human: float) -> float | None:
    """The model-to-human ratio of two pass rates (``None`` where the humans' is 0)."""
    return None if human <= 0 else model / human


@dataclass(frozen=True)
class PooledLevel:
    """The participants' pooled pass rate on one dimension at one level (``dimension`` is
    ``""`` when pooled by a key other than the dimension's levels)."""

    dimension: str
    level: int
    rate: CrossedMean


def pooled_levels(
    participants: Mapping[str, Sequence[Scorable]],
    *,
    key: str = "level",
    by_dimension: bool = True,
    confidence: float = 0.95,
) -> list[PooledLevel]:
    """Every participant's checked records pooled per (dimension, level of ``key``), each
    with the two-way interval of ``crossed_rate``; records without a verdict, ``infra``
    ones and those without an integer ``key`` are left out.

    Raises:
        ArgumentError: a confidence outside (0, 1).
    """
    cells: dict[tuple[str, int], list[tuple[Hashable, Hashable, float]]] = defaultdict(list)
    for person, records in participants.items():
        for rec in records:
            level = level_of(rec.metadata, key)
            if rec.status in (None, "infra") or level is None:
                continue
            dimension = (dimension_of(rec.metadata) or "") if by_dimension else ""
            cells[(dimension, level)].append((person, rec.task_id, float(rec.passed)))
    return [
        PooledLevel(dim, level, crossed_rate(obs, confidence=confidence))
        for (dim, level), obs in sorted(cells.items())
    ]
