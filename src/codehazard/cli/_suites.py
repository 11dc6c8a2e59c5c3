"""``codehazard suites``: list the generated suites, build one into a task file, self-test them.

``build`` writes HumanEval-compatible JSONL (``task_id``, ``prompt``, ``canonical_solution``,
``test``, ``entry_point``, plus ``instruction`` and ``metadata``), so any harness can run the
tasks. Each suite parameter is a flag (``per_length`` is ``--per-length``); logic lives in
``codehazard.tasks.suites``. ``selftest`` judges every reference and every known wrong
solution of a suite in the sandbox (``codehazard.evaluation.selftest``); it exits 1 when a
reference fails or a mutant passes, so CI can run it.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from codehazard.cli._common import (
    cli_text,
    output_file,
    positive_int,
    prepare_output,
    print_json,
)
from codehazard.errors import InputError
from codehazard.evaluation import DEFAULT_RERUNS, SelftestResult, selftest_many
from codehazard.tasks import checker_registry, write_tasks
from codehazard.tasks.suites import SuiteParam, get_suite, list_suites


def format_value(value: int | tuple[int, ...] | str) -> str:
    """A parameter value as typed on the command line: ``(1, 2, 3, 5)`` is ``1-3,5``."""
    if isinstance(value, int | str):
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


def _add_param_flags(parser: argparse.ArgumentParser) -> None:
    for param in _all_params().values():
        parser.add_argument(
            param.flag,
            dest=f"param_{param.name}",
            default=None,
            metavar={"int": "N", "ints": "RANGE"}.get(param.kind) or "|".join(param.choices),
            help=f"{param.help} (suites that have it)",
        )


def _given_params(args: argparse.Namespace) -> dict[str, str]:
    return {
        name[len("param_") :]: value
        for name, value in vars(args).items()
        if name.startswith("param_") and value is not None
    }


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``suites list``, ``suites build`` and ``suites selftest``."""
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
    _add_param_flags(builder)
    builder.set_defaults(func=cmd_build)
    _register_selftest(actions)


def _register_selftest(actions: argparse._SubParsersAction) -> None:
    tester = actions.add_parser(
        "selftest",
        help="judge each suite's references and known wrong solutions in the sandbox",
        description="For each suite: every reference must pass its checker in every rerun and "
        "every shipped mutant must be rejected in every rerun. Each suite self-tests its own "
        "default build for this (a smaller one for the large chain suites); parameter flags "
        "override it for the suites that have them. Exits 1 when a rate is under 1.",
    )
    tester.add_argument("suites", nargs="*", metavar="SUITE", help="suite names (default: all)")
    tester.add_argument("--json", action="store_true", help="print one JSON object by suite")
    tester.add_argument(
        "--reruns",
        type=positive_int,
        default=DEFAULT_RERUNS,
        help=f"sandbox runs per reference and per program mutant (default {DEFAULT_RERUNS})",
    )
    tester.add_argument(
        "--workers", type=positive_int, default=2, help="sandbox workers (default 2)"
    )
    _add_param_flags(tester)
    tester.set_defaults(func=cmd_selftest)


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
    given = _given_params(args)
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


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _print_table(results: dict[str, SelftestResult]) -> None:
    head = f"{'suite':<18} {'templates':>9} {'tasks':>6} {'mutants':>8} {'equiv':>6}"
    print(f"{head} {'runs':>7} {'ref pass':>9} {'mut rej':>9} {'seconds':>8}")
    for name, r in results.items():
        runs = r.reference_runs + r.mutant_runs
        print(
            f"{name:<18} {r.templates:>9} {r.tasks:>6} {r.mutants:>8} {r.equivalent_mutants:>6}"
            f" {runs:>7} {_rate(r.reference_pass_rate):>9} {_rate(r.mutant_rejection_rate):>9}"
            f" {r.seconds:>8.1f}"
        )
    for name, r in results.items():
        for e in r.escapes:
            print(f"{name}: {e.task_id}: {e.form} {e.what} {e.status}: {e.detail}")


def cmd_selftest(args: argparse.Namespace) -> int:
    """Self-test the named suites (all when none are named); 1 when any rate is under 1.

    Raises:
        InputError: an unknown suite, or a bad parameter value.
        SandboxError: no sandbox worker could start.
    """
    names = list(dict.fromkeys(args.suites)) or [s.name for s in list_suites()]
    for name in names:
        get_suite(name)  # an unknown name is refused before any suite is judged
    results = dict(
        selftest_many(names, reruns=args.reruns, workers=args.workers, **_given_params(args))
    )
    if args.json:
        print_json({name: r.to_dict() for name, r in results.items()})
    else:
        _print_table(results)
    return 0 if all(r.ok for r in results.values()) else 1
