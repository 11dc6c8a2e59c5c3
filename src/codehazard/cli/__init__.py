"""The ``codehazard`` command line: a thin shell over the library.

Each subcommand lives in its own private module under ``codehazard.cli`` (``_name.py``) and
exposes ``register(subparsers)``; modules are discovered, so adding a command edits no list.
A command function takes the parsed arguments and returns the exit status. ``CodehazardError``
is printed as one line on stderr (exit 2 for bad input, 3 for infrastructure failures), with
the library's argument names turned into this command line's flags (``_common.cli_text``, the
one translation), as are bad options; Ctrl-C and SIGTERM exit 130 after saving state; a closed
output pipe exits 141.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import NoReturn

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


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: the command, the option, the fix."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand, or with only those of module
    ``only`` (``main`` parses a command with its own module alone: importing every command's
    module, reports and hazard models included, took a second of every command's start-up)."""
    from codehazard import __version__

    parser = _Parser(
        prog="codehazard",
        description="Evaluate code-synthesis models against their specification, and assess "
        "their hazards.",
    )
    parser.add_argument("--version", action="version", version=f"codehazard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in [only] if only else command_modules():
        module = importlib.import_module(name)
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def _parser_for(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser for ``argv``: with the command's own module alone (``_<command>.py``) when
    that module registers it, else with every command (top-level options, ``--help``)."""
    own = f"{__name__}._{argv[0]}" if argv and argv[0].isidentifier() else ""
    if own in command_modules():
        parser = build_parser(own)
        commands = next(
            a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
        ).choices
        if argv[0] in commands:
            return parser
    return build_parser()


def _terminated(signum: int, frame: FrameType | None) -> None:
    """SIGTERM is handled as Ctrl-C: state is saved, workers stop, the run is marked."""
    raise KeyboardInterrupt


def _resume_hint(args: argparse.Namespace, argv: Sequence[str]) -> str:
    """The command that resumes an interrupted resumable command (``resumable`` default)."""
    if not getattr(args, "resumable", False):
        return ""
    words = list(argv)
    if not any(w == "--resume" or w.startswith("--resume=") for w in words):
        words.append("--resume")
    return "; resume with: codehazard " + shlex.join(words)


def _silence_stdout() -> None:
    """After the reader of our output went away (``| head``): drop what is left to write."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit status.

    Exit statuses: 0 done, 2 bad input (one line on stderr), 3 infrastructure failure, 130
    interrupted (Ctrl-C or SIGTERM, state saved), 141 the output pipe closed (``| head``).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser_for(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help and --version exit as usual; a bad option returns 2
        if exc.code in (0, None):
            raise
        return exc.code if isinstance(exc.code, int) else 2
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except KeyboardInterrupt:
        start = "\n" if sys.stderr.isatty() else ""  # after a progress bar or ^C on the line
        sys.stderr.write(
            f"{start}codehazard: interrupted; everything finished is saved"
            f"{_resume_hint(args, argv)}\n"
        )
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 141
    except CodehazardError as exc:
        from codehazard.cli._common import cli_text

        print(f"codehazard: error: {cli_text(str(exc))}", file=sys.stderr)
        return 2 if isinstance(exc, InputError) else 3
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
