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
) -> Curve:
    """The capability curve of a stored run: pass@1 (and pass@k) per level of ``by``, the decay
    fit and the composition gap, as ``codehazard curves`` shows it.

    Raises:
        InputError: no store at the path, or no task with an integer ``by`` in its metadata.
        UnknownRunError: no run has that id.
        ArgumentError: a k below 1, a confidence outside (0, 1) or ``n_boot < 1``.
    """
    with _opened(store) as opened:
        records = opened.records(run_id)
    return capability_curve(
        records, by, ks=sorted({1, *ks}), confidence=confidence, n_boot=n_boot, seed=seed
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
