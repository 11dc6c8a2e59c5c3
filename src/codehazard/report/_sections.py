"""The measured sections of a report: capability (curves, rates, failure kinds) and the
generic metric-family sections (probes, scorers, whatever a plug-in registers).

Nothing here knows a suite: curves follow the ``level`` metadata every suite's tasks carry
(split by ``dimension`` where a suite has several), rates are the registry's
``suite.<suite>.pass@1``, and any metric family may offer the names worth reporting for a set of
records through an optional ``report_metrics(records) -> list[str]`` method.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from codehazard.hazards import Assessment
from codehazard.metrics import Measurement, MetricRegistry
from codehazard.report._model import (
    Capability,
    CurvePoint,
    CurveView,
    FailureKindRow,
    FamilySection,
    IntervalView,
    MetricRow,
)
from codehazard.report._runs import LoadedRun
from codehazard.scoring import (
    CROSSED_METHOD,
    TASK_MEAN_METHOD,
    composition_gap,
    level_of,
    level_points,
    pooled_levels,
    suite_of,
)
from codehazard.store import Record

CURVE_KEY = "level"
_METRIC_PART = re.compile(r"[A-Za-z0-9_@\-]+")
COMPOSITION_BOOT = 200
"""Bootstrap resamples for the composition gap's interval (the report shows the product only)."""


def metric_row(m: Measurement, run: str = "") -> MetricRow:
    """A measurement as a table row."""
    iv = m.interval
    return MetricRow(
        metric=m.metric,
        family=m.family,
        run=run,
        value=m.value,
        interval=None
        if iv is None
        else IntervalView(low=iv.low, high=iv.high, confidence=iv.confidence, method=iv.method),
        n=m.n,
        n_tasks=m.n_tasks,
        events=m.events,
        note=m.note,
    )


def by_suite(records: Sequence[Record]) -> dict[str, list[Record]]:
    """Records grouped by suite (``""``: records of no suite), suites in name order."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        groups[suite_of(rec) or ""].append(rec)
    return dict(sorted(groups.items()))


def _curve(
    run: LoadedRun, suite: str, dimension: str | None, records: list[Record], confidence: float
) -> CurveView | None:
    if not any(level_of(r.metadata, CURVE_KEY) is not None for r in records):
        return None
    points = level_points(records, CURVE_KEY, confidence=confidence)
    composed = None
    if any(r.metadata.get("blocks") for r in records):
        composed = composition_gap(
            records, CURVE_KEY, confidence=confidence, n_boot=COMPOSITION_BOOT
        )
    out = []
    for p in points:
        gap = composed.level(p.level) if composed and isinstance(p.level, int) else None
        out.append(
            CurvePoint(
                level=p.level,
                n_tasks=p.n_tasks,
                n_samples=p.n_samples,
                value=p.pass_at_1,
                interval=IntervalView(
                    low=p.interval.low,
                    high=p.interval.high,
                    confidence=confidence,
                    method=TASK_MEAN_METHOD,
                ),
                composed=None if gap is None else gap.product,
                failure_kinds=dict(p.failure_kinds),
            )
        )
    name = f"{run.id}-{suite}" + (f"-{dimension}" if dimension else "")
    return CurveView(
        id="curve-" + "".join(c if c.isalnum() else "-" for c in name),
        run=run.id,
        run_label=run.view.label,
        suite=suite,
        dimension=dimension,
        key=CURVE_KEY,
        points=out,
        simulated=run.view.simulated,
    )


def _failure_rows(run: LoadedRun, suite: str, records: list[Record]) -> list[FailureKindRow]:
    checked = [r for r in records if r.status not in (None, "passed")]
    total = sum(1 for r in records if r.status is not None)
    counts = Counter(r.failure_kind or r.status or "" for r in checked)
    return [
        FailureKindRow(run=run.id, suite=suite, kind=kind, count=n, share=n / total)
        for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


HUMAN_PREFIX = "human/"
"""Runs of a human baseline study are of models ``human/<pseudonym>`` (``codehazard.human``)."""


def is_human(run: LoadedRun) -> bool:
    """Whether ``run`` is one participant's run of a human baseline study."""
    return (run.view.model or "").startswith(HUMAN_PREFIX)


