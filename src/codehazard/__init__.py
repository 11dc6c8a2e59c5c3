"""codehazard: hazard analysis and specification-driven evaluation of code-synthesis models.

A curated façade for notebooks and scripts::

    import codehazard as ch
    tasks = ch.build_suite("building-blocks", lengths="1-5")
    run = ch.run("tiny", suite="building-blocks", n=5, store="results.sqlite")
    curve = ch.curves(run.run_id, store="results.sqlite")
    assessment = ch.assess("hazards.yaml", [run.run_id], store="results.sqlite")
    table = ch.profile([run.run_id], store="results.sqlite")  # every dimension by level

Names are imported on first use (PEP 562 ``__getattr__``), so ``import codehazard`` loads
nothing but this file. Everything else lives in the packages (``codehazard.tasks``,
``codehazard.scoring``...), each with its own ``__all__``.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

# Settings that protect users apply whenever the library runs, not only under the CLI: our
# numerical work (bootstraps, small fits) gains nothing from BLAS threads, and OpenBLAS's idle
# threads spin on the cores the sandbox workers need. Set before numpy can load; a value the
# user set wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

_LAZY: dict[str, str] = {
    # models of the data
    "Task": "codehazard.tasks",
    "Verdict": "codehazard.verdict",
    "Limits": "codehazard.sandbox",
    "Store": "codehazard.store",
    "Curve": "codehazard.scoring",
    "Assessment": "codehazard.hazards",
    "CapabilityProfile": "codehazard.analysis",
    # functions
    "load_tasks": "codehazard.tasks",
    "build_suite": "codehazard._facade",
    "curves": "codehazard._facade",
    "assess": "codehazard._facade",
    "profile": "codehazard._facade",
    "evaluate": "codehazard._facade",
    "run": "codehazard._facade",
    "resume": "codehazard._facade",
    "export_run": "codehazard._facade",
    "Run": "codehazard.runs",
    "RunSummary": "codehazard.runs",
    # errors
    "CodehazardError": "codehazard.errors",
    "InputError": "codehazard.errors",
    "ArgumentError": "codehazard.errors",
    "UnknownNameError": "codehazard.errors",
    "MissingExtraError": "codehazard.errors",
    "StoreError": "codehazard.errors",
    "UnknownRunError": "codehazard.errors",
    "SandboxError": "codehazard.errors",
    "BackendError": "codehazard.errors",
}

__all__ = [
    "ArgumentError",
    "Assessment",
    "BackendError",
    "CapabilityProfile",
    "CodehazardError",
    "Curve",
    "InputError",
    "Limits",
    "MissingExtraError",
    "Run",
    "RunSummary",
    "SandboxError",
    "Store",
    "StoreError",
    "Task",
    "UnknownNameError",
    "UnknownRunError",
    "Verdict",
    "__version__",
    "assess",
    "build_suite",
    "curves",
    "evaluate",
    "export_run",
    "load_tasks",
    "profile",
    "resume",
    "run",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from codehazard._facade import (
        assess,
        build_suite,
        curves,
        evaluate,
        export_run,
        profile,
        resume,
        run,
    )
    from codehazard.analysis import CapabilityProfile
    from codehazard.errors import (
        ArgumentError,
        BackendError,
        CodehazardError,
        InputError,
        MissingExtraError,
        SandboxError,
        StoreError,
        UnknownNameError,
        UnknownRunError,
    )
    from codehazard.hazards import Assessment
    from codehazard.runs import Run, RunSummary
    from codehazard.sandbox import Limits
    from codehazard.scoring import Curve
    from codehazard.store import Store
    from codehazard.tasks import Task, load_tasks
    from codehazard.verdict import Verdict


def __getattr__(name: str) -> Any:
    """Import a façade name on first use and keep it (PEP 562).

    Raises:
        AttributeError: ``name`` is not part of the façade.
    """
    if name == "__version__":  # reading package metadata costs more than the rest of the import
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: Any = version("codehazard")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0"
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'codehazard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "__version__"})
