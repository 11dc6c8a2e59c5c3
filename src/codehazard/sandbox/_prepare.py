"""Compiling a task once per worker, and computing a differential task's expected outputs.

Expected outputs come from the reference solution, run in a trusted child process with a time
limit (a generated reference that hangs is the task's fault, reported as such), and are kept in
the worker's memory only: they never enter the sandbox.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
from typing import Any

from codehazard.errors import SandboxError
from codehazard.sandbox._codec import CodecError, decode, encode
from codehazard.sandbox._judge import PreparedTask
from codehazard.sandbox._predict import predict_calls
from codehazard.tasks import DifferentialChecker, Task


def _compile_or_none(source: str, name: str) -> Any:
    """Compile trusted task code as its own module: no ``__future__`` feature of this module
    leaks in (``dont_inherit``), and asserts are kept whatever the worker's optimisation level
    (``PYTHONOPTIMIZE`` would otherwise strip every ``assert`` of a test, passing everything)."""
    try:
        return compile(source, name, "exec", flags=0, dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def prepare_task(task: Task, timeout: float = 30.0) -> PreparedTask:
    """Compile a task's reference and checker; run the reference on differential inputs.

    Raises:
        SandboxError: the test code does not compile, or the reference fails on an input.
    """
    reference = _compile_or_none(task.reference_program, "<reference>")
    if reference is None:
        reference = _compile_or_none(task.prompt, "<reference>")
    checker = task.checker
    if isinstance(checker, DifferentialChecker):
        prepared = PreparedTask(
            task.task_id,
            task.entry_point,
            reference,
            None,
            [],
            checker.inputs,
            checker.oracle,
            checker.rel_tol,
            checker.abs_tol,
        )
        prepared.expected = _expected_outputs(prepared, timeout)
        prepared.predicted = [(tuple(args), {}) for args in checker.inputs]
        return prepared
    test = _compile_or_none(checker.test, "<test>")
    if test is None:
        raise SandboxError(f"task {task.task_id}: its test code does not compile")
    return PreparedTask(
        task.task_id,
        task.entry_point,
        reference,
        test,
        checker.test.splitlines(),
        None,
        "exact",
        0.0,
        0.0,
        predicted=predict_calls(checker.test, task.entry_point),
    )


def _expected_outputs(task: PreparedTask, timeout: float) -> list[Any]:
    if task.reference is None:
        raise SandboxError(f"task {task.task_id}: its reference solution does not compile")
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            namespace: dict[str, Any] = {"__name__": "__reference__"}
            exec(task.reference, namespace)
            fn = namespace[task.entry_point]
            assert task.inputs is not None
            out = {"ok": [encode(fn(*args)) for args in task.inputs]}
        except BaseException as exc:
            out = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        data = json.dumps(out).encode()
        while data:
            data = data[os.write(write_fd, data) :]
        os._exit(0)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                raise SandboxError(f"task {task.task_id}: the reference took over {timeout}s")
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    result = json.loads(b"".join(chunks) or b"{}")
    if "ok" not in result:
        raise SandboxError(
            f"task {task.task_id}: the reference fails on its inputs: {result.get('error')}"
        )
    try:
        return [decode(v) for v in result["ok"]]
    except CodecError as exc:
        raise SandboxError(
            f"task {task.task_id}: reference output is not plain data: {exc}"
        ) from None
