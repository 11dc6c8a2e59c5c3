"""The one orchestrator: start a run or resume one, for every way samples reach the sandbox.

A model backend produces the samples (a remote API, the built-in model, the simulator, or
``samples:<path>``, which replays a samples file: ``evaluate`` is a run over that backend), a
session judges them as they arrive, and the store keeps everything. Orchestration only: backends
live in ``codehazard.models``, judging behind an executor, persistence in ``codehazard.store``;
one session of work is ``_session.Session``. Everything a run needs to be resumed is in the
store: its manifest (``RunManifest``), its tasks, its samples and verdicts, and the response
cache.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codehazard.errors import BackendError, InputError
from codehazard.evaluation import code_version, host_profile, summarize
from codehazard.executors import ExecutorFactory, get_executor
from codehazard.generation import generation_totals, read_meta, sample_key
from codehazard.models import GenerationParams, ModelBackend, create_backend
from codehazard.probes import probe_scorer_names
from codehazard.runs._manifest import (
    RUN_KINDS,
    RunConfig,
    RunKind,
    RunManifest,
    RunSummary,
    TaskFile,
    load_run,
    tasks_digest,
)
from codehazard.runs._scorers import get_scorer
from codehazard.runs._session import (
    Plan,
    ProgressFn,
    Session,
    SessionOptions,
    close_session,
)
from codehazard.samples import BadLine
from codehazard.sandbox import Limits
from codehazard.store import SANDBOX_SCORER, ResponseCache, Store
from codehazard.tasks import Task


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; everything finished is saved and ``run_id`` can be resumed."""

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = run_id


class RunStopped(BackendError):
    """The backend stopped working mid-run; everything finished is saved, ``run_id`` resumes."""

    def __init__(self, run_id: str, reason: str) -> None:
        super().__init__(f"{reason} (run {run_id} is saved and can be resumed)")
        self.run_id = run_id
        self.reason = reason


@dataclass
class Run:
    """A finished session: the run, its status (``complete`` or ``incomplete``), its typed
    summary, notices for the user (simulated backend, skipped samples-file lines), the
    samples-file lines rejected, and the results file ``evaluate`` wrote."""

    run_id: str
    status: str
    summary: RunSummary
    notices: list[str] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    results_path: Path | None = None


def _backend(config: RunConfig, options: SessionOptions, tasks: Mapping[str, Task]) -> ModelBackend:
    """The run's backend: at the session's ``base_url``, else the run's; its connection pool
    as large as the number of requests the session keeps in flight."""
    update = {
        "base_url": options.backend.base_url or config.base_url,
        "max_connections": options.max_connections,
    }
    backend = create_backend(config.model, options.backend.model_copy(update=update))
    backend.prepare(tasks)
    return backend


def _same_server(backend: ModelBackend, recorded: str | None, run_id: str) -> None:
    """Refuse a resume whose environment names another server than the run's own.

    Without ``base_url`` a resume goes back to the recorded server; when the backend's
    URL variable (``OPENAI_BASE_URL``...) now names another one, which the user may have
    meant, it stops rather than guess.

    Raises:
        InputError: the variable names another server; the message has both fixes.
    """
    env = os.environ.get(backend.base_url_env, "") if backend.base_url_env else ""
    if not env or recorded is None or env.rstrip("/") == recorded.rstrip("/"):
        return
    raise InputError(
        f"`resume={run_id}`: the run's server is {recorded}, but {backend.base_url_env} is "
        f"{env}; pass `base_url={recorded}` to continue there, or `base_url={env}` if the "
        "server moved"
    )


def _notices(backend: ModelBackend) -> list[str]:
    from codehazard.models import SIMULATED_NOTICE

    notices = [SIMULATED_NOTICE] if backend.simulated else []
    for bad in getattr(backend, "bad", []):
        notices.append(f"skipped {bad.message}")
    return notices


def _needs_probe(
    plan_jobs: Sequence[tuple[Task, int]],
    backend: ModelBackend,
    plan: Plan,
    cache: ResponseCache | None,
    read_cache: bool,
) -> bool:
    if not plan_jobs or backend.probe_request(plan.params) is None:
        return False
    if cache is None or not read_cache or not backend.cacheable:
        return True
    return any(
        cache.get(backend.build_request(t, i, plan.params).cache_key()) is None
        for t, i in plan_jobs
    )


