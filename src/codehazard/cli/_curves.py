"""``codehazard curves RUN_ID``: pass rate against specification complexity for a stored run.

Prints a table per level (tasks, samples, pass@1 with its interval, pass@k with its interval
for each ``-k``, the composed expectations and the composition gap, the fitted value), the
fitted per-component ratio with its interval and the fit's quality; ``--json`` prints the same
as one JSON object; ``--plot`` writes a PNG, SVG or PDF; ``--localise`` reruns a sample of the
failing samples, stratified by level, in the sandbox to say which step went wrong. Logic lives
in ``codehazard.scoring``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from codehazard.errors import InputError
from codehazard.scoring import (
    Curve,
    Interval,
    LocalisationSummary,
    capability_curve,
    curve_to_dict,
    localise_run,
    plot_curve,
    summarise_localisations,
)
from codehazard.store import Store, default_store_path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``curves``."""
    parser = subparsers.add_parser(
        "curves",
        help="pass rate against complexity, decay fit and composition gap for a run",
        description="Capability curve of a stored run: pass@1 per complexity level with its "
        "interval, the composed expectation from single-block rates and the gap, and the "
        "fitted per-component success ratio.",
    )
    parser.add_argument("run_id", metavar="RUN_ID")
    parser.add_argument("--store", type=Path, default=None, help="results store (SQLite file)")
    parser.add_argument(
        "--by", default="components", help="integer task metadata key (default components)"
    )
    parser.add_argument(
        "-k", type=int, action="append", dest="ks", help="also report pass@k (repeatable)"
    )
    parser.add_argument("--confidence", type=float, default=0.95, help="interval level")
    parser.add_argument("--boot", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.add_argument("--plot", type=Path, help="write a plot (.png, .svg or .pdf)")
    parser.add_argument(
        "--localise",
        action="store_true",
        help="rerun failing chain samples in the sandbox and say which step went wrong",
    )
    parser.add_argument(
        "--localise-limit",
        type=int,
        default=200,
        metavar="N",
        help="examine at most N failing samples, spread evenly over the levels (default 200)",
    )
    parser.set_defaults(func=cmd_curves)


def open_store(path: Path | None) -> Store:
    """Open an existing store (never create one just to read from it).

    Raises:
        InputError: no store file at the path.
    """
    path = path or default_store_path()
    if not path.exists():
        raise InputError(f"{path}: no results store here; pass --store PATH")
    return Store(path)


def cmd_curves(args: argparse.Namespace) -> int:
    """Compute and print (or write) the curve of one run.

    Raises:
        InputError: no store, a bad option, or a run without integer ``--by`` levels.
        StoreError: no such run.
        SandboxError: ``--localise`` without a working sandbox.
    """
    if not 0 < args.confidence < 1:
        raise InputError(f"--confidence must be between 0 and 1, got {args.confidence}")
    if args.boot < 1 or args.localise_limit < 1 or any(k < 1 for k in args.ks or ()):
        raise InputError("--boot, --localise-limit and -k must be at least 1")
    with open_store(args.store) as store:
        from codehazard.runs import resolve_run_id  # a unique prefix names the run too

        args.run_id = resolve_run_id(store, args.run_id)
        records = store.records(args.run_id)
        curve = capability_curve(
            records,
            args.by,
            ks=sorted({1, *(args.ks or ())}),
            confidence=args.confidence,
            n_boot=args.boot,
            seed=args.seed,
        )
        summary = None
        if args.localise:
            result = localise_run(
                store, args.run_id, limit=args.localise_limit, key=args.by, seed=args.seed
            )
            summary = summarise_localisations(
                (f.localisation for f in result.found),
                result.not_localised,
                examined_by_level=Counter(f.level for f in result.found),
                failing_by_level=result.failing_by_level,
            )
    if args.plot is not None:
        plot_curve(curve, args.plot)
    if args.json:
        data: dict[str, Any] = {"run_id": args.run_id, **curve_to_dict(curve)}
        if summary is not None:
            data["localisation"] = summary.as_dict()
        if args.plot is not None:
            data["plot"] = str(args.plot)
        print(json.dumps(data, sort_keys=False))
        return 0
    print_curve(args.run_id, curve)
    if summary is not None:
        print_localisation(summary)
    if args.plot is not None:
        print(f"plot written to {args.plot}")
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


def _span(interval: Interval | None) -> str:
    return "-" if interval is None else f"[{_pct(interval.low)}, {_pct(interval.high)}]"


def print_curve(run_id: str, curve: Curve) -> None:
    """The per-level table (pass@1, then pass@k for each other k, with intervals), then the fit."""
    pct = round(curve.confidence * 100)
    ks = sorted({k for p in curve.levels for k in p.pass_at_k if k != 1})
    print(f"run {run_id}: pass@1 by {curve.key}")
    header = f"{curve.key:>10} {'tasks':>5} {'samples':>7} {'pass@1':>7} {f'{pct}% interval':>17}"
    for k in ks:
        header += f" {f'pass@{k}':>7} {f'{pct}% interval':>17}"
    header += f" {'product':>7} {'weakest':>7} {'gap':>7} {'fitted':>7}"
    print(header)
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
            f" {_pct(curve.fit.predict(point.level)):>7}"
        )
        print(line)
    if ks:
        print(
            "pass@k: unbiased estimator per task, averaged; interval: bootstrap over tasks "
            "(Wilson over tasks where every task agrees); '-' where a task has fewer than k "
            "samples"
        )
    if curve.composition is not None and curve.composition.levels:
        print(
            "product, weakest: success composed from the single-block rates; gap = product - pass@1"
        )
    fit = curve.fit
    if fit.ratio is None or fit.ratio_interval is None:
        print(f"decay fit: {fit.quality}: {'; '.join(fit.notes)}")
    else:
        lo, hi = fit.ratio_interval.low, fit.ratio_interval.high
        line = f"decay fit: r = {fit.ratio:.3f} per component ({pct}% interval {lo:.3f}-{hi:.3f})"
        if fit.halving is not None:
            line += f"; success halves every {fit.halving:.2f} components"
        print(line)
        print(
            f"fit quality: {fit.quality} (deviance {fit.deviance:.1f} on {fit.df} df, "
            f"bootstrap p = {fit.p_value:.3g}; task variation rho = {fit.dispersion:.2f})"
        )
        for note in fit.notes:
            print(f"  note: {note}")
    if curve.composition is not None:
        for note in curve.composition.notes:
            print(f"  composition: {note}")


