"""``codehazard curves RUN_ID``: pass rate against specification complexity for a stored run.

One curve per suite in the run whose tasks carry the ``--by`` key (integer levels such as
``components`` or ``level``, or categories such as ``dimension``). Prints a table per level
(tasks, samples, pass@1 with its interval, pass@k with its interval for each ``-k``, the
composed expectations and the composition gap, the fitted value, the failure-kind counts where
verdicts name kinds), the fitted per-component ratio with its interval and the fit's quality;
``--json`` prints the same as one JSON object; ``--plot`` writes a PNG, SVG or PDF;
``--localise`` reruns a sample of the failing samples, stratified by level, in the sandbox to
say which step went wrong. The maths lives in ``codehazard.scoring``, localisation in
``codehazard.analysis``, the text, JSON and plot in ``codehazard.report``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from codehazard.analysis import localise_run, summarise_run
from codehazard.cli._common import (
    non_negative_int,
    output_file,
    positive_int,
    prepare_output,
    probability,
    store_file,
)
from codehazard.errors import InputError
from codehazard.report import CurveReport, curve_json, curve_text, plot_curve
from codehazard.scoring import suite_curves
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
    parser.add_argument(
        "--store", type=store_file, default=None, help="results store (SQLite file)"
    )
    parser.add_argument(
        "--by",
        default="components",
        help="task metadata key: integer levels (components, level) or categories (dimension); "
        "default components",
    )
    parser.add_argument(
        "-k", type=positive_int, action="append", dest="ks", help="also report pass@k (repeatable)"
    )
    parser.add_argument("--confidence", type=probability, default=0.95, help="interval level")
    parser.add_argument("--boot", type=positive_int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="bootstrap seed")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.add_argument(
        "--plot", type=output_file, help="write a plot (.png, .svg or .pdf; missing folders made)"
    )
    parser.add_argument(
        "--localise",
        action="store_true",
        help="rerun failing chain samples in the sandbox and say which step went wrong",
    )
    parser.add_argument(
        "--localise-limit",
        type=positive_int,
        default=200,
        metavar="N",
        help="examine at most N failing samples, spread evenly over the levels (default 200)",
    )
    parser.add_argument(
        "--human",
        action="append",
        metavar="ID",
        help="compare with people: a human study's id (its participants' runs) or a "
        "human/<pseudonym> run id (repeatable)",
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
        from codehazard.runs import load_run, resolve_run_id  # a unique prefix names the run

        args.run_id = resolve_run_id(store, args.run_id)
        records = store.records(args.run_id)
        run = load_run(store, args.run_id)
        curves = suite_curves(
            records,
            args.by,
            ks=sorted({1, *(args.ks or ())}),
            confidence=args.confidence,
            n_boot=args.boot,
            seed=args.seed,
        )
        human = _human_rows(store, args.human or [], curves, args.confidence)
        summary = None
        if args.localise:
            result = localise_run(
                store, args.run_id, limit=args.localise_limit, key=args.by, seed=args.seed
            )
            summary = summarise_run(result)
    if args.plot is not None:
        model = run.manifest.model or run.manifest.config.model
        plot_curve(
            curves,
            prepare_output(args.plot, "--plot"),
            title=f"{model}: pass@1 by {args.by}, run {args.run_id}",
            simulated=run.manifest.simulated,
        )
    report = CurveReport(args.run_id, curves, summary, args.plot, human=human)
    if args.json:
        print(json.dumps(curve_json(report), sort_keys=False))
        return 0
    print(curve_text(report))
    return 0


def _human_rows(
    store: Store, given: list[str], curves: list, confidence: float
) -> list[dict[str, object]]:
    """The curve's levels beside the people of the studies or runs given.

    Raises:
        UnknownRunError: an id that is neither a study nor a run.
    """
    if not given:
        return []
    from codehazard.human import load_study, study_runs
    from codehazard.report import human_comparison
    from codehazard.runs import load_run

    people: dict[str, list] = {}
    for ident in given:
        try:
            study = load_study(store, ident)
            runs = study_runs(store, study)
        except InputError:
            runs = [load_run(store, ident).id]
        for run_id in runs:
            record = load_run(store, run_id)
            people[record.manifest.model or run_id] = store.records(run_id)
    return human_comparison(curves, people, confidence=confidence)
