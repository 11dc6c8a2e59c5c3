"""``codehazard import inspect LOG``: an Inspect log becomes a codehazard run."""

from __future__ import annotations

import argparse
import os
import sys

from codehazard.cli._common import (
    add_store_option,
    cap_workers,
    cli_text,
    input_file,
    open_store,
    positive_int,
    print_json,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``import`` subcommand (its one source so far: ``inspect``)."""
    p = sub.add_parser(
        "import",
        help="import another tool's evaluation log as a run (inspect: an Inspect log)",
        description="Import an evaluation made with another tool as a codehazard run, so "
        "curves, profile, assess and report read it as any run.",
    )
    kinds = p.add_subparsers(dest="source", metavar="SOURCE", required=True)
    q = kinds.add_parser(
        "inspect",
        help="an Inspect .eval or .json log of a codehazard task (needs codehazard[inspect])",
        description="Read an Inspect log (inspect eval codehazard/<suite> ...) with Inspect's "
        "own API and record it as a run: the model, parameters, prompts and outputs. Its "
        "verdicts are kept when codehazard's scorer wrote them, else every sample is judged "
        "in the sandbox. A log imported before is not imported again.",
    )
    q.add_argument("log", type=input_file, help="the Inspect log (.eval or .json)")
    q.add_argument(
        "--rescore",
        action="store_true",
        help="judge every sample in the sandbox even when the log holds codehazard's verdicts",
    )
    q.add_argument(
        "--workers",
        type=positive_int,
        default=os.cpu_count() or 2,
        help="sandboxed workers (default: CPU count)",
    )
    q.add_argument(
        "--isolation",
        choices=("full", "partial", "rlimits-only", "none", "auto"),
        default="full",
        help="the least sandbox isolation accepted (default full)",
    )
    add_store_option(q)
    q.add_argument("--json", action="store_true", help="print one JSON summary object on stdout")
    q.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Import the log; print the run id and its summary."""
    from codehazard.cli._evaluate import format_summary
    from codehazard.integrations import import_inspect_log

    with open_store(args) as store:
        result = import_inspect_log(
            str(args.log),
            store=store,
            rescore=args.rescore,
            workers=cap_workers(args.workers),
            isolation=args.isolation,
        )
    for notice in result.notices:
        print(f"codehazard: {cli_text(notice)}", file=sys.stderr)
    if args.json:
        print_json(
            {
                "run_id": result.run.run_id,
                "already_imported": result.already_imported,
                "verdicts_from": result.verdicts_from,
                "summary": result.run.summary.to_json(),
            }
        )
        return 0
    source = "the log's (codehazard's scorer)" if result.verdicts_from == "log" else "the sandbox"
    print(f"run {result.run.run_id}: verdicts from {source}")
    print(format_summary(result.run.summary, None))
    return 0