def _num(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _levels(counts: dict[int | None, int]) -> str:
    return ", ".join(f"{'-' if k is None else k}: {n}" for k, n in counts.items())


def print_localisation(summary: LocalisationSummary) -> None:
    """Diagnoses by certainty and kind, outcomes, per-block counts, and what was examined."""
    print(f"failure localisation: {summary.total} failing sample(s) examined")
    if summary.failing_by_level:
        print(f"  examined per level: {_levels(summary.examined_by_level)}")
        print(f"  failing per level:  {_levels(summary.failing_by_level)}")
    certainty = summary.certainty
    print(
        f"  diagnoses: {certainty['unique']} unique, {certainty['tied']} tied (several faults "
        f"fit exactly; shared equally), {certainty['partial']} partial (>= 80% of outputs), "
        f"{certainty['none']} without a step"
    )
    if summary.by_kind:
        print(f"  {'kind':<20} {'unique':>7} {'tied':>7} {'partial':>7}")
        for kind, cols in summary.by_kind.items():
            print(
                f"  {kind:<20} {_num(cols['unique']):>7} {_num(cols['tied']):>7} "
                f"{_num(cols['partial']):>7}"
            )
    if "alternative-reading" in summary.by_kind:
        print(
            "  alternative-reading: a defensible reading of the docstring line that the tests "
            "reject; the wording's fault rather than the model's"
        )
    if summary.outcomes:
        print("  " + ", ".join(f"{k} {n}" for k, n in summary.outcomes.items()))
    for block, kinds in summary.by_block.items():
        detail = ", ".join(f"{k} {_num(n)}" for k, n in kinds.items())
        print(f"  {block:<24} {detail}")
    if summary.not_localised:
        skipped = ", ".join(f"{k} {n}" for k, n in summary.not_localised.items())
        print(f"  not examined: {skipped}")
