"""Loading tasks from HumanEval-format JSONL (plain or gzip), unchanged, or our richer format."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codehazard._jsonl import iter_lines
from codehazard.errors import InputError, TaskLoadError
from codehazard.tasks._model import Task

_REQUIRED = ("task_id", "prompt", "entry_point")


def task_from_dict(obj: dict[str, Any]) -> Task:
    """Build a task from one JSON object (HumanEval fields, or ours with ``checker``).

    Raises:
        ValueError: a field is missing or has the wrong type; the message names the field.
    """
    missing = [k for k in _REQUIRED if k not in obj]
    if "test" not in obj and "checker" not in obj:
        missing.append("test (or checker)")
    if missing:
        raise InputError(f"missing field(s): {', '.join(missing)}")
    data = dict(obj)
    if "checker" not in data:
        data["checker"] = {"kind": "test", "test": data.pop("test")}
    else:
        data.pop("test", None)
    known = set(Task.model_fields)
    extra = {k: v for k, v in data.items() if k not in known}
    data = {k: v for k, v in data.items() if k in known}
    if extra:  # unknown HumanEval-variant fields are kept as metadata, never silently dropped
        data["metadata"] = {**extra, **dict(data.get("metadata") or {})}
    try:
        return Task.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(f"field {field!r}: {first['msg']}") from None


def load_tasks(path: str | Path) -> dict[str, Task]:
    """Load every task of a JSONL(.gz) file, keyed by task id, in file order.

    Raises:
        TaskLoadError: the file is missing or unreadable, or any line is invalid (all invalid
            lines are listed, each with its line number), or a task id repeats.
    """
    path = Path(path)
    tasks: dict[str, Task] = {}
    problems: list[str] = []
    try:
        for line in iter_lines(path):
            if line.error is not None:
                problems.append(f"{path}:{line.lineno}: {line.error}")
                continue
            assert line.obj is not None
            try:
                task = task_from_dict(line.obj)
            except ValueError as exc:
                problems.append(f"{path}:{line.lineno}: {exc}")
                continue
            if task.task_id in tasks:
                problems.append(f"{path}:{line.lineno}: duplicate task_id {task.task_id!r}")
                continue
            tasks[task.task_id] = task
    except TaskLoadError:
        raise
    except Exception as exc:  # InputError from iter_lines: re-raise as a task-file error
        raise TaskLoadError(str(exc)) from None
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise TaskLoadError("; ".join(problems[:5]) + more)
    if not tasks:
        raise TaskLoadError(f"{path}: no tasks found; expected HumanEval-format JSONL")
    return tasks


def write_tasks(tasks: Iterable[Task], path: str | Path) -> None:
    """Write tasks as HumanEval-compatible JSONL (gzip when the name ends in ``.gz``)."""
    import gzip
    import json

    path = Path(path)
    lines = "".join(json.dumps(t.to_humaneval(), sort_keys=True) + "\n" for t in tasks)
    data = lines.encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
