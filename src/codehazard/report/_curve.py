"""Presentation of a capability curve: one JSON object, and a plot (PNG, SVG or PDF).

matplotlib is the optional ``plot`` extra: it is imported only when a plot is asked for, and a
missing one names the exact install line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from codehazard._registry import require_extra
from codehazard.errors import InputError
from codehazard.scoring import TASK_MEAN_METHOD, Curve


def _clean(value: Any) -> Any:
    """Plain JSON data: non-finite floats become ``None``, int keys become strings."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def curve_to_dict(curve: Curve) -> dict[str, Any]:
    """The curve as one JSON object: its suite (``null``: every record) and the interval
    method; per level n, pass@1 and interval, pass@k, the ratio to the previous level, the
    fitted value, the composed expectations and gap, the failure-kind counts; the fit (ratio
    and interval, halving, quality); the single-block rates. Non-finite numbers become
    ``null``.
    """
    comp = curve.composition
    levels = []
    for i, point in enumerate(curve.levels):
        previous = curve.levels[i - 1].pass_at_1 if i and not curve.categorical else 0.0
        gap = comp.level(point.level) if comp else None
        levels.append(
            {
                "level": point.level,
                "n_tasks": point.n_tasks,
                "n_samples": point.n_samples,
                "pass_at_1": point.pass_at_1,
                "interval": point.interval.as_dict(),
                "pass_at_k": point.pass_at_k,
                "pass_at_k_interval": {
                    k: None if v is None else v.as_dict()
                    for k, v in point.pass_at_k_intervals.items()
                },
                "ratio_to_previous": point.pass_at_1 / previous if previous > 0 else None,
                "fitted": None if curve.categorical else curve.fit.predict(point.level),
                "composed": None if gap is None else gap.as_dict(),
                "failure_kinds": dict(point.failure_kinds),
            }
        )
    return _clean(
        {
            "suite": curve.suite,
            "key": curve.key,
            "confidence": curve.confidence,
            "interval_method": TASK_MEAN_METHOD,
            "levels": levels,
            "fit": curve.fit.as_dict(),
            "blocks": {b.block: b.as_dict() for b in (comp.blocks.values() if comp else [])},
            "composition_notes": list(comp.notes) if comp else [],
        }
    )


PLOT_FORMATS = (".png", ".svg", ".pdf")


def plot_curve(
    curve: Curve | Sequence[Curve],
    path: str | Path,
    *,
    title: str | None = None,
    simulated: bool = False,
) -> Path:
    """Plot observed pass@1 (with intervals), the composed expectations and the fitted decay;
    several curves (one per suite) share the axes, each with its observed points and fit.

    The plot is titled (``title``, by default what is plotted against what); ``simulated``
    marks it as coming from the simulator, so a copied picture cannot pass for a model's.
    Uses matplotlib's Agg backend (no display needed); the format follows the file suffix.

    Raises:
        InputError: the suffix is not one of ``.png``, ``.svg``, ``.pdf``.
        MissingExtraError: matplotlib is not installed (the message has the install line).
    """
    path = Path(path)
    if path.suffix.lower() not in PLOT_FORMATS:
        raise InputError(f"{path}: plot format must be one of {', '.join(PLOT_FORMATS)}")
    matplotlib = require_extra("plot", "matplotlib", feature="plotting a curve")
    matplotlib.use("Agg")
    Figure = require_extra("plot", "matplotlib.figure", feature="plotting a curve").Figure
    curves = [curve] if isinstance(curve, Curve) else list(curve)
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    for one in curves:
        _plot_one(ax, one, several=len(curves) > 1)
    ax.set_xlabel(curves[0].key)
    ax.set_ylabel("pass rate")
    ax.set_ylim(-0.02, 1.02)
    suites = ", ".join(c.suite for c in curves if c.suite) or "all tasks"
    heading = title or f"pass@1 by {curves[0].key}: {suites}"
    ax.set_title(
        heading + ("\n[simulated model: its rates measure no model]" if simulated else ""),
        fontsize="medium",
    )
    ax.legend(fontsize="small")
    fig.tight_layout()
    metadata = {"Date": None} if path.suffix.lower() in (".svg", ".pdf") else None
    fig.savefig(path, metadata=metadata)
    return path


def _plot_one(ax: Any, curve: Curve, *, several: bool) -> None:
    """One curve's observed points with intervals, its composed expectations and its fit."""
    xs = [p.level for p in curve.levels]
    ys = [p.pass_at_1 for p in curve.levels]
    err = [
        [y - p.interval.low for y, p in zip(ys, curve.levels, strict=True)],
        [p.interval.high - y for y, p in zip(ys, curve.levels, strict=True)],
    ]
    name = f"{curve.suite}: " if several and curve.suite else ""
    label = f"{name}observed pass@1 ({curve.confidence:.0%} {TASK_MEAN_METHOD} interval)"
    ax.errorbar(xs, ys, yerr=err, fmt="o-", capsize=3, label=label)
    if curve.composition and curve.composition.levels:
        gaps = curve.composition.levels
        ax.plot(
            [g.level for g in gaps],
            [g.product for g in gaps],
            "s--",
            label=f"{name}composed: product of block rates",
        )
        ax.plot(
            [g.level for g in gaps],
            [g.weakest for g in gaps],
            ":",
            label=f"{name}composed: weakest block",
        )
    fit = curve.fit
    if fit.ratio is not None and not curve.categorical:
        grid = np.linspace(min(xs), max(xs), 100)  # type: ignore[type-var]
        ax.plot(
            grid,
            [fit.predict(v) for v in grid],
            "-",
            linewidth=0.8,
            color="grey",
            label=f"{name}fit: r = {fit.ratio:.2f} ({fit.quality})",
        )
