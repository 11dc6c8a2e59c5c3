"""What a metric family returns: a value with its interval, its sample count and its samples.

A measurement is evidence in a hazard assessment, so it carries everything needed to audit it:
the interval (never a bare rate), how many samples and tasks stand behind it, and the run ids and
sample keys of those samples. It is persisted inside assessments, hence a versioned model.

The helpers here (``rate_measurement``, ``task_mean_measurement``) are for family authors: a new
probe family filters its records and hands them over, and gets the same statistics and the same
traceability as the built-in suite families.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from codehazard.scoring import (
    TaskMeanInterval,
    cluster_score_interval,
    task_passk_interval,
    task_rate_interval,
)

MEASUREMENT_SCHEMA_VERSION = 1

IntervalMethod = Literal[
    "cluster-score", "wilson", "wilson-clustered", "bootstrap-tasks", "wilson-tasks"
]
"""How an interval was made. New measurements are ``cluster-score`` (``docs/metrics.md``); the
other names are those of earlier versions, kept so that stored assessments still load."""


class MetricRecord(Protocol):
    """What a family reads from one sample (``codehazard.store.Record`` fits)."""

    @property
    def run_id(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def task_id(self) -> str: ...
    @property
    def metadata(self) -> dict[str, Any]: ...
    @property
    def status(self) -> str | None: ...
    @property
    def passed(self) -> bool: ...


class MetricInterval(BaseModel):
    """A confidence interval and how it was obtained."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    low: float
    high: float
    confidence: float
    method: IntervalMethod


class Measurement(BaseModel):
    """One metric measured over some samples.

    ``value`` is ``None`` when the records hold nothing the metric selects (then ``note`` says
    why); ``n`` counts samples, ``n_tasks`` distinct tasks, ``events`` the numerator of a rate.
    ``samples`` maps each run id to the keys of the samples behind the value.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = MEASUREMENT_SCHEMA_VERSION
    metric: str
    family: str
    value: float | None
    interval: MetricInterval | None = None
    n: int = 0
    n_tasks: int = 0
    events: int | None = None
    samples: dict[str, list[str]] = Field(default_factory=dict)
    note: str = ""

    @property
    def available(self) -> bool:
        """True when there is a value to reason with."""
        return self.value is not None and self.n > 0

    @property
    def runs(self) -> list[str]:
        """The run ids behind the value, sorted."""
        return sorted(self.samples)


def sample_keys(records: Iterable[MetricRecord]) -> dict[str, list[str]]:
    """Sample keys grouped by run id, in record order."""
    out: dict[str, list[str]] = defaultdict(list)
    for rec in records:
        out[rec.run_id].append(rec.key)
    return dict(out)


def absent(metric: str, family: str, note: str) -> Measurement:
    """A measurement with no value: nothing in the records is selected by the metric."""
    return Measurement(metric=metric, family=family, value=None, note=note)


def _measured(
    metric: str,
    family: str,
    value: float,
    est: TaskMeanInterval,
    records: Sequence[MetricRecord],
    confidence: float,
    events: int | None,
) -> Measurement:
    """A measured value with its interval, counts, samples and the interval's note."""
    iv = est.interval
    return Measurement(
        metric=metric,
        family=family,
        value=value,
        interval=MetricInterval(low=iv.low, high=iv.high, confidence=confidence, method=est.method),
        n=len(records),
        n_tasks=est.n_tasks,
        events=events,
        samples=sample_keys(records),
        note=est.note(),
    )


def rate_measurement(
    metric: str,
    family: str,
    records: Sequence[MetricRecord],
    is_event: Callable[[MetricRecord], bool],
    *,
    confidence: float = 0.95,
    empty_note: str = "no checked samples selected",
) -> Measurement:
    """The share of ``records`` that are events, with its cluster-score interval.

    ``records`` must already be the denominator (the family filters out pending or ``infra``
    samples as its definition requires). Samples of one task are correlated (a task the
    model cannot do fails every sample), so the interval is that of a mean over tasks
    (``codehazard.scoring.task_rate_interval``, weighting each task by its samples): the
    binomial one when tasks agree as well as chance allows, wider by the design effect (which
    the note gives) when they do not.

    Raises:
        ValueError: ``confidence`` outside (0, 1).
    """
    if not records:
        return absent(metric, family, empty_note)
    per_task: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        counts = per_task[record.task_id]
        counts[0] += 1 if is_event(record) else 0
        counts[1] += 1
    events = sum(c for c, _ in per_task.values())
    est = task_rate_interval(
        [(c, m) for c, m in per_task.values()], confidence=confidence, weight="samples"
    )
    return _measured(metric, family, events / len(records), est, records, confidence, events)


def task_mean_measurement(
    metric: str,
    family: str,
    per_task: Mapping[str, float],
    records: Sequence[MetricRecord],
    *,
    confidence: float = 0.95,
    events: int | None = None,
    mean: float | None = None,
    counts: Mapping[str, tuple[int, int]] | None = None,
    k: int = 1,
) -> Measurement:
    """The mean of a per-task statistic in [0, 1], with its cluster-score interval.

    Tasks are the sampling unit of a benchmark, so the interval says how much the value depends
    on which problems were drawn as well as on each task's own samples. With ``counts`` (each
    task's ``(passes, samples)``) the statistic is pass@``k`` and the interval is
    ``codehazard.scoring.task_passk_interval``'s; without them each task counts as one sample
    (``cluster_score_interval`` with a floor of one sample a task: Wilson's over tasks where
    tasks agree, never a single point). The mean is summed exactly (``math.fsum``); a family
    that can compute it exactly (say from integer counts) passes ``mean``, so a value at a
    rule's bound is not a rounding error below it.

    Raises:
        ValueError: ``confidence`` outside (0, 1), values outside [0, 1], or ``counts`` with
            fewer than ``k`` samples for some task.
    """
    if not per_task:
        return absent(metric, family, "no checked samples selected")
    values = list(per_task.values())
    if mean is None:
        mean = math.fsum(values) / len(values)
    if counts is not None:
        est = task_passk_interval([counts[t] for t in per_task], k, confidence=confidence)
    else:
        est = cluster_score_interval(
            values,
            [1.0] * len(values),
            float(len(values)),
            n_samples=len(records),
            confidence=confidence,
        )
    return _measured(metric, family, mean, est, records, confidence, events)