def _people_curves(people: Sequence[LoadedRun], confidence: float) -> list[CurveView]:
    """The participants pooled into one curve per suite (and dimension, where a suite has
    several): the pass rate per level with the two-way interval over participants and tasks,
    drawn beside the models' curves (relative to human ability)."""
    groups: dict[tuple[str, str | None], dict[str, list[Record]]] = defaultdict(dict)
    for run in people:
        for suite, records in by_suite(run.records).items():
            name = suite or "(no suite)"
            groups[(name, None)][run.id] = records
            dims = sorted({str(r.metadata.get("dimension") or "") for r in records})
            for dim in dims if len(dims) > 1 else []:
                part = [r for r in records if str(r.metadata.get("dimension") or "") == dim]
                groups[(name, dim or "(none)")][run.id] = part
    out = []
    for (suite, dim), by_person in groups.items():
        pooled = pooled_levels(by_person, key=CURVE_KEY, by_dimension=False, confidence=confidence)
        points = [
            CurvePoint(
                level=p.level,
                n_tasks=p.rate.n_tasks,
                n_samples=p.rate.n_observations,
                value=p.rate.value,
                interval=IntervalView(
                    low=p.rate.interval.low if p.rate.interval else 0.0,
                    high=p.rate.interval.high if p.rate.interval else 1.0,
                    confidence=confidence,
                    method=CROSSED_METHOD,
                ),
            )
            for p in pooled
        ]
        if not points:
            continue
        name = f"people-{suite}" + (f"-{dim}" if dim else "")
        out.append(
            CurveView(
                id="curve-" + "".join(c if c.isalnum() else "-" for c in name),
                run="people",
                run_label=f"people ({len(by_person)} participants, pooled)",
                suite=suite,
                dimension=dim,
                key=CURVE_KEY,
                points=points,
            )
        )
    return out


def capability_section(
    runs: Sequence[LoadedRun], registry: MetricRegistry, confidence: float
) -> Capability:
    """Per run and suite: pass@1 with its interval, curves by level (and by dimension where a
    suite has several), and failure kinds. The runs of a human baseline's participants are
    pooled into one curve per suite, never drawn one participant at a time."""
    curves: list[CurveView] = []
    rates: list[MetricRow] = []
    kinds: list[FailureKindRow] = []
    for run in runs:
        for suite, records in by_suite(run.records).items():
            if suite and _METRIC_PART.fullmatch(suite):  # a suite the metric names can name
                m = registry.measure(f"suite.{suite}.pass@1", records, confidence=confidence)
                rates.append(metric_row(m, run.id))
            kinds += _failure_rows(run, suite or "(no suite)", records)
            if is_human(run):
                continue
            dims = sorted({str(r.metadata.get("dimension") or "") for r in records})
            curve = _curve(run, suite or "(no suite)", None, records, confidence)
            if curve is not None:
                curves.append(curve)
            if len(dims) > 1:
                for dim in dims:
                    part = [r for r in records if str(r.metadata.get("dimension") or "") == dim]
                    curve = _curve(run, suite or "(no suite)", dim or "(none)", part, confidence)
                    if curve is not None:
                        curves.append(curve)
    curves += _people_curves([r for r in runs if is_human(r)], confidence)
    return Capability(curves=curves, suite_rates=rates, failure_kinds=kinds)


def _offered(registry: MetricRegistry, records: Sequence[Record]) -> list[str]:
    """Metric names the registered families offer for ``records`` (``report_metrics``)."""
    names: list[str] = []
    for family in registry.families:
        offer = getattr(family, "report_metrics", None)
        if callable(offer):
            names += [str(n) for n in offer(records)]
    return list(dict.fromkeys(names))


def _scorer_names(records: Sequence[Record]) -> list[str]:
    return sorted({s for r in records for s in r.scores if s != "sandbox"})


def family_sections(
    runs: Sequence[LoadedRun],
    assessment: Assessment | None,
    registry: MetricRegistry,
    confidence: float,
    extra: Sequence[str] = (),
) -> list[FamilySection]:
    """One section per metric family measured: each scorer's rate per suite, the names
    families offer (``report_metrics``), the ``extra`` names asked for, and the
    assessment's own measurements (pooled over the runs it used).

    Raises:
        MetricNameError: an ``extra`` name no family defines.
    """
    rows: dict[str, list[MetricRow]] = defaultdict(list)
    for run in runs:
        names = list(extra) + _offered(registry, run.records)
        for suite, records in by_suite(run.records).items():
            if suite and _METRIC_PART.fullmatch(suite):
                names += [f"suite.{suite}.score.{s}" for s in _scorer_names(records)]
        for name in dict.fromkeys(names):
            resolved = registry.resolve(name)
            m = registry.measure(resolved.metric.text, run.records, confidence=confidence)
            rows[m.family].append(metric_row(m, run.id))
    if assessment is not None:
        for m in assessment.measurements.values():
            rows["assessment"].append(metric_row(m, "+".join(m.runs)))
    out = []
    for family, items in rows.items():
        title = (
            "Measurements behind the hazard analysis (pooled over the assessment's runs)"
            if family == "assessment"
            else f"Metric family {family}"
        )
        out.append(FamilySection(family=family, title=title, rows=items))
    return out
