"""Helpers shared by subcommands: the store option, k lists, printing, option validators."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

from codehazard.errors import InputError
from codehazard.store import Store, default_store_path


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store PATH``: the SQLite store (default: the user's data directory)."""
    parser.add_argument(
        "--store",
        type=store_file,
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


# option validators: every bad value is one line naming the option and the fix ---------------

MAX_WORKERS_PER_CPU = 4
"""``--workers`` above this many per CPU core only adds start-up time and memory pressure."""


def _number(text: str, kind: type[int] | type[float]) -> int | float:
    try:
        value = kind(text)
    except (TypeError, ValueError):
        name = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {name}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1 (``--workers``, ``--boot``, limits)."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def key_value(text: str) -> tuple[str, str]:
    """argparse type: ``KEY=VALUE`` (``--model-option device=cuda``), the key a name."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key.replace("_", "a").isalnum() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, e.g. device=cuda, got {text!r}")
    return key, value.strip()


def non_negative_int(text: str) -> int:
    """argparse type: an integer of at least 0 (seeds, retries)."""
    value = int(_number(text, int))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number above 0 (``--timeout``); ``nan`` and ``inf`` refused."""
    value = float(_number(text, float))
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def probability(text: str) -> float:
    """argparse type: a number strictly between 0 and 1 (``--confidence``)."""
    value = float(_number(text, float))
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (e.g. 0.95), got {text}")
    return value


def share(text: str) -> float:
    """argparse type: a share from 0 to 1, both included (``--max-infra-rate``)."""
    try:
        value = float(_number(text, float))
    except argparse.ArgumentTypeError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


def input_file(text: str) -> Path:
    """argparse type: an existing, readable file (not a directory)."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a directory; give a file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"{text}: not readable (check its permissions)")
    return path


def output_file(text: str) -> Path:
    """argparse type: a file to write. Missing parent directories are created when written
    (``prepare_output``), for every output option alike; a directory is refused."""
    path = Path(text)
    if not text or path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: is a directory; give a file name")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text}: cannot write there: {parent} is a file, not a directory"
        )
    return path


def prepare_output(path: Path, option: str) -> Path:
    """Create ``path``'s missing parent directories (the one policy for every output option).

    Raises:
        InputError: the directory cannot be created; names the option.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot create {path.parent} ({exc.strerror})") from None
    return path


def cap_workers(requested: int, executor: str = "local") -> int:
    """``--workers`` capped at ``MAX_WORKERS_PER_CPU`` per CPU core, with a note when capped.

    The pool also never starts more workers than there are samples to judge. Only the local
    executor's workers run on this machine: another executor's (``--executor ray``: the
    total over a cluster) are left as asked.
    """
    if executor != "local":
        return requested
    cpus = os.cpu_count() or 1
    limit = MAX_WORKERS_PER_CPU * cpus
    if requested > limit:
        print(
            f"codehazard: note: --workers {requested} is more than this machine can use; "
            f"using {limit} ({MAX_WORKERS_PER_CPU} per CPU core), and never more than the "
            "samples to judge",
            file=sys.stderr,
        )
        return limit
    return requested


def output_or_stdout(text: str) -> str:
    """argparse type: ``-`` for stdout, else a file to write as ``output_file`` checks it."""
    return text if text == "-" else str(output_file(text))


def store_file(text: str) -> Path:
    """argparse type for ``--store``: a path that is not a directory (it may not exist yet)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a directory; give the store's file name")
    return path


def non_negative_float(text: str) -> float:
    """argparse type: a finite number of at least 0 (``--temperature``)."""
    value = float(_number(text, float))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def unit_interval(text: str) -> float:
    """argparse type: a number above 0 and at most 1 (``--top-p``)."""
    value = float(_number(text, float))
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {text}")
    return value


# library messages name library arguments; the command line shows its own flags ------------

LIBRARY_FLAGS: dict[str, str] = {
    # generation (RunConfig, GenerationParams, BackendOptions)
    "model": "--model",
    "base_url": "--base-url",
    "api_key": "--api-key",
    "max_connections": "--max-connections",
    "model_options": "--model-option",
    "n": "-n",
    "mode": "--mode",
    "prompt_form": "--prompt-form",
    "system_prompt": "--system-prompt",
    "temperature": "--temperature",
    "top_p": "--top-p",
    "max_tokens": "--max-tokens",
    "stop": "--stop",
    "seed": "--seed",
    # tasks, runs and the store
    "tasks": "--tasks",
    "suite": "--suite",
    "store": "--store",
    "resume": "--resume",
    "allow_changed_tasks": "--allow-changed-tasks",
    "scorers": "--scorer",
    "executor": "--executor",
    "isolation": "--isolation",
    # human studies (codehazard.human)
    "study": "--study",
    "participants": "--participants",
    "suites": "--suite",
    "levels": "--levels",
    "per_level": "--per-level",
    "time_budget_s": "--budget",
    # limits (Limits)
    "timeout": "--timeout",
    "memory_mb": "--memory-mb",
    "max_processes": "--max-processes",
    "max_output_kb": "--max-output-kb",
    # suite parameters named in suites' advice
    "lengths": "--lengths",
    "per_length": "--per-length",
    "operations": "--operations",
}
"""The one translation from library argument names to this command line's flags.

Library messages write an argument as `` `name` `` or `` `name=value` ``; ``cli_text`` turns
them into ``--flag`` and ``--flag value`` (``name=True`` is the bare flag). A name not listed
here is left as the library wrote it."""

_ARGUMENT = re.compile(r"`([a-z][a-z0-9_]*)(?:=([^`]*))?`")


def cli_text(message: str) -> str:
    """A library message in the command line's terms: its arguments become flags."""

    def swap(match: re.Match[str]) -> str:
        flag = LIBRARY_FLAGS.get(match[1])
        if flag is None:
            return match[0]
        value = match[2]
        return flag if value is None or value == "True" else f"{flag} {value}"

    return _ARGUMENT.sub(swap, message)
