"""Backends that take whole batches get them: ``generate_batch``, not one request at a time.

``BatchEcho`` below is a real backend, registered by name like a local engine would be: it
answers each task with its reference solution, counts the batches it is given, and refuses to
be asked one request at a time unless a batch was refused first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import ClassVar

import pytest
from gen_toys import toy_tasks

from codehazard.generation import Generated, Generator, RetryPolicy
from codehazard.models import (
    Completion,
    GenerationParams,
    ModelBackend,
    RejectedRequestError,
    Request,
    TransientBackendError,
    create_backend,
    default_registry,
    register_backend,
)
from codehazard.runs import RunConfig, SessionOptions, start
from codehazard.sandbox import Limits
from codehazard.store import ResponseCache, Store
from codehazard.tasks import Task

FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)


class BatchEcho(ModelBackend):
    """A local-engine stand-in: batches of up to four, answered with the reference."""

    spec_help = "batch-echo/<model>"
    batch_size = 4
    batches: ClassVar[list[int]] = []
    singles: ClassVar[list[str]] = []
    transient_failures: ClassVar[int] = 0
    refused_task: ClassVar[str | None] = None

    def _answer(self, task: Task | None) -> Completion:
        assert task is not None
        if task.task_id == BatchEcho.refused_task:
            raise RejectedRequestError(f"{task.task_id}: refused")
        return Completion(text=f"```python\n{task.prompt}{task.canonical_solution}```\n")

    async def generate(self, request: Request, task: Task | None) -> Completion:
        assert BatchEcho.refused_task is not None, "a batch backend was asked one at a time"
        BatchEcho.singles.append(task.task_id if task else "")
        return self._answer(task)

    async def generate_batch(
        self, batch: Sequence[tuple[Request, Task | None]]
    ) -> list[Completion]:
        BatchEcho.batches.append(len(batch))
        if BatchEcho.transient_failures:
            BatchEcho.transient_failures -= 1
            raise TransientBackendError("the engine is warming up")
        return [self._answer(task) for _, task in batch]


@pytest.fixture
def batch_echo() -> Iterator[type[BatchEcho]]:
    register_backend("batch-echo")(BatchEcho)
    BatchEcho.batches, BatchEcho.singles = [], []
    BatchEcho.transient_failures, BatchEcho.refused_task = 0, None
    yield BatchEcho
    default_registry().unregister("batch-echo")


def test_a_run_hands_a_batch_backend_whole_batches(
    batch_echo: type[BatchEcho], store: Store
) -> None:
    config = RunConfig(
        model="batch-echo/local",
        params=GenerationParams(n=5, seed=0),
        limits=Limits(timeout=5.0).as_dict(),
    )
    session = SessionOptions(workers=1, max_connections=8, retry=FAST)
    first = start(store, toy_tasks(3), config, session=session)
    assert first.status == "complete" and first.summary.pass_at_k["1"] == 1.0
    assert batch_echo.batches == [4, 4, 4, 3] and batch_echo.singles == []
    assert len(ResponseCache(store)) == 15
    # the same run again: every sample from the cache, no batch at all
    again = start(store, toy_tasks(3), config, session=session)
    assert again.summary.generation is not None
    assert again.summary.generation["cache_hits"] == 15
    assert batch_echo.batches == [4, 4, 4, 3]


def _generate(backend: ModelBackend, jobs: list[tuple[Task, int]]) -> list[Generated]:
    out: list[Generated] = []
    generator = Generator(backend, GenerationParams(seed=0, mode="chat"), retry=FAST)
    asyncio.run(generator.run(jobs, out.append))
    return out


def test_a_transient_failure_retries_the_batch_and_a_refusal_fails_one_sample(
    batch_echo: type[BatchEcho],
) -> None:
    backend = create_backend("batch-echo/local")
    tasks = toy_tasks(6)
    batch_echo.transient_failures = 1
    out = _generate(backend, [(t, 0) for t in tasks[:4]])
    assert batch_echo.batches == [4, 4], "the failed batch was sent again, whole"
    assert all(g.meta.error is None and g.meta.attempts == 2 for g in out)

    batch_echo.batches, batch_echo.refused_task = [], "toy/1"
    out = _generate(backend, [(t, 0) for t in tasks])
    assert batch_echo.batches == [4, 2]
    assert batch_echo.singles == ["toy/0", "toy/1", "toy/2", "toy/3"]  # the refused batch
    assert [g.task.task_id for g in out] == [t.task_id for t in tasks]
    assert [g.meta.error is not None for g in out] == [False, True, False, False, False, False]
    assert "refused" in str(out[1].meta.error)
