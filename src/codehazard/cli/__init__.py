"""The ``codehazard`` command line: a thin shell over the library.

Each subcommand lives in its own private module under ``codehazard.cli`` (``_name.py``) and
exposes ``register(subparsers)``; modules are discovered, so adding a command edits no list.
A command function takes the parsed arguments and returns the exit status. ``CodehazardError``
is printed as one line on stderr (exit 2 for bad input, 3 for infrastructure failures); Ctrl-C
exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Our numerical work (bootstrap resampling, small fits) gains nothing from BLAS threads, and
# OpenBLAS's idle threads spin on the cores the sandbox workers need. Set before numpy loads;
# a user's own setting wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from codehazard.errors import CodehazardError, InputError  # noqa: E402


def command_modules() -> list[str]:
    """The subcommand modules of this package, in name order."""
    import pkgutil

    package = sys.modules[__name__]
    return sorted(
        f"{__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("_") and not info.name.startswith("__")
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
    for name in command_modules():
        module = importlib.import_module(name)
        if hasattr(module, "register"):
            module.register(sub)
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
