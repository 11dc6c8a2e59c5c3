"""Preparing a task once per worker, by its checker kind; the built-in kinds' trusted side.

``prepare_task`` looks the task's checker kind up in ``checker_registry`` and calls its
``prepare``. The ``test`` and ``differential`` kinds are prepared here.

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

from codehazard.errors import InputError, SandboxError
from codehazard.sandbox._codec import CodecError, decode, encode
from codehazard.sandbox._judge import PreparedTask, run_differential, run_test
from codehazard.sandbox._predict import predict_calls
from codehazard.tasks import DifferentialChecker, Task, TestChecker, checker_registry


def _compile_or_none(source: str, name: str) -> Any:
    """Compile trusted task code as its own module: no ``__future__`` feature of this module
    leaks in (``dont_inherit``), and asserts are kept whatever the worker's optimisation level
    (``PYTHONOPTIMIZE`` would otherwise strip every ``assert`` of a test, passing everything)."""
    try:
        return compile(source, name, "exec", flags=0, dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def prepare_task(task: Task, timeout: float = 30.0) -> PreparedTask:
    """Prepare a task for judging by its checker kind's trusted side.

    Raises:
        SandboxError: the kind's trusted side cannot be loaded, or it rejects the task (test
            code that does not compile, a reference that fails on an input).
    """
    try:
        kind = checker_registry.get(task.checker.kind)
        prepare = kind.trusted_prepare()
    except InputError as exc:
        raise SandboxError(f"task {task.task_id}: {exc}") from None
    prepared = prepare(task, task.checker, timeout)
    prepared.drivers = list(kind.drivers)  # what the kind declared, for the runner to bind
    if prepared.run is None and prepared.test is None and prepared.inputs is None:
        raise SandboxError(f"task {task.task_id}: checker kind {task.checker.kind!r} set no run")
    return prepared


def reference_code(task: Task) -> Any:
    """The compiled reference program (prompt + solution, else the prompt alone), or ``None``."""
    reference = _compile_or_none(task.reference_program, "<reference>")
    return reference if reference is not None else _compile_or_none(task.prompt, "<reference>")


def prepare_differential(task: Task, checker: DifferentialChecker, timeout: float) -> PreparedTask:
    """The ``differential`` kind: the reference's outputs on every input, computed once here.

    Raises:
        SandboxError: the reference does not compile, fails or hangs on an input.
    """
    prepared = PreparedTask(
        task.task_id,
        task.entry_point,
        reference_code(task),
        inputs=checker.inputs,
        oracle=checker.oracle,
        rel_tol=checker.rel_tol,
        abs_tol=checker.abs_tol,
        run=run_differential,
    )
    prepared.expected = _expected_outputs(prepared, timeout)
    prepared.predicted = [(tuple(args), {}) for args in checker.inputs]
    return prepared


def prepare_test(task: Task, checker: TestChecker, timeout: float) -> PreparedTask:
    """The ``test`` kind: compile the test; predict the calls it makes first.

    Raises:
        SandboxError: the test code does not compile.
    """
    test = _compile_or_none(checker.test, "<test>")
    if test is None:
        raise SandboxError(f"task {task.task_id}: its test code does not compile")
    return PreparedTask(
        task.task_id,
        task.entry_point,
        reference_code(task),
        test,
        checker.test.splitlines(),
        predicted=predict_calls(checker.test, task.entry_point),
        run=run_test,
    )


def reference_outputs(task: Task, inputs: list[list[Any]], timeout: float) -> list[Any]:
    """The reference's answers on ``inputs``, run in a trusted child with a time limit.

    For checker kinds that compare with the reference, as ``differential`` does.

    Raises:
        SandboxError: the reference does not compile, fails or hangs on an input.
    """
    prepared = PreparedTask(task.task_id, task.entry_point, reference_code(task), inputs=inputs)
    return _expected_outputs(prepared, timeout)


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
