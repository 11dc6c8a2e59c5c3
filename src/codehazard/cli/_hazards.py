"""``codehazard hazards``: start, check and describe hazard logs.

``init`` writes the default catalogue, ``validate`` checks a log (every problem, one per line),
``schema`` prints JSON Schema, ``profile`` writes the default risk profile for editing, and
``metrics`` lists the metric families evidence rules can name. Logic lives in
``codehazard.hazards``; this module parses arguments and prints.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from codehazard.cli._common import input_file, output_or_stdout
from codehazard.errors import InputError

if TYPE_CHECKING:  # the hazard engine is imported when a command runs, not at start-up
    from codehazard.hazards import HazardInputError

_SCHEMAS = ("assessment", "diff", "log", "profile")


def print_problems(exc: HazardInputError) -> int:
    """Print every problem on its own line on stderr; return the bad-input exit status."""
    count = len(exc.problems)
    print(f"codehazard: error: {count} problem{'s' if count != 1 else ''}:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    return 2


def write_output(text: str, output: str | None, *, force: bool = True) -> None:
    """Write ``text`` to ``output`` (stdout when ``None`` or ``-``).

    Raises:
        InputError: the file exists and ``force`` is false, or it cannot be written.
    """
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    path = Path(output)
    if path.exists() and not force:
        raise InputError(f"{path} exists; pass --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _init(args: argparse.Namespace) -> int:
    from codehazard.hazards import default_catalogue_text

    write_output(default_catalogue_text(), args.output, force=args.force)
    if args.output not in (None, "-"):
        print(
            f"wrote the default hazard log to {args.output}; edit it, then run "
            f"`codehazard hazards validate {args.output}`"
        )
    return 0


def _validate(args: argparse.Namespace) -> int:
    from codehazard.hazards import HazardInputError, load_log, load_profile
    from codehazard.metrics import default_registry

    try:
        profile = load_profile(Path(args.profile)) if args.profile else None
        loaded = load_log(args.file, profile=profile, registry=default_registry())
    except HazardInputError as exc:
        return print_problems(exc)
    rules = sum(len(h.evidence) for h in loaded.log.hazards)
    print(
        f"{args.file}: valid: {len(loaded.log.hazards)} hazards, {rules} evidence rules, "
        f"profile {loaded.profile.name!r}"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from codehazard import hazards

    models = {
        "log": hazards.HazardLog,
        "profile": hazards.Profile,
        "assessment": hazards.Assessment,
        "diff": hazards.AssessmentDiff,
    }
    schema = models[args.what].model_json_schema()
    write_output(json.dumps(schema, indent=2) + "\n", args.output)
    return 0


def _profile(args: argparse.Namespace) -> int:
    from codehazard.hazards import builtin_profile_text

    write_output(builtin_profile_text(), args.output, force=args.force)
    return 0


def _metrics(args: argparse.Namespace) -> int:
    from codehazard.metrics import default_registry

    for family in default_registry().families:
        print(f"{family.pattern}\n    {family.description}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hazards`` and its actions to the top-level parser."""
    parser = subparsers.add_parser(
        "hazards",
        help="create, validate and describe hazard logs",
        description="Create, validate and describe hazard logs (see docs/hazard-analysis.md).",
    )
    sub = parser.add_subparsers(dest="hazards_command", metavar="ACTION", required=True)

    p = sub.add_parser("init", help="write the default hazard log, ready to edit")
    p.add_argument("-o", "--output", type=output_or_stdout, help="file to write (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_init)

    p = sub.add_parser("validate", help="check a hazard log; list every problem")
    p.add_argument("file", type=input_file, help="hazard log YAML")
    p.add_argument(
        "--profile", type=input_file, help="risk profile YAML overriding the one the log names"
    )
    p.set_defaults(func=_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the hazard log (or others)")
    p.add_argument("--what", choices=_SCHEMAS, default="log", help="which schema")
    p.add_argument("-o", "--output", type=output_or_stdout, help="file to write (default: stdout)")
    p.set_defaults(func=_schema)

    p = sub.add_parser("profile", help="write the default risk profile, ready to edit")
    p.add_argument("-o", "--output", type=output_or_stdout, help="file to write (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_profile)

    p = sub.add_parser("metrics", help="list the metric families evidence rules can name")
    p.set_defaults(func=_metrics)
