"""pass@k with the unbiased estimator of Chen et al. (2021), and its summaries over tasks.

Samples with no verdict yet or an ``infra`` verdict are excluded: they are neither passes nor
failures. pass@k is undefined (``None``), never 1.0, for a task with fewer than k samples, and
the overall pass@k is reported only for the k that every task supports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from codehazard.errors import ArgumentError
from codehazard.scoring._intervals import (
    TASK_MEAN_METHOD,
    Interval,
    TaskIntervalMethod,
    task_rate_interval,
)


class Scorable(Protocol):
    """What scoring needs from a sample's record (``codehazard.store.Record`` fits)."""

    @property
    def task_id(self) -> str: ...
    @property
    def status(self) -> str | None: ...
    @property
    def passed(self) -> bool: ...
    @property
    def metadata(self) -> dict[str, Any]: ...


def pass_at_k(n: int, c: int, k: int) -> float | None:
    """Unbiased pass@k for one task: 1 - C(n-c, k) / C(n, k); ``None`` when n < k.

    Raises:
        ValueError: ``k < 1``, ``n < 0`` or ``c`` outside ``[0, n]``.
    """
    if k < 1:
        raise ArgumentError(f"k must be >= 1, got {k}")
    if n < 0 or not 0 <= c <= n:
        raise ArgumentError(f"need 0 <= c <= n, got n={n}, c={c}")
    if n < k:
        return None
    if n - c < k:
        return 1.0
    # numerically stable product form: prod_{i=n-c+1}^{n} (1 - k / i)
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


@dataclass(frozen=True)
class TaskScore:
    """One task's sample count ``n``, passes ``c`` and pass@k for each requested k."""

    task_id: str
    n: int
    c: int
    pass_at_k: dict[int, float | None]


@dataclass(frozen=True)
class Scores:
    """pass@k per task and overall, with an interval over tasks for pass@1.

    ``pass1_interval_method`` names the method: the cluster-score interval of a mean over tasks
    (``task_rate_interval``), the one every mean over tasks gets.
    """

    per_task: dict[str, TaskScore]
    pass_at_k: dict[int, float | None]
    pass1_interval: Interval | None
    n_tasks: int
    n_samples: int
    excluded: int = 0
    ks: tuple[int, ...] = field(default=(1,))
    pass1_interval_method: TaskIntervalMethod = TASK_MEAN_METHOD

    def defined_pass_at_k(self) -> dict[int, float]:
        """Only the k every task supports."""
        return {k: v for k, v in self.pass_at_k.items() if v is not None}


def score(
    records: Iterable[Scorable],
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
) -> Scores:
    """Score samples: pass@k per task and averaged over tasks, pass@1 with its interval.

    Raises:
        ValueError: a k below 1, or a confidence outside (0, 1).
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    excluded = 0
    for rec in records:
        if rec.status is None or rec.status == "infra":
            excluded += 1
            continue
        entry = counts[rec.task_id]
        entry[0] += 1
        entry[1] += int(rec.passed)
    ks = tuple(sorted(set(ks)))
    per_task = {
        tid: TaskScore(tid, n, c, {k: pass_at_k(n, c, k) for k in ks})
        for tid, (n, c) in counts.items()
    }
    overall: dict[int, float | None] = {}
    for k in ks:
        values = [t.pass_at_k[k] for t in per_task.values()]
        overall[k] = (
            float(np.mean(values)) if values and all(v is not None for v in values) else None
        )
    interval = None
    if per_task:
        counts = [(t.c, t.n) for t in per_task.values()]
        interval = task_rate_interval(counts, confidence=confidence).interval
    return Scores(
        per_task=per_task,
        pass_at_k=overall,
        pass1_interval=interval,
        n_tasks=len(per_task),
        n_samples=sum(t.n for t in per_task.values()),
        excluded=excluded,
        ks=ks,
    )


def breakdown(
    records: Iterable[Scorable], key: str, ks: Sequence[int] = (1,), **kwargs: Any
) -> dict[Hashable, Scores]:
    """Scores per value of the task metadata ``key`` (tasks lacking the key are left out)."""
    groups: dict[Hashable, list[Scorable]] = defaultdict(list)
    for rec in records:
        if key in rec.metadata:
            value = rec.metadata[key]
            groups[value if isinstance(value, Hashable) else repr(value)].append(rec)
    return {value: score(recs, ks, **kwargs) for value, recs in groups.items()}