def _requests_ok(
    backend: ModelBackend,
    tasks: Sequence[Task],
    plan: list[tuple[str, int]],
    params: GenerationParams,
) -> None:
    """Build one request per task now, so prompt-form problems stop the run before it starts."""
    by_id = {t.task_id: t for t in tasks}
    for task_id in dict.fromkeys(tid for tid, _ in plan):
        backend.build_request(by_id[task_id], 0, params)


def start(
    store: Store,
    tasks: Sequence[Task],
    config: RunConfig,
    *,
    kind: RunKind = "run",
    session: SessionOptions | None = None,
    progress: ProgressFn | None = None,
    executor_factory: ExecutorFactory | None = None,
) -> Run:
    """Generate samples for ``tasks`` with ``config.model``, judge them, record and summarise.

    ``kind`` is ``"evaluate"`` for a samples file judged as it is (``samples:<path>``).
    Nothing is written to the store until the backend has answered a probe request (for
    remote backends) and the sandbox has started, so bad input never leaves a half-made run.

    Raises:
        InputError: no tasks, duplicate task ids, an unknown backend, scorer or executor, a
            bad model spec, parameters the backend does not support, or a samples file that
            does not fit.
        BackendError: preflight failed (unreachable server, rejected key, unknown model, a
            missing optional package); ``RunStopped`` when the backend broke mid-run.
        SandboxError: the sandbox cannot start.
        RunInterrupted: Ctrl-C (a ``KeyboardInterrupt``); the run is saved as ``interrupted``.
    """
    session = session or SessionOptions()
    tasks = list(tasks)
    if not tasks:
        raise InputError("no tasks to run")
    by_id = {t.task_id: t for t in tasks}
    if len(by_id) != len(tasks):
        raise InputError("task ids repeat; every task needs its own task_id")
    # a probe's prompts are scored by the probe: its scorer joins the run's by itself
    config = config.model_copy(update={"scorers": probe_scorer_names(tasks, config.scorers)})
    backend = _backend(config, session, by_id)
    params = backend.resolve(config.params)
    # the resolved server, not the flag: a resume must never follow the environment elsewhere
    config = config.model_copy(update={"params": params, "base_url": backend.server})
    planned = backend.plan(tasks, params.n)
    if not planned:
        raise InputError(f"{config.model} has no samples for these tasks")
    _requests_ok(backend, tasks, planned, params)
    plan = Plan(
        backend=backend,
        params=params,
        tasks=tasks,
        limits=Limits(**config.limits),
        jobs=[(by_id[tid], i) for tid, i in planned],
        replace=set(),
        to_judge=[],
        total=len(planned),
        probe=False,
        new_manifest=_new_manifest(kind, config, backend, tasks, len(planned), session),
        scorers=[get_scorer(name) for name in config.scorers],
    )
    del planned  # the jobs say the same: a second list of every key need not outlive the plan
    return _execute(store, plan, config, session, progress, executor_factory)


def _new_manifest(
    kind: RunKind,
    config: RunConfig,
    backend: ModelBackend,
    tasks: Sequence[Task],
    planned: int,
    session: SessionOptions,
) -> RunManifest:
    """What a new run records: its configuration, backend, tasks digest and provenance."""
    described = backend.describe()
    samples = {}
    if kind == "evaluate":  # the file judged, and where its tasks came from
        samples = {
            "samples_path": described.get("samples_path"),
            "samples_digest": described.get("samples_digest"),
            "tasks_path": config.tasks_source.get("file"),
        }
    source = config.source
    return RunManifest(
        kind=kind,
        model=None if kind == "evaluate" else (backend.source_model or config.model),
        config=config,
        backend=described,
        simulated=backend.simulated,
        tasks_digest=tasks_digest(tasks),
        tasks_file_digest=source.digest() if isinstance(source, TaskFile) else None,
        n_tasks=len(tasks),
        planned_samples=planned,
        seeds={"generation": config.params.seed},
        isolation_required=session.isolation,
        executor=session.executor,
        workers=session.workers,
        code_version=code_version(),
        host=host_profile(),
        **samples,
    )


def check_expectations(config: RunConfig, expect: Mapping[str, Any]) -> None:
    """Refuse a resume whose explicitly given options differ from the run's recorded ones.

    ``expect`` maps ``model`` or any ``GenerationParams`` field to the value given now;
    ``None`` values and other keys are ignored.

    Raises:
        InputError: a value differs; the message lists each one with the recorded value.
    """
    recorded = {"model": config.model, **config.params.model_dump(mode="json")}
    recorded["stop"] = list(config.params.stop or ())
    problems = []
    for name, given in expect.items():
        if given is None or name not in recorded:
            continue
        value = list(given) if isinstance(given, tuple) else given
        if value != recorded[name]:
            problems.append(f"{name} is {recorded[name]!r} in the run, {value!r} given")
    if problems:
        raise InputError(
            "`resume` continues a run with its own settings: "
            + "; ".join(problems)
            + "; drop those options, or start a new run"
        )


