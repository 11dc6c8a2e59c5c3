"""``codehazard runs list`` and ``codehazard runs show ID``: read the store."""

from __future__ import annotations

import argparse
import time
from typing import Any

from codehazard.cli._common import add_store_option, open_store, print_json
from codehazard.store import RunInfo


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``runs`` subcommand group."""
    p = sub.add_parser("runs", help="list and inspect recorded runs")
    runs = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    ls = runs.add_parser("list", help="list runs, newest first")
    add_store_option(ls)
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.set_defaults(func=run_list)
    show = runs.add_parser("show", help="show one run: parameters, provenance, results")
    show.add_argument("run_id")
    add_store_option(show)
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=run_show)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _row(run: RunInfo) -> dict[str, Any]:
    summary = run.summary or {}
    return {
        "id": run.id,
        "created": _when(run.created),
        "kind": run.kind,
        "status": run.status,
        "model": run.params.get("model", ""),
        "samples": summary.get("n_samples", ""),
        "pass@1": summary.get("pass_at_k", {}).get("1", ""),
    }


def run_list(args: argparse.Namespace) -> int:
    """Print the runs in the store."""
    with open_store(args) as store:
        rows = [_row(r) for r in store.list_runs()]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no runs yet; `codehazard evaluate` or `codehazard run` records one")
        return 0
    import sys

    from rich import box
    from rich.console import Console
    from rich.table import Column, Table

    names = ("id", "created", "kind", "status", "model", "samples", "pass@1")
    # ids and dates are copied whole; piped, the table is plain columns for grep and awk
    piped = not sys.stdout.isatty()
    table = Table(
        *(Column(n, no_wrap=n != "model") for n in names),
        box=None if piped else box.HEAVY_HEAD,
        show_edge=not piped,
    )
    for row in rows:
        p1 = row["pass@1"]
        cells = [str(row[k]) for k in names[:-1]]
        table.add_row(*cells, f"{p1:.4f}" if isinstance(p1, float) else str(p1))
    Console(width=200 if piped else None).print(table)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print one run's parameters, provenance and summary."""
    with open_store(args) as store:
        run = store.get_run(args.run_id)
        counts = store.status_counts(run.id)
    data = {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "created": _when(run.created),
        "updated": _when(run.updated),
        "params": run.params,
        "status_counts": counts,
        "summary": run.summary,
    }
    if args.json:
        print_json(data)
        return 0
    print(f"run {run.id}: {run.kind}, {run.status}; created {data['created']}, updated "
          f"{data['updated']}")  # fmt: skip
    if run.summary:
        print(_summary_text(run.kind, run.summary))
    for line in _provenance(run.params):
        print(f"  {line}")
    print(f"  everything recorded: codehazard runs show {run.id} --json")
    return 0


def _summary_text(kind: str, summary: dict[str, Any]) -> str:
    """The summary as ``evaluate`` or ``run`` printed it, without its first line (the id)."""
    if kind == "run":
        from codehazard.cli._run import format_run_summary

        text = format_run_summary(summary)
    else:
        from codehazard.cli._evaluate import format_summary

        text = format_summary(summary, None)
    return text.split("\n", 1)[1] if "\n" in text else ""


def _provenance(params: dict[str, Any]) -> list[str]:
    """What the run was made from and where: tasks, samples, generation, code, host, sessions."""
    config = params.get("config") or {}
    lines = []
    source = config.get("tasks_source") or {}
    if "suite" in source:
        given = ", ".join(f"{k}={v}" for k, v in (source.get("params") or {}).items())
        lines.append(f"tasks: suite {source['suite']} ({given})")
    elif "file" in source or "tasks_path" in params:
        lines.append(f"tasks: {source.get('file') or params.get('tasks_path')}")
    if "samples_path" in params:
        lines.append(f"samples: {params['samples_path']}")
    gen = config.get("params") or {}
    if gen:
        shown = ("n", "temperature", "top_p", "max_tokens", "mode", "seed")
        lines.append("generation: " + ", ".join(f"{k} {gen.get(k)}" for k in shown if k in gen))
    if config.get("base_url"):
        lines.append(f"server: {config['base_url']}")
    limits = config.get("limits") or params.get("limits") or {}
    if limits:
        lines.append(
            f"limits: {limits.get('timeout')} s, {limits.get('memory_mb')} MB, "
            f"{limits.get('max_processes')} processes"
        )
    host = params.get("host") or {}
    if host:
        lines.append(
            f"host: {host.get('implementation')} {host.get('python')} on {host.get('system')} "
            f"{host.get('machine')}, {host.get('cpus')} CPUs ({host.get('hostname')})"
        )
    if params.get("code_version"):
        lines.append(f"code version: {params['code_version']}")
    sessions = params.get("sessions") or []
    if sessions:
        wall = sum(float(s.get("wall_s") or 0.0) for s in sessions)
        lines.append(f"sessions: {len(sessions)} ({wall:.1f} s of generation and judging)")
    return lines
