"""``codehazard assess``: assess a hazard log against runs; ``assess diff``: compare two.

Parses arguments, opens the store, calls ``codehazard.hazards`` and writes the JSON and
Markdown outputs; the terminal gets a short summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codehazard.cli._common import input_file, output_or_stdout, probability, store_file
from codehazard.cli._hazards import print_problems, write_output
from codehazard.errors import InputError


def _assess(args: argparse.Namespace) -> int:
    from codehazard.hazards import (
        HazardInputError,
        assess_runs,
        load_log,
        load_profile,
    )
    from codehazard.metrics import default_registry
    from codehazard.report import assessment_markdown, assessment_summary
    from codehazard.store import Store, default_store_path

    if not args.log or not args.run:
        raise InputError(
            "assess needs --log FILE and at least one --run RUN_ID "
            "(`codehazard runs list` shows the runs), or `assess diff OLD NEW`"
        )
    if not 0 < args.confidence < 1:
        raise InputError(f"--confidence must be in (0, 1), got {args.confidence}")
    registry = default_registry()
    try:
        profile = load_profile(Path(args.profile)) if args.profile else None
        loaded = load_log(args.log, profile=profile, registry=registry)
    except HazardInputError as exc:
        return print_problems(exc)
    store_path = Path(args.store) if args.store else default_store_path()
    if not store_path.exists():
        raise InputError(f"no store at {store_path}; pass --store PATH")
    with Store(store_path) as store:
        assessment = assess_runs(
            loaded, store, args.run, registry=registry, confidence=args.confidence
        )
    if args.output:
        write_output(assessment.model_dump_json(indent=2) + "\n", args.output)
    if args.markdown:
        write_output(assessment_markdown(assessment), args.markdown)
    print(assessment_summary(assessment))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from codehazard.hazards import HazardInputError, diff_assessments, load_assessment
    from codehazard.report import assessment_diff_text

    try:
        old = load_assessment(args.old)
        new = load_assessment(args.new)
    except HazardInputError as exc:
        return print_problems(exc)
    diff = diff_assessments(old, new)
    if args.output:
        write_output(diff.model_dump_json(indent=2) + "\n", args.output)
    if args.markdown:
        write_output(assessment_diff_text(diff, markdown=True), args.markdown)
    sys.stdout.write(assessment_diff_text(diff))
    return 1 if args.fail_on_increase and diff.risk_increased() else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``assess`` (and ``assess diff``) to the top-level parser."""
    parser = subparsers.add_parser(
        "assess",
        help="assess a hazard log against runs, or diff two assessments",
        description="Assess a hazard log against the samples of one or more runs: evidence "
        "rules set likelihoods, the profile's matrix gives risks. `assess diff OLD NEW` "
        "compares two assessments.",
    )
    parser.add_argument(
        "--log", type=input_file, help="hazard log YAML (`codehazard hazards init` writes one)"
    )
    parser.add_argument(
        "--run", action="append", default=[], metavar="RUN_ID", help="a run to use (repeatable)"
    )
    parser.add_argument(
        "--store", type=store_file, help="results store (default: $CODEHAZARD_STORE or user dir)"
    )
    parser.add_argument(
        "--profile", type=input_file, help="risk profile YAML overriding the one the log names"
    )
    parser.add_argument(
        "-o", "--output", type=output_or_stdout, help="write the assessment JSON here"
    )
    parser.add_argument("--markdown", type=output_or_stdout, help="write the Markdown report here")
    parser.add_argument(
        "--confidence", type=probability, default=0.95, help="confidence level of intervals"
    )
    parser.set_defaults(func=_assess)
    sub = parser.add_subparsers(dest="assess_command", metavar="diff")
    p = sub.add_parser("diff", help="compare two assessments (old, new)")
    p.add_argument("old", type=input_file, help="the earlier assessment JSON")
    p.add_argument("new", type=input_file, help="the later assessment JSON")
    p.add_argument("-o", "--output", type=output_or_stdout, help="write the diff JSON here")
    p.add_argument("--markdown", type=output_or_stdout, help="write the diff as Markdown here")
    p.add_argument(
        "--fail-on-increase",
        action="store_true",
        help="exit 1 when a risk went up or a hazard was added (for CI)",
    )
    p.set_defaults(func=_diff)
