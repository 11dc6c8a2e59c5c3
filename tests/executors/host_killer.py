"""A checker kind for the Ray executor's fault tests: a sample that kills what hosts its pool.

The kind's trusted judge runs in a sandbox worker process, whose parent is the process that
holds the pool: under the Ray executor, a Ray actor. When the candidate answers ``"kill"`` the
judge kills that parent, as a node lost under a sample loses its actor; any other answer is
judged normally. Never use it with the local executor: there the parent is the caller itself.
"""

from __future__ import annotations

import os
import signal
from typing import Literal

from codehazard.sandbox import Channel, Outcome, PreparedTask, reference_code
from codehazard.tasks import CheckerSpec, Task, checker_kind


def _judge(prepared: PreparedTask, ch: Channel) -> Outcome:
    answer = ch.call((), {})
    if answer == "kill":
        os.kill(os.getppid(), signal.SIGKILL)
        os._exit(1)
    status = "passed" if answer == "ok" else "failed"
    return {"status": status, "detail": "" if status == "passed" else f"answered {answer!r}"}


def _prepare(task: Task, checker: HostKiller, timeout: float) -> PreparedTask:
    return PreparedTask(task.task_id, task.entry_point, reference_code(task), run=_judge)


@checker_kind(prepare=_prepare, help="the candidate answers 'ok'; 'kill' kills the pool's host")
class HostKiller(CheckerSpec):
    """Pass on ``"ok"``; on ``"kill"``, kill the process that hosts the sandbox pool."""

    kind: Literal["kills-its-host"] = "kills-its-host"


TASK = {
    "task_id": "host/answer",
    "prompt": "def answer():\n",
    "canonical_solution": "    return 'ok'\n",
    "entry_point": "answer",
    "checker": {"kind": "kills-its-host"},
}
