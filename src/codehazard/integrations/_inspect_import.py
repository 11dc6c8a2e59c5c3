"""``codehazard import inspect LOG``: an Inspect log becomes a codehazard run.

The log is read with Inspect's own API (``inspect_ai.log.read_eval_log``, ``.eval`` and
``.json`` alike). Its tasks are rebuilt from the Task metadata ``codehazard_task`` wrote (the
suite and its resolved parameters; seeded, so byte-identical), and the run goes through the
one orchestrator (``runs.start``) over the ``inspect:<log>`` backend, which replays the log's
outputs as a ``samples:`` file is replayed: same key scheme (``<task_id>#<epoch - 1>``), same
code extraction, same store rows, so ``curves``, ``profile``, ``assess`` and ``report`` read
it as any run. ``manifest.model`` is the model Inspect evaluated.

Verdicts: when every sample carries a score of codehazard's own scorer (``SCORE_FORMAT_KEY``
in its metadata) for the very program the import extracts, those verdicts are kept (the run's
executor is recorded as ``inspect-log``); otherwise, or with ``rescore``, every sample is
judged in the sandbox. Probe scorers run as in any run. An evaluation already imported (same
Inspect ``eval_id``) is not imported again: its run is returned (and finished, if it was
interrupted).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codehazard.errors import InputError
from codehazard.integrations._inspect_backend import InspectLog, read_log
from codehazard.runs import (
    Run,
    RunConfig,
    SessionOptions,
    list_run_records,
    load_run,
    resume,
    start,
    suite_source,
)
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.store import Store
from codehazard.tasks import Task
from codehazard.verdict import Verdict

KEPT_EXECUTOR = "inspect-log"
"""The executor a run records when its verdicts are the log's own (codehazard's scorer)."""


@dataclass
class InspectImport:
    """The result of an import: the run, whether it existed already, and where verdicts came
    from (``log``: codehazard's scorer in Inspect; ``sandbox``: judged here)."""

    run: Run
    already_imported: bool
    verdicts_from: str
    notices: list[str] = field(default_factory=list)


class _KeptVerdicts:
    """An executor that answers with the verdicts codehazard's scorer wrote into the log."""

    def __init__(self, verdicts: Mapping[str, Verdict]) -> None:
        self.verdicts = dict(verdicts)
        first = next(iter(self.verdicts.values()), None)
        self._isolation = dict(first.isolation) if first else {}

    def __call__(self, tasks: Mapping[str, Task], **_: Any) -> _KeptVerdicts:
        return self

    @property
    def isolation(self) -> dict[str, Any]:
        """The isolation the log's verdicts record (the first one's)."""
        return {**self._isolation, "judged_by": "codehazard scorer in Inspect"}

    def submit(self, sample: Sample) -> concurrent.futures.Future[Verdict]:
        """The kept verdict of ``sample``."""
        future: concurrent.futures.Future[Verdict] = concurrent.futures.Future()
        future.set_result(self.verdicts[sample.key])
        return future

    def evaluate(self, samples: Iterable[Sample]) -> Iterator[tuple[Sample, Verdict]]:
        """Each sample with its kept verdict."""
        for sample in samples:
            yield sample, self.verdicts[sample.key]

    def close(self) -> None:
        """Nothing to stop."""

    def __enter__(self) -> _KeptVerdicts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def log_tasks(log: InspectLog) -> tuple[list[Task], dict[str, Any]]:
    """The log's tasks, rebuilt from the suite and parameters it records, and that record.

    Raises:
        InputError: the log is not of a codehazard task (no suite recorded), or its suite or
            parameters are unknown here (the message names the log).
    """
    recorded = log.codehazard
    if not recorded or not isinstance(recorded.get("suite"), str):
        raise InputError(
            f"{log.path}: not a log of a codehazard task (Inspect task {log.task!r} records no "
            "codehazard suite); run the suite with `inspect eval codehazard/<suite>`"
        )
    source = suite_source(recorded["suite"], dict(recorded.get("params") or {}))
    return source.load(), {**recorded, "tasks_source": source.record()}


def _find_imported(store: Store, eval_id: str) -> str | None:
    for record in list_run_records(store):
        backend = record.manifest.backend
        if backend.get("backend") == "inspect" and backend.get("eval_id") == eval_id:
            return record.id
    return None


def import_inspect_log(
    path: str | Path,
    *,
    store: Store,
    rescore: bool = False,
    workers: int = 2,
    isolation: str = "auto",
    limits: Limits | None = None,
    ks: tuple[int, ...] = (1, 10, 100),
) -> InspectImport:
    """Import the Inspect log at ``path`` as a run of ``store``.

    Raises:
        MissingExtraError: Inspect is not installed.
        InputError: the file is not a readable Inspect log, not of a codehazard task, or has
            no sample of its tasks.
        StoreError: the store cannot be written.
        SandboxError: judging is needed and no sandbox can start.
    """
    log = read_log(Path(path))
    tasks, recorded = log_tasks(log)
    by_id = {t.task_id: t for t in tasks}
    kept = None if rescore else log.kept_verdicts(by_id)
    factory = _KeptVerdicts(kept) if kept else None
    options = SessionOptions(
        workers=workers, isolation=isolation, executor=KEPT_EXECUTOR if kept else "local"
    )
    existing = _find_imported(store, log.eval_id)
    if existing is not None:
        before = load_run(store, existing)
        kept_before = before.manifest.executor == KEPT_EXECUTOR
        had = before.summary.n_samples if before.summary else 0
        if not kept_before:
            factory, options = None, SessionOptions(workers=workers, isolation=isolation)
        run = resume(existing, store=store, session=options, executor_factory=factory)
        added = run.summary.n_samples - had
        gained = f"{added} new samples added" if added > 0 else "nothing was added"
        notices = [f"{log.path} was imported before, as run {existing}; {gained}"]
        if rescore and kept_before:
            notices.append(
                f"its verdicts are the log's own; to judge them here, delete run {existing} "
                "and import the log again with `rescore=True`"
            )
        return InspectImport(run, True, "log" if kept_before else "sandbox", notices)
    config = RunConfig(
        model=f"inspect:{log.path}",
        params=log.generation_params(recorded),
        tasks_source=recorded["tasks_source"],
        limits=(limits or Limits()).as_dict(),
        ks=ks,
    )
    run = start(store, tasks, config, session=options, executor_factory=factory)
    return InspectImport(run, False, "log" if kept else "sandbox", list(run.notices))
