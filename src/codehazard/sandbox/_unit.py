"""The sandbox's public unit of work: a prepared task, a program and limits in; a verdict out.

Every executor's worker calls ``judge_sample`` (the local pool's worker processes do, and a
Ray actor would): it owns a started ``Sandbox`` and prepares each task once
(``prepare_task``), then judges programs one at a time. A broken sandbox is an ``infra``
verdict, never an exception and never a model failure.
"""

from __future__ import annotations

from codehazard.errors import SandboxError
from codehazard.sandbox._judge import PreparedTask
from codehazard.sandbox._limits import Limits
from codehazard.sandbox._policy import IsolationRefused
from codehazard.sandbox._prepare import prepare_task
from codehazard.sandbox._worker import SandboxWorker as Sandbox
from codehazard.verdict import Verdict


def judge_sample(sandbox: Sandbox, prepared: PreparedTask, program: str, limits: Limits) -> Verdict:
    """Judge one untrusted ``program`` against a prepared task in a started sandbox.

    ``limits`` apply as given (a task's own timeout is applied by ``Limits.with_timeout``
    before calling). Must be called from the thread that started the sandbox.

    Returns the verdict; a sandbox that broke gives an ``infra`` verdict with the reason.

    Raises:
        IsolationRefused: the sandbox restarted with less isolation than it started with; it
            judges nothing more (the caller stops the evaluation).
    """
    try:
        return sandbox.check(prepared, program, limits)
    except IsolationRefused:
        raise
    except SandboxError as exc:
        return Verdict(status="infra", detail=str(exc), isolation=sandbox.isolation)


__all__ = ["PreparedTask", "Sandbox", "judge_sample", "prepare_task"]
