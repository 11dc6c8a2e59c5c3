"""The worker process's entry point: receive the tasks, start a sandbox, judge until told to stop.

Kept apart from ``codehazard.evaluation`` so that a worker imports only what judging needs (the
sandbox, the task and verdict models), not the store, scoring or numpy: workers start side by
side at every evaluation, so their start-up is on every user's clock.
"""

from __future__ import annotations

import signal
import sys
from multiprocessing.connection import Connection
from typing import Any

from codehazard.sandbox._limits import Limits
from codehazard.tasks import Task, import_kind_sources
from codehazard.verdict import Verdict


def worker_entry() -> None:
    """Entry point of a worker process: ``python -c ... FD INDEX ISOLATION``.

    Workers are started as fresh interpreters with ``subprocess`` rather than
    ``multiprocessing``'s spawn, which would re-import the caller's ``__main__`` module.
    """
    # Ctrl-C in the terminal reaches the whole process group; the parent handles it and stops
    # us through the connection, so a worker neither dies mid-verdict nor prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd, index, isolation, disk_mb = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    conn = Connection(fd)
    kinds, tasks_json = conn.recv()
    import_kind_sources(kinds)  # checker kinds a caller's own module registered
    _worker_main(index, conn, tasks_json, isolation, int(disk_mb))


def _worker_main(
    index: int, conn: Connection, tasks_json: list[str], isolation: str, disk_mb: int
) -> None:
    """Body of a worker process: start the sandbox, then judge what arrives until told to stop."""
    from codehazard.errors import SandboxError as _SandboxError
    from codehazard.sandbox._prepare import prepare_task
    from codehazard.sandbox._worker import SandboxWorker

    tasks = {t.task_id: t for t in (Task.model_validate_json(j) for j in tasks_json)}
    worker = SandboxWorker(index, isolation, disk_mb)
    try:
        conn.send(("hello", worker.start()))
    except _SandboxError as exc:
        conn.send(("error", str(exc)))
        return
    prepared: dict[str, Any] = {}
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                break
            if message is None:
                break
            task_id, program, limits_dict = message
            task = tasks[task_id]
            limits = Limits(**limits_dict).with_timeout(task.timeout)
            try:
                if task_id not in prepared:
                    prepared[task_id] = prepare_task(task)
                verdict = worker.check(prepared[task_id], program, limits)
            except _SandboxError as exc:
                verdict = Verdict(status="infra", detail=str(exc), isolation=worker.isolation)
            conn.send(verdict.model_dump(mode="json"))
    finally:
        worker.close()
