"""Tasks: the model of a problem, its checker kinds, and loaders for task files.

The built-in kinds defined in modules of their own (``statistical``) are imported on first use
of one of their names here, so importing ``codehazard.tasks`` stays as light as the kinds'
lazy registration.
"""

from typing import Any

from codehazard.tasks._checkers import (
    CheckerKind,
    CheckerSpec,
    DifferentialChecker,
    Oracle,
    TestChecker,
    checker_kind,
    checker_registry,
    import_kind_sources,
    kind_driver_modules,
    kind_sources,
    parse_checker,
)
from codehazard.tasks._datasets import DATASETS, Dataset, dataset_path
from codehazard.tasks._load import load_tasks, task_from_dict, write_tasks
from codehazard.tasks._model import TASK_SCHEMA_VERSION, Checker, Task

__all__ = [
    "DATASETS",
    "TASK_SCHEMA_VERSION",
    "Checker",
    "CheckerKind",
    "CheckerSpec",
    "Dataset",
    "DifferentialChecker",
    "Oracle",
    "Task",
    "TestChecker",
    "checker_kind",
    "checker_registry",
    "dataset_path",
    "import_kind_sources",
    "kind_driver_modules",
    "kind_sources",
    "load_tasks",
    "parse_checker",
    "task_from_dict",
    "write_tasks",
]

_LAZY = {
    "StatisticalChecker": "codehazard.tasks._kind_statistical",
    "MalformedSample": "codehazard.tasks._kind_statistical",
    "category_key": "codehazard.tasks._kind_statistical",
    "freeze": "codehazard.tasks._kind_statistical",
    "project": "codehazard.tasks._kind_statistical",
}
__all__ += list(_LAZY)


def __getattr__(name: str) -> Any:
    """The names of lazily imported checker kinds (``StatisticalChecker``, ...)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'codehazard.tasks' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
