"""Per-level pass rates of one metadata key: the points a capability curve and a decay fit
are built from.

Kept apart from ``_curves`` (the curve and its fit) and ``_composition`` (the composed
expectation) so that both, and ``_decay``, depend on it and not on each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codehazard.errors import InputError
from codehazard.scoring._intervals import Interval, task_passk_interval, task_rate_interval
from codehazard.scoring._passk import Scorable, score


@dataclass(frozen=True)
class LevelPoint:
    """One complexity level: its tasks, samples, pass@1 with interval, and pass@k.

    ``task_rates`` and ``task_samples`` are each task's pass fraction and sample count (the
    decay fit models task variation from them); ``pass_at_k_intervals`` holds an interval for
    each k of ``pass_at_k`` that every task supports.
    """

    level: int
    n_tasks: int
    n_samples: int
    pass_at_1: float
    interval: Interval
    pass_at_k: dict[int, float | None]
    task_rates: tuple[float, ...] = field(repr=False, default=())
    task_samples: tuple[int, ...] = field(repr=False, default=())
    pass_at_k_intervals: dict[int, Interval | None] = field(default_factory=dict)


def pass_at_k_interval(
    counts: Sequence[tuple[int, int]], k: int = 1, *, confidence: float = 0.95
) -> Interval:
    """Interval of a level's pass@k from its tasks' ``(passes, samples)``:
    ``task_passk_interval``'s.

    Raises:
        ValueError: no counts, a task with fewer than k samples, or a confidence outside (0, 1).
    """
    return task_passk_interval(counts, k, confidence=confidence).interval


def level_of(metadata: dict[str, Any], key: str) -> int | None:
    """The integer level of a task under ``key`` (``None`` when absent or not an integer)."""
    value = metadata.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def level_points(
    records: Iterable[Scorable],
    key: str = "components",
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
) -> list[LevelPoint]:
    """pass@1 (with interval) and pass@k (with interval) per integer level of ``key``.

    Samples without a verdict, or with an ``infra`` verdict, are left out (as in ``score``).

    Raises:
        InputError: no record has an integer ``key`` in its task metadata.
        ValueError: a k below 1 or a confidence outside (0, 1).
    """
    groups: dict[int, list[Scorable]] = defaultdict(list)
    for rec in records:
        level = level_of(rec.metadata, key)
        if level is not None:
            groups[level].append(rec)
    if not groups:
        raise InputError(
            f"no task has an integer {key!r} in its metadata; was the run made on a "
            "complexity suite (e.g. building-blocks)?"
        )
    points = []
    for level in sorted(groups):
        scores = score(groups[level], ks, confidence=confidence)
        if scores.n_tasks == 0:
            continue
        tasks = list(scores.per_task.values())
        rates = tuple(t.c / t.n for t in tasks)
        p1 = float(np.mean(rates))
        counts = [(t.c, t.n) for t in tasks]
        intervals: dict[int, Interval | None] = {
            k: None if value is None else pass_at_k_interval(counts, k, confidence=confidence)
            for k, value in scores.pass_at_k.items()
        }
        points.append(
            LevelPoint(
                level=level,
                n_tasks=scores.n_tasks,
                n_samples=scores.n_samples,
                pass_at_1=p1,
                interval=task_rate_interval(counts, confidence=confidence).interval,
                pass_at_k=dict(scores.pass_at_k),
                task_rates=rates,
                task_samples=tuple(t.n for t in tasks),
                pass_at_k_intervals=intervals,
            )
        )
    return points
