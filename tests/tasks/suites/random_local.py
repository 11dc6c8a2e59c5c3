"""The ``statistical`` judge run in-process on our own programs, for measuring power.

Judging one program takes a sandbox round trip per rerun; measuring the false-alarm rate and
the power against every mutant takes thousands of reruns. The judge code is the same
(``run_statistical``, the trusted ``sample`` driver): only the channel is replaced by direct
calls, with every value passed through the channel's codec as the sandbox would. Only our own
references and mutants run here; a candidate's program is judged in the sandbox.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codehazard.sandbox._check_statistical import run_statistical
from codehazard.sandbox._codec import decode, encode
from codehazard.sandbox._judge import PreparedTask
from codehazard.tasks import StatisticalChecker, Task


class LocalChannel:
    """``Channel``'s requests (call, new, method, drive) answered by direct calls."""

    def __init__(self, subject: Callable[..., Any]) -> None:
        self.subject = subject
        self.handles: dict[int, Any] = {}

    @staticmethod
    def _wire(value: Any) -> Any:
        return decode(encode(value))

    def call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._wire(self.subject(*self._wire(list(args)), **kwargs))

    def new(self, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> int:
        handle = len(self.handles) + 1
        self.handles[handle] = self.subject(*self._wire(list(args)), **(kwargs or {}))
        return handle

    def method(self, handle: int, name: str, args: tuple[Any, ...] = (), kwargs: Any = None) -> Any:
        return self._wire(getattr(self.handles[handle], name)(*self._wire(list(args))))

    def drive(
        self, driver: str, args: tuple[Any, ...] = (), kwargs: Any = None, handle: Any = None
    ) -> Any:
        module, _, attr = driver.partition(":")
        fn = getattr(importlib.import_module(module), attr)
        return self._wire(fn(self.subject, *self._wire(list(args)), **(kwargs or {})))


def reseeded(checker: StatisticalChecker, rerun: int) -> StatisticalChecker:
    """The checker with other seeds (rerun 0 is the task's own)."""
    if rerun == 0:
        return checker
    sampling = checker.sampling.model_copy(
        update={
            "seed": (checker.sampling.seed + 7_919 * rerun * 100_003) % 2**31,
            "global_seed": (checker.sampling.global_seed + 104_729 * rerun) % 2**31,
        }
    )
    return checker.model_copy(update={"sampling": sampling})


@dataclass(frozen=True)
class LocalVerdict:
    status: str
    failure_kind: str | None
    detail: str


def judge_locally(task: Task, program: str, rerun: int = 0) -> LocalVerdict:
    """The verdict the sandbox would give ``program`` (ours) with the task reseeded by ``rerun``."""
    namespace: dict[str, Any] = {"__name__": "__candidate__"}
    exec(compile(program, "<program>", "exec"), namespace)
    checker = reseeded(task.checker, rerun)  # type: ignore[arg-type]
    prepared = PreparedTask(task.task_id, task.entry_point, None, data=checker)
    try:
        outcome = run_statistical(prepared, LocalChannel(namespace[task.entry_point]))  # type: ignore[arg-type]
    except Exception as exc:  # the program raised: an error verdict in the sandbox
        return LocalVerdict("error", None, f"{type(exc).__name__}: {exc}")
    return LocalVerdict(outcome["status"], outcome.get("failure_kind"), outcome.get("detail", ""))
