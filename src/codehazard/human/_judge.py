"""Judging a participant's code: the full checker, or the examples of the prompt, in the sandbox.

A submission is judged exactly as a model's sample is: the task's own checker through the
local pool of sandboxed workers (``codehazard.evaluation.Evaluator``). "Run examples" judges the
same code against the examples the prompt itself shows (``>>> call`` lines of the docstring,
each followed by its expected value), turned into a ``test`` checker of a task of their own;
a prompt that shows none gets a check that the code defines the entry point, so the button
still says whether the code compiles and runs, and no test of the real checker is revealed.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Sequence

from codehazard.evaluation import Evaluator
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.tasks import Task, task_from_dict
from codehazard.verdict import Verdict

EXAMPLES_SUFFIX = "::examples"
_CALL = re.compile(r"^\s*>>>\s?(.*)$")


def docstring_examples(task: Task) -> list[tuple[str, str]]:
    """The ``(call, expected)`` pairs the prompt shows as ``>>>`` lines."""
    lines = task.prompt.splitlines()
    found: list[tuple[str, str]] = []
    for i, line in enumerate(lines):
        match = _CALL.match(line)
        if match is None or i + 1 >= len(lines):
            continue
        expected = lines[i + 1].strip()
        if expected and not expected.startswith(">>>") and not expected.startswith('"""'):
            found.append((match.group(1).strip(), expected))
    return found


def examples_task(task: Task) -> Task:
    """A task whose checker runs the prompt's examples (or checks the entry point exists)."""
    head = re.compile("^" + re.escape(task.entry_point) + r"\(")
    body = [
        f"    assert {head.sub('candidate(', call)} == {expected}"
        for call, expected in docstring_examples(task)
    ] or ["    assert callable(candidate)"]
    data = task.to_humaneval() | {
        "task_id": task.task_id + EXAMPLES_SUFFIX,
        "test": "def check(candidate):\n" + "\n".join(body) + "\n",
        "metadata": {},
    }
    data.pop("checker", None)
    return task_from_dict(data)


class SandboxJudge:
    """The sandbox pool for a study's tasks and their example tasks, started on first use.

    Raises:
        SandboxError: the sandbox cannot start (on first use).
    """

    def __init__(self, tasks: Sequence[Task], *, timeout: float = 10.0, workers: int = 2) -> None:
        every = list(tasks) + [examples_task(t) for t in tasks]
        self.tasks = {t.task_id: t for t in every}
        self.limits = Limits(timeout=timeout)
        self.workers = workers
        self._pool: Evaluator | None = None
        self._lock = threading.Lock()

    def _started(self) -> Evaluator:
        with self._lock:
            if self._pool is None:
                self._pool = Evaluator(self.tasks, workers=self.workers, limits=self.limits)
            return self._pool

    async def judge(self, task_id: str, program: str, *, examples: bool = False) -> Verdict:
        """The verdict on ``program`` for the task (or for its examples)."""
        wanted = task_id + (EXAMPLES_SUFFIX if examples else "")
        pool = await asyncio.to_thread(self._started)
        future = pool.submit(Sample(f"{wanted}#0", wanted, 0, {}, program))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Stop the workers."""
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
