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
    from rich.console import Console
    from rich.pretty import Pretty

    console = Console()
    console.print(f"[bold]run {run.id}[/bold]  {run.kind}  {run.status}  created {data['created']}")
    console.print(Pretty(data))
    return 0
