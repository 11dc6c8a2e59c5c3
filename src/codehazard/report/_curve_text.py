"""Text and JSON views of a run's capability curves and its failure localisation.

The renderers take one view model, ``CurveReport`` (the run id, one curve per suite,
optionally the localisation summary and the plot written), and return text or plain data: they
print nothing, so the CLI, a notebook or an HTML report can place the result where it wants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codehazard.analysis import LocalisationSummary
from codehazard.report._curve import curve_to_dict
from codehazard.report._human_view import human_comparison_lines
from codehazard.scoring import METHOD_LEGEND, TASK_MEAN_METHOD, Curve, Interval


@dataclass(frozen=True)
class CurveReport:
    """What ``codehazard curves`` shows: a run's curves (one per suite that has the key, or
    one curve), its localisation, the plot written."""

    run_id: str
    curves: Curve | Sequence[Curve]
    localisation: LocalisationSummary | None = None
    plot: Path | None = None
    human: Sequence[dict[str, Any]] = ()

    @property
    def all(self) -> list[Curve]:
        """The curves, as a list."""
        return [self.curves] if isinstance(self.curves, Curve) else list(self.curves)


def curve_text(report: CurveReport) -> str:
    """The curve tables and fits, then the localisation and the plot path when present."""
    lines: list[str] = []
    for i, curve in enumerate(report.all):
        lines += ([""] if i else []) + _curve_lines(report.run_id, curve, len(report.all) > 1)
    lines += human_comparison_lines(report.human)
    if report.localisation is not None:
        lines += _localisation_lines(report.localisation)
    if report.plot is not None:
        lines.append(f"plot written to {report.plot}")
    return "\n".join(lines)


def curve_json(report: CurveReport) -> dict[str, Any]:
    """One JSON object: the run id, the curve (``curve_to_dict``) or, for several suites,
    ``key``, ``confidence`` and ``suites`` (one ``curve_to_dict`` each), then the localisation
    and the plot path."""
    curves = report.all
    data: dict[str, Any] = {"run_id": report.run_id}
    if len(curves) == 1:
        data.update(curve_to_dict(curves[0]))
    else:
        data.update(
            key=curves[0].key,
            confidence=curves[0].confidence,
            interval_method=TASK_MEAN_METHOD,
            suites=[curve_to_dict(c) for c in curves],
        )
    if report.localisation is not None:
        data["localisation"] = report.localisation.as_dict()
    if report.plot is not None:
        data["plot"] = str(report.plot)
    if report.human:
        data["human"] = list(report.human)
    return data


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def _span(interval: Interval | None) -> str:
    return "-" if interval is None else f"[{_pct(interval.low)}, {_pct(interval.high)}]"


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items()) or "-"


def _curve_lines(run_id: str, curve: Curve, named: bool = False) -> list[str]:
    """The per-level table (pass@1, then pass@k for each other k, with intervals, and the
    failure kinds where any verdict names one), then the fit."""
    out: list[str] = []
    pct = round(curve.confidence * 100)
    ks = sorted({k for p in curve.levels for k in p.pass_at_k if k != 1})
    kinds = any(p.failure_kinds for p in curve.levels)
    suite = f"suite {curve.suite}: " if named else ""
    out.append(f"run {run_id}: {suite}pass@1 by {curve.key}")
    header = f"{curve.key:>10} {'tasks':>5} {'samples':>7} {'pass@1':>7} {f'{pct}% interval':>17}"
    for k in ks:
        header += f" {f'pass@{k}':>7} {f'{pct}% interval':>17}"
    header += f" {'product':>7} {'weakest':>7} {'gap':>7} {'fitted':>7}"
    header += "  failure kinds" if kinds else ""
    out.append(header)
    for point in curve.levels:
        gap = curve.composition.level(point.level) if curve.composition else None
        line = (
            f"{point.level:>10} {point.n_tasks:>5} {point.n_samples:>7} "
            f"{_pct(point.pass_at_1):>7} {_span(point.interval):>17}"
        )
        for k in ks:
            interval = point.pass_at_k_intervals.get(k)
            line += f" {_pct(point.pass_at_k.get(k)):>7} {_span(interval):>17}"
        line += (
            f" {_pct(gap.product if gap else None):>7} {_pct(gap.weakest if gap else None):>7}"
            f" {_pct(gap.gap_product if gap else None):>7}"
            f" {_pct(_fitted(curve, point.level)):>7}"
        )
        out.append(line + (f"  {_kinds(point.failure_kinds)}" if kinds else ""))
    out.append(f"intervals: {METHOD_LEGEND[TASK_MEAN_METHOD]}")
    if ks:
        out.append(
            "pass@k: unbiased estimator per task, averaged; '-' where a task has fewer than k "
            "samples"
        )
    if kinds:
        out.append("failure kinds: checked samples whose verdict names the kind, per level")
    if curve.composition is not None and curve.composition.levels:
        out.append(
            "product, weakest: success composed from the single-block rates; gap = product - pass@1"
        )
    fit = curve.fit
    if fit.ratio is None or fit.ratio_interval is None:
        out.append(f"decay fit: {fit.quality}: {'; '.join(fit.notes)}")
    else:
        lo, hi = fit.ratio_interval.low, fit.ratio_interval.high
        step = "component" if curve.key == "components" else f"step of {curve.key}"
        line = f"decay fit: r = {fit.ratio:.3f} per {step} ({pct}% interval {lo:.3f}-{hi:.3f})"
        if fit.halving is not None:
            steps = "components" if curve.key == "components" else f"steps of {curve.key}"
            line += f"; success halves every {fit.halving:.2f} {steps}"
        out.append(line)
        out.append(
            f"fit quality: {fit.quality} (deviance {fit.deviance:.1f} on {fit.df} df, "
            f"bootstrap p = {fit.p_value:.3g}; task variation rho = {fit.dispersion:.2f})"
        )
        for note in fit.notes:
            out.append(f"  note: {note}")
    if curve.composition is not None:
        for note in curve.composition.notes:
            out.append(f"  composition: {note}")
    return out


def _fitted(curve: Curve, level: int | str) -> float | None:
    return None if isinstance(level, str) else curve.fit.predict(level)


def _num(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _levels(counts: dict[int | None, int]) -> str:
    return ", ".join(f"{'-' if k is None else k}: {n}" for k, n in counts.items())


def _localisation_lines(summary: LocalisationSummary) -> list[str]:
    """Diagnoses by certainty and kind, outcomes, per-block counts, and what was examined."""
    out: list[str] = []
    out.append(f"failure localisation: {summary.total} failing sample(s) examined")
    if summary.failing_by_level:
        out.append(f"  examined per level: {_levels(summary.examined_by_level)}")
        out.append(f"  failing per level:  {_levels(summary.failing_by_level)}")
    certainty = summary.certainty
    out.append(
        f"  diagnoses: {certainty['unique']} unique, {certainty['tied']} tied (several faults "
        f"fit exactly; shared equally), {certainty['partial']} partial (>= 80% of outputs), "
        f"{certainty['none']} without a step"
    )
    if summary.by_kind:
        out.append(f"  {'kind':<20} {'unique':>7} {'tied':>7} {'partial':>7}")
        for kind, cols in summary.by_kind.items():
            out.append(
                f"  {kind:<20} {_num(cols['unique']):>7} {_num(cols['tied']):>7} "
                f"{_num(cols['partial']):>7}"
            )
    if "alternative-reading" in summary.by_kind:
        out.append(
            "  alternative-reading: a defensible reading of the docstring line that the tests "
            "reject; the wording's fault rather than the model's"
        )
    if summary.outcomes:
        out.append("  " + ", ".join(f"{k} {n}" for k, n in summary.outcomes.items()))
    for block, kinds in summary.by_block.items():
        detail = ", ".join(f"{k} {_num(n)}" for k, n in kinds.items())
        out.append(f"  {block:<24} {detail}")
    if summary.not_localised:
        skipped = ", ".join(f"{k} {n}" for k, n in summary.not_localised.items())
        out.append(f"  not examined: {skipped}")
    return out
