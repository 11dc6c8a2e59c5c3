"""The executor seam: the registry, the sandbox's public unit of work, the typed protocol."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from codehazard.errors import UnknownNameError
from codehazard.executors import Executor, executors, get_executor
from codehazard.models import GenerationParams, create_backend
from codehazard.samples import Sample
from codehazard.sandbox import (
    Job,
    Limits,
    Sandbox,
    StartFailed,
    judge_sample,
    prepare_task,
)
from codehazard.tasks import Task, load_tasks


@pytest.fixture(scope="module")
def add_task(tmp_path_factory: pytest.TempPathFactory) -> Task:
    import json

    from tests.conftest import TOY_TASKS

    path = tmp_path_factory.mktemp("tasks") / "toy.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TOY_TASKS))
    return load_tasks(path)["toy/add"]


def test_the_local_pool_is_a_registered_executor(add_task: Task) -> None:
    assert "local" in executors.names()
    factory = get_executor("local")
    with factory({add_task.task_id: add_task}, workers=1, limits=Limits(timeout=5)) as pool:
        assert isinstance(pool, Executor)
        program = add_task.prompt + "    return a + b\n"
        sample = Sample("toy/add#0", add_task.task_id, 0, {}, program)
        [(_, verdict)] = list(pool.evaluate([sample]))
        assert verdict.status == "passed" and pool.isolation["workers"] == 1
    with pytest.raises(UnknownNameError, match=r"unknown executor 'nosuch'; registered: .*local"):
        get_executor("nosuch")


def test_judge_sample_is_the_unit_of_work_any_worker_can_call(add_task: Task) -> None:
    sandbox = Sandbox(0, "auto")
    try:
        assert sandbox.start()["level"]
        prepared = prepare_task(add_task)
        limits = Limits(timeout=5).with_timeout(add_task.timeout)
        good = judge_sample(sandbox, prepared, add_task.prompt + "    return a + b\n", limits)
        bad = judge_sample(sandbox, prepared, add_task.prompt + "    return a - b\n", limits)
    finally:
        sandbox.close()
    assert good.status == "passed" and bad.status == "failed"


def test_a_worker_refuses_anything_but_its_configuration_first() -> None:
    parent, child = socket.socketpair()
    proc = subprocess.Popen(
        [sys.executable, "-m", "codehazard.sandbox._entry", str(child.fileno())],
        pass_fds=[child.fileno()],
        cwd=Path(__file__).resolve().parents[2],
    )
    child.close()
    conn = Connection(parent.detach())
    try:
        conn.send(Job("t", "print(1)", {}))
        assert conn.poll(60)
        reply = conn.recv()
    finally:
        conn.close()
        proc.wait(timeout=60)
    assert isinstance(reply, StartFailed) and "expected a WorkerConfig" in reply.message


def test_generate_batch_defaults_to_one_generate_each(add_task: Task) -> None:
    backend = create_backend("simulated")
    task = add_task
    backend.prepare({task.task_id: task})
    params = backend.resolve(GenerationParams(seed=0))
    requests = [(backend.build_request(task, i, params), task) for i in range(3)]
    batch = asyncio.run(backend.generate_batch(requests))
    one_by_one = [asyncio.run(backend.generate(r, t)) for r, t in requests]
    assert [c.text for c in batch] == [c.text for c in one_by_one] and len(batch) == 3


@pytest.mark.parametrize("retries", [0, 1])
def test_a_worker_killed_holding_two_samples_retries_both(add_task: Task, retries: int) -> None:
    """A worker holds the sample it judges and the next one (already in its connection): when
    it dies, both are sent to a new worker; the one being judged used an attempt (``infra``
    without retries), the one waiting did not."""
    import os
    import signal
    import time

    from codehazard.executors import LocalPool

    slow = add_task.prompt + "    import time\n    time.sleep(0.5)\n    return a + b\n"
    fast = add_task.prompt + "    return a + b\n"
    with LocalPool({add_task.task_id: add_task}, workers=1, retries=retries) as pool:
        slot = pool._slots[0]
        assert slot.process is not None
        first = slot.process.pid
        futures = [
            pool.submit(Sample(f"toy/add#{i}", add_task.task_id, i, {}, p))
            for i, p in enumerate([slow, fast, fast])
        ]
        time.sleep(0.3)  # the worker is judging the first and holds the second
        os.kill(first, signal.SIGKILL)
        statuses = [f.result(timeout=60).status for f in futures]
        assert slot.process is not None and slot.process.pid != first
    # only the sample being judged is charged for the failure: the next was only waiting
    assert statuses == ["passed" if retries else "infra", "passed", "passed"]
