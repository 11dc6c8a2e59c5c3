"""Helpers shared by subcommands: the store option, k lists, printing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from codehazard.errors import InputError
from codehazard.store import Store, default_store_path


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store PATH``: the SQLite store (default: the user's data directory)."""
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="SQLite results store (default: $CODEHAZARD_STORE or the user data directory)",
    )


def open_store(args: argparse.Namespace) -> Store:
    """Open the store named by ``--store`` or the default one."""
    return Store(args.store or default_store_path())


def parse_ks(text: str) -> tuple[int, ...]:
    """Parse ``--k 1,10,100``.

    Raises:
        InputError: not a comma-separated list of positive integers.
    """
    try:
        ks = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise InputError(
            f"--k {text!r}: expected comma-separated integers, e.g. 1,10,100"
        ) from None
    if not ks or ks[0] < 1:
        raise InputError(f"--k {text!r}: every k must be a positive integer")
    return ks


def print_json(obj: Any) -> None:
    """Exactly one JSON object on stdout."""
    sys.stdout.write(json.dumps(obj, sort_keys=False, default=str) + "\n")
