"""``codehazard suites``: list the generated suites and build one into a task file.

``build`` writes HumanEval-compatible JSONL (``task_id``, ``prompt``, ``canonical_solution``,
``test``, ``entry_point``, plus ``instruction`` and ``metadata``), so any harness can run the
tasks. Each suite parameter is a flag (``per_length`` is ``--per-length``); logic lives in
``codehazard.tasks.suites``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from codehazard.cli._common import cli_text, output_file, prepare_output
from codehazard.errors import InputError
from codehazard.tasks import checker_registry, write_tasks
from codehazard.tasks.suites import SuiteParam, get_suite, list_suites


def format_value(value: int | tuple[int, ...]) -> str:
    """A parameter value as typed on the command line: ``(1, 2, 3, 5)`` is ``1-3,5``."""
    if isinstance(value, int):
        return str(value)
    parts: list[str] = []
    run: list[int] = []
    for number in sorted(value):
        if run and number == run[-1] + 1:
            run.append(number)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [number]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(parts)


def _all_params() -> dict[str, SuiteParam]:
    params: dict[str, SuiteParam] = {}
    for suite in list_suites():
        for param in suite.params:
            params.setdefault(param.name, param)
    return params


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``suites list`` and ``suites build``."""
    parser = subparsers.add_parser("suites", help="list generated suites or build one")
    actions = parser.add_subparsers(dest="suites_action", metavar="ACTION", required=True)
    lister = actions.add_parser("list", help="the suites and their parameters")
    lister.add_argument("--json", action="store_true", help="print one JSON object")
    lister.set_defaults(func=cmd_list)
    builder = actions.add_parser(
        "build",
        help="generate a suite into a HumanEval-compatible JSONL task file",
        description="Generate a suite. The same parameters give byte-identical files. "
        "Parameters not given take the suite's defaults (see `codehazard suites list`).",
    )
    builder.add_argument("name", help="suite name, e.g. building-blocks")
    builder.add_argument(
        "-o", "--output", type=output_file, required=True, help="task file (.jsonl or .jsonl.gz)"
    )
    for param in _all_params().values():
        builder.add_argument(
            param.flag,
            dest=f"param_{param.name}",
            default=None,
            metavar="N" if param.kind == "int" else "RANGE",
            help=f"{param.help} (suites that have it)",
        )
    builder.set_defaults(func=cmd_build)


def cmd_list(args: argparse.Namespace) -> int:
    """Print every suite with its parameters and defaults."""
    suites = list_suites()
    if args.json:
        data = {
            s.name: {
                "description": s.description,
                "params": {
                    p.name: {"default": format_value(p.default), "kind": p.kind, "help": p.help}
                    for p in s.params
                },
            }
            for s in suites
        }
        print(json.dumps(data, indent=2))
        return 0
    for suite in suites:
        print(f"{suite.name}: {suite.description}")
        for p in suite.params:
            usage = f"{p.flag} {format_value(p.default)}"
            print(f"    {usage:<22} {p.help}")
    print(f'checker kinds (a task\'s "checker": {{"kind": ...}}): {checker_registry.listing()}')
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the named suite and write its task file.

    Raises:
        InputError: unknown suite, a parameter it does not have or a bad value, or an output
            file that cannot be written.
    """
    suite = get_suite(args.name)
    given = {
        name[len("param_") :]: value
        for name, value in vars(args).items()
        if name.startswith("param_") and value is not None
    }
    tasks = suite.build(**given)
    path = prepare_output(Path(args.output), "--output")
    try:
        write_tasks(tasks, path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror}); check the directory") from None
    levels = Counter(int(t.metadata.get("level", 0)) for t in tasks)
    counts = ", ".join(f"{level}: {n}" for level, n in sorted(levels.items()))
    params = ", ".join(f"{k}={format_value(v)}" for k, v in suite.resolve(**given).items())
    print(f"wrote {len(tasks)} {suite.name} tasks to {path} ({params})")
    print(f"tasks per level: {counts}")
    for note in suite.advise(**given):
        print(f"note: {cli_text(note)}")
    return 0
