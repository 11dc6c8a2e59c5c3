"""Comparing two runs in a report: model A against model B, or version 1 against version 2.

Per suite and per curve cell, B minus A with an interval for the difference (Newcombe's
hybrid method, which combines each side's own interval, so the cluster-score intervals over
tasks carry over). With an assessment, its hazard log is assessed on each run alone (the
assessment is self-contained: it holds every rule) and ``hazards.diff_assessments`` says which
hazards' risk moved and which evidence moved them.
"""

from __future__ import annotations

import math

from codehazard.hazards import (
    Assessment,
    Hazard,
    HazardLog,
    LoadedLog,
    RunRef,
    assess,
    diff_assessments,
)
from codehazard.metrics import MetricRegistry
from codehazard.report._model import Capability, Comparison, Delta, HazardMove, IntervalView
from codehazard.report._runs import LoadedRun


def difference_interval(a: float, a_iv: IntervalView, b: float, b_iv: IntervalView) -> IntervalView:
    """Newcombe's interval for ``b - a`` from each side's interval (independent samples)."""
    d = b - a
    low = d - math.sqrt((b - b_iv.low) ** 2 + (a_iv.high - a) ** 2)
    high = d + math.sqrt((b_iv.high - b) ** 2 + (a - a_iv.low) ** 2)
    return IntervalView(
        low=max(-1.0, low), high=min(1.0, high), confidence=a_iv.confidence, method="newcombe"
    )


def _delta(
    suite: str,
    metric: str,
    a: tuple[float | None, IntervalView | None, int],
    b: tuple[float | None, IntervalView | None, int],
    *,
    dimension: str | None = None,
    level: int | str | None = None,
) -> Delta:
    (av, ai, an), (bv, bi, bn) = a, b
    both = av is not None and bv is not None
    interval = difference_interval(av, ai, bv, bi) if both and ai and bi else None  # type: ignore[arg-type]
    return Delta(
        suite=suite,
        dimension=dimension,
        level=level,
        metric=metric,
        a=av,
        b=bv,
        a_interval=ai,
        b_interval=bi,
        delta=(bv - av) if both else None,  # type: ignore[operator]
        interval=interval,
        n_a=an,
        n_b=bn,
    )


def _suite_deltas(a: str, b: str, cap: Capability) -> list[Delta]:
    rows = {(r.run, r.metric): r for r in cap.suite_rates}
    metrics = dict.fromkeys(r.metric for r in cap.suite_rates if r.run in (a, b))
    out = []
    for metric in metrics:
        ra, rb = rows.get((a, metric)), rows.get((b, metric))
        suite = metric.split(".")[1]
        out.append(
            _delta(
                suite,
                metric,
                (ra.value, ra.interval, ra.n) if ra else (None, None, 0),
                (rb.value, rb.interval, rb.n) if rb else (None, None, 0),
            )
        )
    return out


def _cell_deltas(a: str, b: str, cap: Capability) -> list[Delta]:
    points = {}
    for c in cap.curves:
        for p in c.points:
            points[(c.run, c.suite, c.dimension, p.level)] = p
    cells = dict.fromkeys((s, d, lvl) for (run, s, d, lvl) in points if run in (a, b))
    out = []
    for suite, dim, level in cells:
        pa, pb = points.get((a, suite, dim, level)), points.get((b, suite, dim, level))
        out.append(
            _delta(
                suite,
                "pass@1",
                (pa.value, pa.interval, pa.n_samples) if pa else (None, None, 0),
                (pb.value, pb.interval, pb.n_samples) if pb else (None, None, 0),
                dimension=dim,
                level=level,
            )
        )
    return out


def log_of(a: Assessment) -> LoadedLog:
    """The hazard log an assessment was made from, rebuilt from what it holds (each hazard's
    expert levels, mitigations and rules), with its profile."""
    hazards = [
        Hazard(
            id=h.id,
            title=h.title,
            source=h.source,
            severity=h.severity,
            likelihood=h.expert_likelihood,
            residual_severity=h.residual_severity,
            residual_likelihood=h.expert_residual_likelihood,
            status=h.status,  # type: ignore[arg-type]
            rationale=h.rationale,
            mitigations=list(h.mitigations),
            evidence=[r.rule for r in h.evidence],
        )
        for h in a.hazards
    ]
    log = HazardLog(title=a.log.title, system=a.log.system, hazards=hazards)
    return LoadedLog(log=log, profile=a.profile, source=a.log.source, sha256=a.log.sha256)


def _hazard_moves(
    a: LoadedRun, b: LoadedRun, assessment: Assessment, registry: MetricRegistry, conf: float
) -> tuple[list[HazardMove], int]:
    loaded = log_of(assessment)
    sides = [
        assess(
            loaded,
            run.records,
            runs=[RunRef.from_record(run.record)],
            registry=registry,
            confidence=conf,
        )
        for run in (a, b)
    ]
    diff = diff_assessments(sides[0], sides[1])
    moves = [
        HazardMove(
            id=c.id,
            title=c.title,
            a_risk=c.old_risk,
            b_risk=c.new_risk,
            direction=c.risk_direction,
            a_residual_risk=c.old_residual_risk,
            b_residual_risk=c.new_residual_risk,
            a_likelihood=c.old_likelihood,
            b_likelihood=c.new_likelihood,
            evidence=[
                f"{e.metric}: {e.old} -> {e.new}; level {e.old_level or '-'} -> "
                f"{e.new_level or '-'}"
                for e in c.evidence
            ],
        )
        for c in diff.changed
        if c.old_risk != c.new_risk or c.old_residual_risk != c.new_residual_risk
    ]
    return moves, len(assessment.hazards) - len(moves)


def comparison_section(
    a: LoadedRun,
    b: LoadedRun,
    capability: Capability,
    assessment: Assessment | None,
    registry: MetricRegistry,
    confidence: float,
) -> Comparison:
    """Run ``b`` against run ``a``: deltas per suite and per cell, and (with an assessment)
    the hazards whose risk moved when the log is assessed on each run alone."""
    notes = []
    moves: list[HazardMove] = []
    unchanged = 0
    if assessment is not None:
        moves, unchanged = _hazard_moves(a, b, assessment, registry, confidence)
        notes.append(
            "hazards: the assessment's hazard log assessed on each run alone (expert levels, "
            "mitigations and rules as the assessment holds them)"
        )
    else:
        notes.append("no assessment given: no hazard comparison")
    notes.append(
        "delta = B - A; its interval is Newcombe's, from each side's own interval "
        "(the runs are taken as independent)"
    )
    return Comparison(
        a=a.id,
        b=b.id,
        a_label=a.view.label,
        b_label=b.view.label,
        suites=_suite_deltas(a.id, b.id, capability),
        cells=_cell_deltas(a.id, b.id, capability),
        hazards=moves,
        hazards_unchanged=unchanged,
        notes=notes,
    )
