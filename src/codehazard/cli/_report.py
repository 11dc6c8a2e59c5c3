"""``codehazard report``: one report of stored runs (and an assessment) as HTML, Markdown or JSON.

``codehazard report RUN_ID [RUN_ID ...] [--assessment a.json] -o report.html`` writes the
self-contained HTML page; ``--format md`` and ``--format json`` the same numbers as Markdown
and as the versioned JSON document; ``--compare A B`` sets run B against run A;
``codehazard report schema`` prints the JSON Schema. The library builds and renders
(``codehazard.report``); this module parses, opens the store and writes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codehazard.cli._common import (
    input_file,
    output_or_stdout,
    positive_int,
    probability,
    store_file,
)
from codehazard.cli._hazards import print_problems, write_output
from codehazard.errors import InputError

if TYPE_CHECKING:
    from codehazard.store import Store

_FORMAT_SUFFIX = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower() if args.output not in (None, "-") else ""
    return _FORMAT_SUFFIX.get(suffix, "html")


def _localise(store: Store, run_ids: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Each run's failure localisation: up to ``--localise N`` failing chain samples rerun in
    the sandbox (stratified by level), summarised; runs without chain tasks give nothing.

    Raises:
        SandboxError: the sandbox is unavailable.
        UnknownRunError: a run id matches no run.
    """
    from codehazard.analysis import localise_run, summarise_run
    from codehazard.runs import load_run

    out: dict[str, Any] = {}
    for given in dict.fromkeys(run_ids):
        run_id = load_run(store, given).id
        result = localise_run(store, run_id, limit=args.localise, key="level", seed=args.seed)
        if result.found or set(result.not_localised) - {"not-a-chain"}:
            out[run_id] = summarise_run(result)
    return out


def cmd_report(args: argparse.Namespace) -> int:
    """Build the report of the runs given and write it in the format asked for.

    Raises:
        InputError: no store, no run ids, a bad option, or an unknown run.
        StoreError: the store cannot be read.
    """
    from codehazard.hazards import HazardInputError, load_assessment
    from codehazard.report import (
        ReportOptions,
        build_report,
        report_renderers,
        report_schema,
    )
    from codehazard.store import Store, default_store_path

    if args.run_ids == ["schema"] and not args.compare:
        print(json.dumps(report_schema(), indent=2))
        return 0
    run_ids = list(args.compare or []) + list(args.run_ids)
    if not run_ids:
        raise InputError("report needs RUN_ID(s) or --compare A B (`codehazard runs list`)")
    if args.compare and args.run_ids:
        raise InputError("give either RUN_ID(s) or --compare A B, not both")
    assessment = None
    if args.assessment:
        try:
            assessment = load_assessment(args.assessment)
        except HazardInputError as exc:
            return print_problems(exc)
    store_path = Path(args.store) if args.store else default_store_path()
    if not store_path.exists():
        raise InputError(f"no store at {store_path}; pass --store PATH")
    options = ReportOptions(
        confidence=args.confidence,
        cap_per_cell=args.samples_per_cell,
        seed=args.seed,
        compare=bool(args.compare),
        title=args.title or "",
        extra_metrics=tuple(args.metric),
    )
    with Store(store_path) as store:
        localisations = _localise(store, run_ids, args) if args.localise else None
        report = build_report(
            store, run_ids, assessment=assessment, options=options, localisations=localisations
        )
    fmt = _format(args)
    render = report_renderers.get(fmt)
    if fmt == "md" and args.html_link:
        from codehazard.report import report_markdown

        text = report_markdown(report, html_link=args.html_link)
    else:
        text = render(report)
    write_output(text, args.output)
    if args.output not in (None, "-"):
        s = report.summary
        verdict = f"; verdict: {s.verdict.label}" if s.verdict else ""
        print(
            f"wrote {fmt} report of {len(s.runs)} run(s), {s.n_samples} samples "
            f"({report.samples.embedded} embedded){verdict} to {args.output}",
            file=sys.stderr,
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``report``."""
    from codehazard.report import DEFAULT_CAP

    parser = subparsers.add_parser(
        "report",
        help="a report of runs (and an assessment): one HTML file, Markdown or JSON",
        description="Write one report of stored runs: summary and verdict, capability curves, "
        "the hazard analysis with its evidence linked to the samples, the samples, and with "
        "--compare a run set against another. `codehazard report schema` prints the JSON "
        "Schema of --format json.",
    )
    parser.add_argument("run_ids", nargs="*", metavar="RUN_ID", help="runs (ids or prefixes)")
    parser.add_argument(
        "--compare", nargs=2, metavar=("A", "B"), help="compare run B against run A"
    )
    parser.add_argument(
        "--assessment", type=input_file, help="assessment JSON (`codehazard assess -o`)"
    )
    parser.add_argument(
        "-o", "--output", type=output_or_stdout, help="file to write (default: stdout)"
    )
    parser.add_argument(
        "--format",
        choices=("html", "md", "json"),
        help="html, md or json (default: from the output's suffix, else html)",
    )
    parser.add_argument(
        "--store", type=store_file, help="results store (default: $CODEHAZARD_STORE or user dir)"
    )
    parser.add_argument(
        "--samples-per-cell",
        type=positive_int,
        default=DEFAULT_CAP,
        metavar="N",
        help=f"samples embedded per run x suite x level, failures first (default {DEFAULT_CAP})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the passes embedded")
    parser.add_argument("--confidence", type=probability, default=0.95, help="interval level")
    parser.add_argument("--title", help="the report's title (default: the hazard log's)")
    parser.add_argument(
        "--metric",
        action="append",
        default=[],
        metavar="NAME",
        help="also measure this metric on each run (repeatable; `hazards metrics` lists them)",
    )
    parser.add_argument(
        "--html-link", metavar="URL", help="with --format md: link to the HTML report"
    )
    parser.add_argument(
        "--localise",
        type=positive_int,
        nargs="?",
        const=200,
        metavar="N",
        help="add failure localisation: rerun up to N (default 200) failing samples of chain "
        "tasks per run in the sandbox, stratified by level, and say which step each got wrong",
    )
    parser.set_defaults(func=cmd_report)
