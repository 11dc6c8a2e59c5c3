"""``codehazard profile RUN_ID [RUN_ID ...]``: the capability profile of stored runs.

Every dimension by level, pass@1 with its interval and sample count per cell, one column
group per model (runs of one model pooled; ``--per-run`` keeps runs apart), where each model
stops being reliable at each ``--threshold``, and what failed. ``--json`` prints the same
numbers as one JSON object (``codehazard.analysis.CapabilityProfile``, versioned); ``--schema``
prints that object's JSON Schema. The profile is ``codehazard.analysis.profile_runs``'s, the
text ``codehazard.report.profile_text``'s.
"""

from __future__ import annotations

import argparse
import json

from codehazard.cli._common import probability, store_file, unit_interval
from codehazard.cli._curves import open_store
from codehazard.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``profile``."""
    parser = subparsers.add_parser(
        "profile",
        help="capability profile: every dimension by level, side by side per model",
        description="The capability profile of stored runs: pass@1 with its interval and "
        "sample count for every dimension (chain length, variable binding, interdependence, "
        "temporal safety and liveness, concurrency, hyperproperties, nondeterminism, "
        "abstraction, and any a suite names) at every level, one column group per model; the "
        "level up to which each model stays at or above each threshold; the failure kinds.",
    )
    parser.add_argument("run_ids", metavar="RUN_ID", nargs="*", help="run ids or unique prefixes")
    parser.add_argument(
        "--store", type=store_file, default=None, help="results store (SQLite file)"
    )
    parser.add_argument(
        "--threshold",
        type=unit_interval,
        action="append",
        dest="thresholds",
        metavar="RATE",
        help="pass rate that counts as reliable (repeatable; default 0.8 and 0.5)",
    )
    parser.add_argument("--confidence", type=probability, default=0.95, help="interval level")
    parser.add_argument(
        "--per-run",
        action="store_true",
        help="one column group per run (default: per model, its runs pooled)",
    )
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of --json's object"
    )
    parser.set_defaults(func=cmd_profile)


def cmd_profile(args: argparse.Namespace) -> int:
    """Compute and print the profile of the runs given.

    Raises:
        InputError: no run id, no store, or a repeated threshold.
        UnknownRunError: a run id names no run, or a prefix names several.
        StoreError: a run's manifest is unreadable.
    """
    from codehazard.analysis import DEFAULT_THRESHOLDS, CapabilityProfile, profile_runs
    from codehazard.report import profile_text

    if args.schema:
        print(json.dumps(CapabilityProfile.model_json_schema()))
        return 0
    if not args.run_ids:
        raise InputError("profile needs at least one RUN_ID (`codehazard runs list` shows them)")
    thresholds = args.thresholds or DEFAULT_THRESHOLDS
    if len(set(thresholds)) != len(thresholds):
        raise InputError(f"--threshold: {thresholds} gives a threshold twice")
    with open_store(args.store) as store:
        profile = profile_runs(
            store,
            args.run_ids,
            thresholds=thresholds,
            confidence=args.confidence,
            group_by="run" if args.per_run else "model",
        )
    if args.json:
        print(json.dumps(profile.model_dump(mode="json")))
    else:
        print(profile_text(profile))
    return 0
