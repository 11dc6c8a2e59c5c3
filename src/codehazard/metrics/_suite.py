"""The metric families every suite has: pass@k, the rate of each verdict status and failure
kind, and the rate of each per-sample score; the rates share one shape (``_SampleRate``).

A record belongs to suite ``s`` when its task metadata says ``suite: s``, or, for tasks loaded
from plain HumanEval-format files that carry no metadata, when its task id starts with ``s/``
(``HumanEval/0`` belongs to ``humaneval``). Suite names compare case-insensitively and ``*``
selects every suite. Selectors (``{level>=5}``) filter on task metadata.

Samples without a verdict, and ``infra`` verdicts (harness failures), are never counted for or
against the model; ``rate.infra`` alone counts them, over every checked sample. No family here
knows any suite: a suite whose tasks carry ``suite`` and ``level`` (or any) metadata and whose
checkers report failure kinds gets every metric, selectors included.
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
from codehazard.scoring import canonical_metadata, suite_of
from codehazard.verdict import MODEL_STATUSES, STATUSES


def select(records: Sequence[MetricRecord], suite: str, metric: MetricName) -> list[MetricRecord]:
    """The records of ``suite`` (``*``: any suite) whose task metadata passes the selectors; a
    dimension recorded under a former name is selected by today's (``canonical_metadata``)."""
    wanted = suite.lower()
    return [
        r
        for r in records
        if (wanted == "*" or suite_of(r) == wanted)
        and metric.selects(canonical_metadata(r.metadata))
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


class _SampleRate:
    """The one shape of every suite rate family: the share of a suite's counted samples (those
    the selectors select) that are events. A family names its pattern, checks its name, and
    says which samples count (``counted``) and which are events (``event``)."""

    pattern: str
    description: str

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
        """Any name the pattern matches (failure kinds and scorers are open: checker kinds and
        runs name their own); a family with a closed vocabulary refuses the rest."""
        return None

    def counted(self, record: MetricRecord, parts: Mapping[str, str]) -> bool:
        """Whether the record is in the denominator: a checked sample, infra left out."""
        return record.status in MODEL_STATUSES

    def event(self, record: MetricRecord, parts: Mapping[str, str]) -> bool:
        """Whether the record is in the numerator."""
        raise NotImplementedError

    def empty_note(self, metric: MetricName, parts: Mapping[str, str]) -> str:
        """Why there is no value when no sample counts."""
        return _nothing_note(metric, parts["suite"])

    def measure(
        self,
        metric: MetricName,
        parts: Mapping[str, str],
        records: Sequence[MetricRecord],
        confidence: float,
    ) -> Measurement:
        """The rate of events among the selected counted samples, with its interval."""
        chosen = [r for r in select(records, parts["suite"], metric) if self.counted(r, parts)]
        return rate_measurement(
            metric.text,
            self.pattern,
            chosen,
            lambda r: self.event(r, parts),
            confidence=confidence,
            empty_note=self.empty_note(metric, parts),
        )


@metric_family
class SuiteStatusRate(_SampleRate):
    """``suite.<suite>.rate.<status>``: the share of samples with a given verdict status."""

    pattern = "suite.<suite>.rate.<status>"
    description = (
        "share of checked samples whose verdict has this status (passed, failed, error, "
        "timeout, memory, syntax; infra over all checked samples), cluster-score interval "
        "over tasks' samples"
    )

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
        """Accept the verdict statuses only."""
        if parts["status"] not in STATUSES:
            return f"rate.{parts['status']}: unknown status; use one of {', '.join(STATUSES)}"
        return None

    def counted(self, record: MetricRecord, parts: Mapping[str, str]) -> bool:
        """Checked samples; for ``infra``, every checked sample."""
        counted = STATUSES if parts["status"] == "infra" else MODEL_STATUSES
        return record.status in counted

    def event(self, record: MetricRecord, parts: Mapping[str, str]) -> bool:
        """The verdict has the status."""
        return record.status == parts["status"]


def failure_kind_of(record: MetricRecord) -> str | None:
    """The failure kind of a record's verdict (``None``: the checker named none)."""
    kind = getattr(record, "failure_kind", None)
    return kind if isinstance(kind, str) and kind else None


@metric_family
class SuiteFailureKindRate(_SampleRate):
    """``suite.<suite>.rate.kind.<kind>``: the share of samples failed with a failure kind."""

    pattern = "suite.<suite>.rate.kind.<kind>"
    description = (
        "share of checked samples whose verdict names this failure kind (invariant, liveness, "
        "race, deadlock, distribution, contract, or any a checker kind reports), cluster-score "
        "interval over tasks' samples"
    )

    def event(self, record: MetricRecord, parts: Mapping[str, str]) -> bool:
        """The verdict's failure kind is the one named."""
        return failure_kind_of(record) == parts["kind"]


def _score_of(record: MetricRecord, scorer: str) -> float | None:
    """The record's value from ``scorer`` (the sandbox's is its verdict), ``None`` if none."""
    if scorer == "sandbox":
        return None if record.status in (None, "infra") else float(record.passed)
    value = getattr(record, "scores", {}).get(scorer)
    return None if value is None else float(value)


@metric_family
class SuiteScoreRate(_SampleRate):
    """``suite.<suite>.score.<scorer>``: the share of scored samples a scorer marked."""

    pattern = "suite.<suite>.score.<scorer>"
    description = (
        "share of the samples a per-sample scorer scored whose score is positive (a yes), "
        "among the samples that scorer gave a value; cluster-score interval over tasks' "
        "samples; scorer 'sandbox' is the verdict"
    )

    def counted(self, record: MetricRecord, parts: Mapping[str, str]) -> bool:
        """The samples the scorer gave a value."""
        return _score_of(record, parts["scorer"]) is not None

    def event(self, record: MetricRecord, parts: Mapping[str, str]) -> bool:
        """A positive score."""
        return (_score_of(record, parts["scorer"]) or 0.0) > 0.0

    def empty_note(self, metric: MetricName, parts: Mapping[str, str]) -> str:
        """No sample scored by that scorer."""
        return f"no samples scored by {parts['scorer']!r} in the runs given"
