"""The worker process: receive its configuration, start a sandbox, judge until told to stop.

Started as ``python -m codehazard.sandbox._entry FD`` (a fresh interpreter: ``multiprocessing``'s
spawn would re-import the caller's ``__main__``); it speaks the typed messages of
``_protocol`` over the socket ``FD`` and judges each job with the public unit of work,
``judge_sample``. Kept apart from ``codehazard.evaluation`` so that a worker imports only what
judging needs (the sandbox, the task and verdict models), not the store, scoring or numpy:
workers start side by side at every evaluation, so their start-up is on every user's clock.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import tempfile
from multiprocessing.connection import Connection
from typing import Any

from codehazard.sandbox._limits import Limits
from codehazard.sandbox._policy import IsolationRefused
from codehazard.sandbox._protocol import Done, Job, Ready, Refused, StartFailed, WorkerConfig
from codehazard.tasks import Task, import_kind_sources, kind_driver_modules


def worker_entry(argv: list[str] | None = None) -> None:
    """Entry point of a worker process: ``python -m codehazard.sandbox._entry FD``."""
    # Ctrl-C in the terminal, and SIGTERM from a service manager or `timeout`, reach the whole
    # process group; the parent handles them and stops us through the connection (or we see it
    # close when the parent dies), so a worker never dies mid-verdict, prints a traceback or
    # leaves its cgroups behind. The parent kills a worker it gives up on with SIGKILL.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)  # a stalled judge's end (_limits)
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    args = sys.argv[1:] if argv is None else argv
    conn = Connection(int(args[0]))
    config = conn.recv()
    if not isinstance(config, WorkerConfig):
        conn.send(StartFailed(f"expected a WorkerConfig first, got {type(config).__name__}"))
        return
    import_kind_sources(config.kind_sources)  # checker kinds a caller's own module registered
    _worker_main(conn, config)


def _worker_main(conn: Connection, config: WorkerConfig) -> None:
    """Body of a worker process: start the sandbox, then judge what arrives until told to stop."""
    from codehazard.errors import SandboxError as _SandboxError
    from codehazard.sandbox._unit import Sandbox, judge_sample, prepare_task
    from codehazard.verdict import Verdict

    tasks = {t.task_id: t for t in (Task.model_validate_json(j) for j in config.tasks_json)}
    preload = kind_driver_modules({t.checker.kind for t in tasks.values()})
    worker = Sandbox(
        config.index, config.isolation, config.disk_mb, preload=preload, hidden=config.hidden
    )
    worker.cpu_backstop = True  # a process of our own: the kernel may end a stalled judge
    try:
        conn.send(Ready(worker.start()))
    except IsolationRefused as exc:  # a guarantee this host cannot give now (no uid lease)
        conn.send(Refused(str(exc), exc.obtained, exc.required, exc.refused))
        return
    except _SandboxError as exc:
        conn.send(StartFailed(str(exc)))
        return
    prepared: dict[str, Any] = {}
    # The judge runs each task's trusted reference and test code in this process; a task's
    # module code may write files by relative path (fixtures of the security prompts do).
    # They land in a scratch directory of this worker's own, never in the user's directory.
    scratch = tempfile.TemporaryDirectory(prefix="codehazard-judge-")
    os.chdir(scratch.name)
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                break
            if not isinstance(message, Job):
                break  # Stop, or anything else: the parent is done with us
            task = tasks[message.task_id]
            limits = Limits(**message.limits).with_timeout(task.timeout)
            try:
                if message.task_id not in prepared:
                    prepared[message.task_id] = prepare_task(task)
            except _SandboxError as exc:
                verdict = Verdict(status="infra", detail=str(exc), isolation=worker.isolation)
            else:
                ready = prepared[message.task_id]
                try:
                    verdict = judge_sample(worker, ready, message.program, limits)
                except IsolationRefused as exc:  # restarted with less: judge nothing more
                    conn.send(Refused(str(exc), exc.obtained, exc.required, exc.refused))
                    break
            conn.send(Done(verdict.model_dump(mode="json")))
    finally:
        worker.close()
        os.chdir("/")
        scratch.cleanup()


if __name__ == "__main__":
    worker_entry()
