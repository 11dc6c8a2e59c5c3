"""Tasks: the model of a problem, its checker kinds, and loaders for task files."""

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
from codehazard.tasks._load import load_tasks, task_from_dict, write_tasks
from codehazard.tasks._model import TASK_SCHEMA_VERSION, Checker, Task

__all__ = [
    "TASK_SCHEMA_VERSION",
    "Checker",
    "CheckerKind",
    "CheckerSpec",
    "DifferentialChecker",
    "Oracle",
    "Task",
    "TestChecker",
    "checker_kind",
    "checker_registry",
    "import_kind_sources",
    "kind_driver_modules",
    "kind_sources",
    "load_tasks",
    "parse_checker",
    "task_from_dict",
    "write_tasks",
]
