"""Tasks: the model of a problem, its checker, and loaders for task files."""

from codehazard.tasks._load import load_tasks, task_from_dict, write_tasks
from codehazard.tasks._model import (
    TASK_SCHEMA_VERSION,
    Checker,
    DifferentialChecker,
    Oracle,
    Task,
    TestChecker,
)

__all__ = [
    "TASK_SCHEMA_VERSION",
    "Checker",
    "DifferentialChecker",
    "Oracle",
    "Task",
    "TestChecker",
    "load_tasks",
    "task_from_dict",
    "write_tasks",
]
