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

from codehazard.scoring import clustered_wilson_interval, task_mean_interval

MEASUREMENT_SCHEMA_VERSION = 1

IntervalMethod = Literal["wilson", "wilson-clustered", "bootstrap-tasks", "wilson-tasks"]


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


def rate_measurement(
    metric: str,
    family: str,
    records: Sequence[MetricRecord],
    is_event: Callable[[MetricRecord], bool],
    *,
    confidence: float = 0.95,
    empty_note: str = "no checked samples selected",
) -> Measurement:
    """The share of ``records`` that are events, with a Wilson interval.

    ``records`` must already be the denominator (the family filters out pending or ``infra``
    samples as its definition requires). Samples of one task are correlated (a task the
    model cannot do fails every sample), so when tasks have several samples and their rates
    differ more than chance explains, the interval is Wilson's on the effective number of
    samples (``wilson-clustered``; the note gives the design effect), not on the raw count.

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
    n = len(records)
    ci, deff = clustered_wilson_interval([(c, m) for c, m in per_task.values()], confidence)
    method: IntervalMethod = "wilson-clustered" if deff > 1.0 else "wilson"
    note = ""
    if deff > 1.0:
        note = (
            f"samples of a task are correlated (design effect {deff:.2f}): the interval is "
            f"Wilson's on {n / deff:.1f} effective samples of {n}"
        )
    return Measurement(
        metric=metric,
        family=family,
        value=events / n,
        interval=MetricInterval(low=ci.low, high=ci.high, confidence=confidence, method=method),
        n=n,
        n_tasks=len(per_task),
        events=events,
        samples=sample_keys(records),
        note=note,
    )


def task_mean_measurement(
    metric: str,
    family: str,
    per_task: Mapping[str, float],
    records: Sequence[MetricRecord],
    *,
    confidence: float = 0.95,
    events: int | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    mean: float | None = None,
) -> Measurement:
    """The mean of a per-task statistic, with a bootstrap interval over tasks.

    Tasks are the sampling unit of a benchmark, so the interval says how much the value depends
    on which problems were drawn. The seed is fixed: the same records give the same interval.
    Where every task has the same value (always so for one task) the bootstrap collapses to a
    single point, which would let "conservative" rules treat the value as exact; for values in
    [0, 1] the interval is then Wilson's over tasks (``wilson-tasks``), as for the capability
    curves. The mean is summed exactly (``math.fsum``); a family that can compute it exactly (say
    from integer counts) passes ``mean``, so a value at a rule's bound is not a rounding error
    below it.

    Raises:
        ValueError: ``confidence`` outside (0, 1).
    """
    if not per_task:
        return absent(metric, family, "no checked samples selected")
    values = list(per_task.values())
    if mean is None:
        mean = math.fsum(values) / len(values)
    ci, method = task_mean_interval(values, confidence=confidence, n_boot=n_boot, seed=seed)
    note = ""
    if method == "wilson-tasks":
        note = (
            f"every one of the {len(values)} task(s) has the same value: Wilson interval over "
            "tasks (a bootstrap would be a single point)"
        )
    elif len(set(values)) == 1:
        note = "every task has the same value: the bootstrap interval is degenerate"
    return Measurement(
        metric=metric,
        family=family,
        value=mean,
        interval=MetricInterval(low=ci.low, high=ci.high, confidence=confidence, method=method),
        n=len(records),
        n_tasks=len(per_task),
        events=events,
        samples=sample_keys(records),
        note=note,
    )
