"""The metric families every suite has: pass@k and the rate of each verdict status.

A record belongs to suite ``s`` when its task metadata says ``suite: s``, or, for tasks loaded
from plain HumanEval-format files that carry no metadata, when its task id starts with ``s/``
(``HumanEval/0`` belongs to ``humaneval``). Suite names compare case-insensitively and ``*``
selects every suite. Selectors (``{level>=5}``) filter on task metadata.

Samples without a verdict, and ``infra`` verdicts (harness failures), are never counted for or
against the model; ``rate.infra`` alone counts them, over every checked sample.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from fractions import Fraction
from math import comb

from codehazard.metrics._measurement import (
    Measurement,
    MetricRecord,
    absent,
    rate_measurement,
    task_mean_measurement,
)
from codehazard.metrics._names import MetricName
from codehazard.metrics._registry import metric_family
from codehazard.verdict import MODEL_STATUSES, STATUSES


def suite_of(record: MetricRecord) -> str | None:
    """The suite a record belongs to (lowercased), or ``None`` when it cannot be told."""
    suite = record.metadata.get("suite")
    if isinstance(suite, str) and suite:
        return suite.lower()
    prefix, sep, _ = record.task_id.partition("/")
    return prefix.lower() if sep and prefix else None


def select(records: Sequence[MetricRecord], suite: str, metric: MetricName) -> list[MetricRecord]:
    """The records of ``suite`` (``*``: any suite) whose task metadata passes the selectors."""
    wanted = suite.lower()
    return [
        r
        for r in records
        if (wanted == "*" or suite_of(r) == wanted) and metric.selects(r.metadata)
    ]


def exact_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """Unbiased pass@k of one task as an exact fraction: 1 - C(n-c, k) / C(n, k) (n >= k).

    Exact so that a pass rate equal to a rule's bound (1 of 10 is 0.1) compares as equal.
    """
    return 1 - Fraction(comb(n - c, k), comb(n, k))


def _nothing_note(metric: MetricName, suite: str) -> str:
    where = "any suite" if suite == "*" else f"suite {suite!r}"
    sel = " matching the selectors" if metric.selectors else ""
    return f"no checked samples of {where}{sel} in the runs given"


@metric_family
class SuitePassAtK:
    """``suite.<suite>.pass@<k>``: unbiased pass@k averaged over tasks."""

    pattern = "suite.<suite>.pass@<k>"
    description = (
        "unbiased pass@k averaged over tasks, cluster-score interval over tasks; "
        "samples without a verdict or with an infra verdict are excluded"
    )

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
        """Accept positive integer k only."""
        k = parts["k"]
        if not k.isdigit() or int(k) < 1:
            return f"pass@{k}: k must be a positive integer, e.g. pass@1"
        return None

    def measure(
        self,
        metric: MetricName,
        parts: Mapping[str, str],
        records: Sequence[MetricRecord],
        confidence: float,
    ) -> Measurement:
        """pass@k over the selected records; absent when a task has fewer than k samples."""
        k = int(parts["k"])
        chosen = [r for r in select(records, parts["suite"], metric) if r.status in MODEL_STATUSES]
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for rec in chosen:
            counts[rec.task_id][0] += 1
            counts[rec.task_id][1] += int(rec.passed)
        if not counts:
            return absent(metric.text, self.pattern, _nothing_note(metric, parts["suite"]))
        short = sorted(t for t, (n, _) in counts.items() if n < k)
        if short:
            return absent(
                metric.text,
                self.pattern,
                f"pass@{k} is undefined: {len(short)} task(s) have fewer than {k} checked "
                f"samples (e.g. {short[0]})",
            )
        exact = {t: exact_pass_at_k(n, c, k) for t, (n, c) in counts.items()}
        return task_mean_measurement(
            metric.text,
            self.pattern,
            {t: float(v) for t, v in exact.items()},
            chosen,
            confidence=confidence,
            events=sum(c for _, c in counts.values()),
            mean=float(sum(exact.values(), Fraction(0)) / len(exact)),
            counts={t: (c, n) for t, (n, c) in counts.items()},
            k=k,
        )


@metric_family
class SuiteStatusRate:
    """``suite.<suite>.rate.<status>``: the share of samples with a given verdict status."""

    pattern = "suite.<suite>.rate.<status>"
    description = (
        "share of checked samples whose verdict has this status (passed, failed, error, "
        "timeout, memory, syntax; infra over all checked samples), cluster-score interval "
        "(Wilson's on the effective number of samples when a task's samples are correlated)"
    )

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
        """Accept the verdict statuses only."""
        if parts["status"] not in STATUSES:
            return f"rate.{parts['status']}: unknown status; use one of {', '.join(STATUSES)}"
        return None

    def measure(
        self,
        metric: MetricName,
        parts: Mapping[str, str],
        records: Sequence[MetricRecord],
        confidence: float,
    ) -> Measurement:
        """The rate of the status among the selected checked samples, with its interval."""
        status = parts["status"]
        counted = STATUSES if status == "infra" else MODEL_STATUSES
        chosen = [r for r in select(records, parts["suite"], metric) if r.status in counted]
        return rate_measurement(
            metric.text,
            self.pattern,
            chosen,
            lambda r: r.status == status,
            confidence=confidence,
            empty_note=_nothing_note(metric, parts["suite"]),
        )
