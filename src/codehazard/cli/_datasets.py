"""``codehazard datasets``: where the standard task files other packages ship are installed."""

from __future__ import annotations

import argparse
from typing import Any

from codehazard.cli._common import print_json


def register(sub: Any) -> None:
    """Add ``datasets list`` and ``datasets path NAME``."""
    p = sub.add_parser("datasets", help="find standard task files (HumanEval) on this machine")
    actions = p.add_subparsers(dest="datasets_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the known datasets and whether each is installed")
    listing.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    listing.set_defaults(func=run_list)
    path = actions.add_parser(
        "path",
        help="print the path of a dataset's task file, for --tasks "
        '(e.g. --tasks "$(codehazard datasets path humaneval)")',
    )
    path.add_argument("name", help="the dataset, e.g. humaneval")
    path.set_defaults(func=run_path)


def run_path(args: argparse.Namespace) -> int:
    """Print the path; a missing package is one line saying how to install it (exit 2)."""
    from codehazard.tasks import dataset_path

    print(dataset_path(args.name))
    return 0


def run_list(args: argparse.Namespace) -> int:
    """List every known dataset with its path, or why it is not available here."""
    from codehazard.errors import InputError
    from codehazard.tasks import DATASETS, dataset_path

    rows: list[dict[str, Any]] = []
    for name, dataset in DATASETS.items():
        try:
            found: str | None = str(dataset_path(name))
            why = ""
        except InputError as exc:
            found, why = None, str(exc)
        rows.append(
            {"name": name, "description": dataset.description, "path": found, "missing": why}
        )
    if args.json:
        print_json({"datasets": rows})
        return 0
    for row in rows:
        print(f"{row['name']}: {row['description']}")
        print(f"  {row['path'] or row['missing']}")
    return 0