def _recover_tasks(store: Store, run_id: str, manifest: RunManifest) -> list[Task]:
    """The run's tasks; rebuilt from their source when a kill left none recorded."""
    tasks = list(store.tasks(run_id).values())
    if tasks:
        return tasks
    try:
        tasks = manifest.source.load()
    except InputError:
        tasks = []
    if not tasks or tasks_digest(tasks) != manifest.tasks_digest:
        raise InputError(
            f"run {run_id} stopped before its tasks were recorded and they cannot be rebuilt "
            "identically; start a new run"
        )
    store.add_tasks(run_id, tasks)
    return tasks


def resume(
    store: Store,
    run_id: str,
    *,
    session: SessionOptions | None = None,
    progress: ProgressFn | None = None,
    executor_factory: ExecutorFactory | None = None,
    expect: Mapping[str, Any] | None = None,
    scorers: Sequence[str] = (),
) -> Run:
    """Continue a run with its recorded configuration: generate what is missing, judge what
    has no final verdict, regenerate samples whose generation failed, then summarise.

    ``scorers`` adds registered scorers to the run's own (recorded from then on). Every
    sample already judged is scored by each of the run's scorers that has not scored it yet
    (a scorer added now, or a kill between a verdict and its scores), so no score is lost
    and none is computed twice; a scorer that had nothing to say (``None``) is asked again.

    ``run_id`` may be a unique prefix of the id. The backend goes to the run's recorded server
    unless ``session.backend.base_url`` names another (a server that moved).

    Raises:
        UnknownRunError: no such run, or an ambiguous prefix.
        StoreError: an unreadable run.
        InputError: not a run of a known kind, ``expect`` differs from the run (its
            ``tasks_digest`` too), the samples file of a ``samples:`` run changed, or the
            backend's URL variable names another server than the run's (without ``base_url``).
        UnknownNameError: a scorer of ``scorers`` is not registered.
        BackendError, SandboxError, RunInterrupted: as for ``start``.
    """
    session = session or SessionOptions()
    record = load_run(store, run_id)
    run_id = record.id
    if record.kind == "evaluate" and not record.manifest.samples_path:
        raise InputError(
            f"run {run_id} is an 'evaluate' run, not a generation run, and records no samples "
            f"file; resume it by evaluating its samples file with `tasks` and `resume={run_id}`"
        )
    if record.kind not in RUN_KINDS:
        raise InputError(
            f"run {run_id} is a {record.kind!r} run, not a generation run; resume it with "
            f"its own command and `resume={run_id}`"
        )
    manifest = record.manifest
    config = manifest.config
    check_expectations(config, expect or {})
    given_digest = (expect or {}).get("tasks_digest")
    if given_digest is not None and given_digest != manifest.tasks_digest:
        raise InputError(
            f"`resume={run_id}`: the tasks given differ from the run's own; drop `tasks`/`suite`"
        )
    tasks = _recover_tasks(store, run_id, manifest)
    by_id = {t.task_id: t for t in tasks}
    # runs recorded before the resolved URL was kept have it in their backend description
    recorded = config.base_url or manifest.backend.get("base_url")
    backend = _backend(config.model_copy(update={"base_url": recorded}), session, by_id)
    if session.backend.base_url is None:
        _same_server(backend, recorded, run_id)
    digest = manifest.backend.get("samples_digest")
    if digest and backend.describe().get("samples_digest") != digest:
        raise InputError(f"`resume={run_id}`: the samples file changed since the run started")
    planned = backend.plan(tasks, config.params.n)
    names = tuple(dict.fromkeys([*config.scorers, *scorers]))
    plan = Plan(
        backend=backend,
        params=config.params,
        tasks=tasks,
        limits=Limits(**config.limits),
        jobs=[],
        replace=set(),
        to_judge=[],
        total=len(planned),
        probe=False,
        run_id=run_id,
        scorers=[get_scorer(name) for name in names],
    )
    config = config.model_copy(update={"scorers": names})
    _fill_resume_plan(store, run_id, plan, planned, by_id)
    del planned  # sorted into the plan, which keeps only what is left to do
    return _execute(store, plan, config, session, progress, executor_factory)


