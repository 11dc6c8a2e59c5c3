"""The local executor: a pool of sandboxed worker processes behind a thread-safe ``submit``.

Each worker is a fresh interpreter (``python -m codehazard.sandbox._entry``) that holds the
tasks, owns one sandbox and judges samples one at a time with the sandbox's unit of work; the
two ends speak the typed messages of ``codehazard.sandbox._protocol``. A thread per worker
feeds it from one shared queue, so ``submit`` can be called from any thread (or from asyncio
via ``asyncio.wrap_future``) and samples flow to whichever worker is free. A worker that dies
is restarted and its sample retried; a sample that keeps breaking the harness ends as
``infra``, never as a model failure.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, as_completed
from multiprocessing.connection import Connection
from typing import Any

from codehazard.errors import ArgumentError, SandboxError, UnknownNameError
from codehazard.samples import Sample
from codehazard.sandbox import (
    Done,
    Job,
    Limits,
    Ready,
    StartFailed,
    Stop,
    WorkerConfig,
    isolation_record,
    remove_worker_groups,
    require_isolation,
)
from codehazard.sandbox import isolation_worker_mode as worker_mode
from codehazard.sandbox import parse_isolation_level as parse_level
from codehazard.tasks import Task, kind_sources
from codehazard.verdict import Verdict

_STOP = object()
_START_TIMEOUT = 60.0
PIPELINE = 2
"""Samples a worker holds at once: the one it judges and the next, already in its connection."""


class _Slot:
    """One worker process and the thread in this process that feeds it."""

    def __init__(self, owner: LocalPool, index: int) -> None:
        self.owner, self.index = owner, index
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.isolation: dict[str, Any] | None = None
        self.stopping = False  # the pool is closing: take no more samples
        self._why: str | None = None  # why the worker broke, until its samples are retried
        self.thread = threading.Thread(
            target=self._loop, name=f"codehazard-slot-{index}", daemon=True
        )

    def spawn(self) -> None:
        parent, child = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "codehazard.sandbox._entry", str(child.fileno())],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
            )
        finally:
            child.close()
        self.conn = Connection(parent.detach())

    def send_tasks(self) -> None:
        """Hand the spawned worker its configuration and tasks."""
        assert self.conn is not None
        owner = self.owner
        self.conn.send(
            WorkerConfig(
                index=self.index,
                isolation=owner.isolation_mode,
                disk_mb=int(owner.limits.max_disk_mb),
                tasks_json=owner._tasks_json,
                kind_sources=owner._kind_sources,
            )
        )

    def handshake(self) -> None:
        assert self.conn is not None
        if not self.conn.poll(_START_TIMEOUT):
            raise SandboxError(f"worker {self.index} did not start within {_START_TIMEOUT}s")
        try:
            reply = self.conn.recv()
        except EOFError:
            raise SandboxError(f"worker {self.index} died while starting") from None
        if isinstance(reply, StartFailed):
            raise SandboxError(f"worker {self.index}: {reply.message}")
        if not isinstance(reply, Ready):
            raise SandboxError(f"worker {self.index}: unexpected {type(reply).__name__}")
        require_isolation(reply.isolation, self.owner.minimum_isolation)  # below it: refused
        self.isolation = reply.isolation

    def stop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.send(Stop())
            except OSError:
                pass
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            remove_worker_groups(self.process.pid)  # a killed worker leaves its cgroups
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def _start(self) -> None:
        if self.conn is None:
            self.spawn()
            self.send_tasks()
            self.handshake()

    def _next(self, block: bool) -> _Work | None:
        """The next sample to judge from the shared queue (``None``: none now, or stopping)."""
        while not self.stopping:
            try:
                item = self.owner._queue.get(block=block)
            except queue.Empty:
                return None
            if item is _STOP:
                self.stopping = True
                return None
            sample, future = item
            if future.set_running_or_notify_cancel():
                return _Work(sample, future)
        return None

    def _loop(self) -> None:
        """Feed the worker up to ``PIPELINE`` samples at a time and hand out its verdicts.

        The next sample waits in the worker's connection while it judges the current one, so
        the worker never idles while this process (busy with the store, say, and holding the
        interpreter lock) gets round to sending it. A worker that fails takes every sample it
        held with it: each is tried again on a new worker, up to ``retries`` more times.
        """
        inflight: deque[_Work] = deque()
        while True:
            while self._why is None and len(inflight) < PIPELINE:
                work = self._next(block=not inflight)
                if work is None:
                    break
                inflight.append(work)
                self._send(work, first=len(inflight) == 1)
            if not inflight:
                return
            try:
                if self._why is not None:
                    self._retry(inflight)
                    continue
                verdict = self._receive(inflight[0])
            except BaseException as exc:  # never leave a caller waiting forever
                for work in inflight:
                    work.future.set_exception(exc)
                inflight.clear()
                continue
            if verdict is None:
                continue  # the worker broke: the next round retries what it held
            done = inflight.popleft()
            if inflight:
                inflight[0].started = time.monotonic()
            done.future.set_result(verdict)

    def _send(self, work: _Work, first: bool) -> None:
        """Send one sample to the worker, starting one if needed; on failure note why (the
        loop then retries every sample in flight)."""
        try:
            self._start()
            assert self.conn is not None
            self.conn.send(
                Job(work.sample.task_id, work.sample.program, self.owner.limits.as_dict())
            )
        except (EOFError, OSError, SandboxError) as exc:
            self._broke(exc)
        if first:
            work.started = time.monotonic()

    def _receive(self, head: _Work) -> Verdict | None:
        """The verdict of the oldest sample in flight, or ``None`` when the worker broke."""
        assert self.conn is not None
        owner = self.owner
        limits = owner.limits.with_timeout(owner.tasks[head.sample.task_id].timeout)
        wait = head.started + limits.wall_timeout + 60.0 - time.monotonic()  # backstop, and some
        try:
            if not self.conn.poll(max(0.0, wait)):
                raise SandboxError("worker did not answer in time")
            reply = self.conn.recv()
            if not isinstance(reply, Done):
                raise SandboxError(f"unexpected {type(reply).__name__} from the worker")
        except (EOFError, OSError, SandboxError) as exc:
            self._broke(exc)
            return None
        return Verdict.model_validate(reply.verdict)

    def _broke(self, exc: BaseException) -> None:
        self._why = f"worker {self.index} failed: {exc or type(exc).__name__}"
        self._discard()

    def _retry(self, inflight: deque[_Work]) -> None:
        """The worker broke holding ``inflight``: each sample has used one more attempt; those
        out of attempts end as ``infra``, the others go to a new worker."""
        why, self._why = self._why, None
        for work in list(inflight):
            work.attempts += 1
            if work.attempts > self.owner.retries:
                inflight.remove(work)
                verdict = Verdict(status="infra", detail=why or "", isolation=self.isolation or {})
                work.future.set_result(verdict)
        for index, work in enumerate(inflight):
            if self._why is None:
                self._send(work, first=index == 0)

    def _discard(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            remove_worker_groups(self.process.pid)  # a crashed worker leaves its cgroups
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None


class _Work:
    """One sample on its way through a slot: its future, and the attempts it has used."""

    def __init__(self, sample: Sample, future: Future[Verdict]) -> None:
        self.sample, self.future = sample, future
        self.attempts = 0
        self.started = time.monotonic()  # when the worker began judging it (once oldest)


class LocalPool:
    """Judge samples in sandboxed worker processes.

    Use as a context manager. ``submit`` returns a ``concurrent.futures.Future[Verdict]``.

    ``isolation`` is the least isolation accepted (``full``, the default ``auto``; ``partial``,
    ``rlimits-only``, or ``none``, which also asks the workers for none).

    Raises:
        ValueError: ``workers < 1``; ``isolation`` is not a level (an ``InputError``).
        SandboxError: no worker could start its sandbox; ``IsolationRefused`` when a worker
            obtained less isolation than ``isolation`` accepts.
    """

    def __init__(
        self,
        tasks: Mapping[str, Task],
        *,
        workers: int = 2,
        limits: Limits | None = None,
        isolation: str = "auto",
        retries: int = 2,
    ) -> None:
        if workers < 1:
            raise ArgumentError(f"workers must be at least 1, got {workers}")
        self.tasks = dict(tasks)
        self.limits = limits or Limits()
        self.minimum_isolation = parse_level(isolation)  # "auto" (the default) means full
        self.isolation_mode = worker_mode(isolation)
        self.retries = retries
        self._tasks_json = [t.model_dump_json() for t in self.tasks.values()]
        self._kind_sources = kind_sources({t.checker.kind for t in self.tasks.values()})
        self._queue: queue.Queue[Any] = queue.Queue()
        self._slots = [_Slot(self, i) for i in range(workers)]
        self._closed = False
        try:
            # every interpreter starts before any is waited on: they import side by side
            for slot in self._slots:
                slot.spawn()
            for slot in self._slots:
                slot.send_tasks()
            for slot in self._slots:
                slot.handshake()
        except BaseException:
            for slot in self._slots:
                slot.stop()
            raise
        for slot in self._slots:
            slot.thread.start()

    @property
    def isolation(self) -> dict[str, Any]:
        """The isolation obtained (the first worker's; all workers run the same setup)."""
        found = self._slots[0].isolation or {}
        return {**isolation_record(found, self.minimum_isolation), "workers": len(self._slots)}

    def submit(self, sample: Sample) -> Future[Verdict]:
        """Queue one sample; its task must be among the evaluator's tasks.

        Raises:
            KeyError: the sample's task is unknown to this evaluator.
            RuntimeError: the evaluator is closed.
        """
        if self._closed:
            raise RuntimeError("the evaluator is closed")
        if sample.task_id not in self.tasks:
            raise UnknownNameError(
                f"unknown task_id {sample.task_id!r}", kind="task", name=sample.task_id
            )
        future: Future[Verdict] = Future()
        self._queue.put((sample, future))
        return future

    def evaluate(self, samples: Iterable[Sample]) -> Iterator[tuple[Sample, Verdict]]:
        """Judge samples, yielding each with its verdict as soon as it is known."""
        futures = {self.submit(s): s for s in samples}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self) -> None:
        """Stop the workers; samples still queued are cancelled."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                item[1].cancel()
        for _ in self._slots:
            self._queue.put(_STOP)
        for slot in self._slots:
            slot.thread.join()
            slot.stop()

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
