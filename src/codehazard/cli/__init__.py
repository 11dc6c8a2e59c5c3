"""The ``codehazard`` command line: a thin shell over the library.

Each subcommand lives in its own module under ``codehazard.cli`` and exposes
``register(subparsers)``; ``COMMAND_MODULES`` lists them. A command function takes the parsed
arguments and returns the exit status. ``CodehazardError`` is printed as one line on stderr
(exit 2 for bad input, 3 for infrastructure failures); Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from codehazard.errors import CodehazardError, InputError

COMMAND_MODULES: tuple[str, ...] = (
    "codehazard.cli._evaluate",
    "codehazard.cli._runs",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    from codehazard import __version__

    parser = argparse.ArgumentParser(
        prog="codehazard",
        description="Evaluate code-synthesis models against their specification, and assess "
        "their hazards.",
    )
    parser.add_argument("--version", action="version", version=f"codehazard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("codehazard: interrupted", file=sys.stderr)
        return 130
    except InputError as exc:
        print(f"codehazard: error: {exc}", file=sys.stderr)
        return 2
    except CodehazardError as exc:
        print(f"codehazard: error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