def _fill_resume_plan(
    store: Store,
    run_id: str,
    plan: Plan,
    planned: Sequence[tuple[str, int]],
    by_id: Mapping[str, Task],
) -> None:
    """Sort the planned samples: missing or failed to generate (jobs; the failed ones are
    replaced), stored without a final verdict (to judge), or done (left alone, but scored by
    the run's scorers that have not scored them: ``to_score``). Only keys are kept: the
    session reads the samples back a page at a time."""
    stored = store.sample_keys(run_id)
    # pending samples: whether their generation failed (then generated again, not judged)
    pending = {}
    for sample in store.iter_samples(run_id, pending_only=True):
        meta = read_meta(sample)
        pending[sample.key] = meta is not None and meta.error is not None
    others = [sc for sc in plan.scorers if sc.name != SANDBOX_SCORER]
    if others:
        for rec in store.iter_records(run_id):
            if rec.key in pending or rec.verdict is None:
                continue
            missing = tuple(sc for sc in others if sc.name not in rec.scores)
            if missing:
                plan.to_score.append((rec.key, missing))
    for task_id, index in planned:
        key = sample_key(task_id, index)
        if key not in stored or pending.get(key, False):
            plan.jobs.append((by_id[task_id], index))
            if key in stored:
                plan.replace.add(key)
        elif key in pending:
            plan.to_judge.append(key)


def _execute(
    store: Store,
    plan: Plan,
    config: RunConfig,
    options: SessionOptions,
    progress: ProgressFn | None,
    factory: ExecutorFactory | None,
) -> Run:
    factory = factory or get_executor(options.executor)
    cache = ResponseCache(store) if plan.backend.cacheable else None
    plan.probe = _needs_probe(plan.jobs, plan.backend, plan, cache, options.read_cache)
    session = Session(store, plan, options, factory, progress, cache)
    try:
        asyncio.run(session.main())
    except (KeyboardInterrupt, asyncio.CancelledError) as exc:
        if isinstance(exc, asyncio.CancelledError) and not session.interrupted:
            raise
        if session.run_id is None:
            raise KeyboardInterrupt from None
        _stop(store, session, config, "interrupted")
        raise RunInterrupted(session.run_id) from None
    except BackendError as exc:
        if session.run_id is None:
            raise
        _stop(store, session, config, "failed")
        raise RunStopped(session.run_id, str(exc)) from None
    except BaseException:
        if session.run_id is not None:
            _stop(store, session, config, "failed")
        raise
    assert session.run_id is not None
    done, _ = store.progress(session.run_id)
    status = "complete" if done == plan.total else "incomplete"
    close_session(store, session.run_id, status, session.stats)
    summary = build_summary(store, session.run_id, config, options.by)
    store.set_run_status(session.run_id, status, summary.model_dump(mode="json"))
    summary = summary.model_copy(update={"status": status})
    bad = list(getattr(plan.backend, "bad", []))
    return Run(session.run_id, status, summary, _notices(plan.backend), bad)


def _stop(store: Store, session: Session, config: RunConfig, status: str) -> None:
    """Mark a stopped run, with a partial summary; never let this hide the original error."""
    assert session.run_id is not None
    try:
        close_session(store, session.run_id, status, session.stats)
        summary = build_summary(store, session.run_id, config, session.options.by)
        store.set_run_status(session.run_id, status, summary.model_dump(mode="json"))
    except Exception:  # pragma: no cover - the store itself failed; the caller's error wins
        pass


def build_summary(
    store: Store, run_id: str, config: RunConfig, by: Sequence[str] = ()
) -> RunSummary:
    """The summary of a run: pass@k and its interval, statuses, isolation, the tasks left
    without samples and the infra rate, plus model, generation totals and timings.

    Raises:
        StoreError: no such run.
    """
    summary = summarize(store, run_id, tuple(config.ks), tuple(by))
    record = load_run(store, run_id)
    manifest = record.manifest
    generation = generation_totals(store.iter_samples(run_id))  # one pass, a page at a time
    stored = int(summary["n_samples"])
    planned = manifest.planned_samples if manifest.planned_samples is not None else stored
    summary.update(
        model=manifest.model,
        simulated=manifest.simulated,
        planned_samples=planned,
        missing_samples=max(0, planned - stored),
        generation=generation,
        timings={
            "sessions": len(manifest.sessions),
            "wall_s": sum(s.wall_s for s in manifest.sessions),
        },
    )
    if manifest.kind == "evaluate":
        summary["invalid_lines"] = int(manifest.backend.get("invalid_lines", 0))
    return RunSummary.model_validate(summary)
