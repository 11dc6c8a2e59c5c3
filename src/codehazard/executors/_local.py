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

import os
import queue
import signal
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

from codehazard.errors import ArgumentError, SandboxError
from codehazard.executors._base import check_submittable
from codehazard.samples import Sample
from codehazard.sandbox import (
    Done,
    IsolationRefused,
    Job,
    Limits,
    Ready,
    Refused,
    StartFailed,
    Stop,
    WorkerConfig,
    hidden_view,
    isolation_record,
    remove_worker_groups,
    require_isolation,
    require_isolation_kept,
)
from codehazard.sandbox import isolation_worker_mode as worker_mode
from codehazard.sandbox import parse_isolation_level as parse_level
from codehazard.tasks import Task, kind_sources
from codehazard.verdict import Verdict

_STOP = object()
_START_TIMEOUT = 60.0
_STALLS = 2  # a sample whose judge stalls this many fresh workers is the candidate's timeout
_PATIENCE = 5  # a worker still computing is waited for up to this many times the usual wait
_FIRST_LOOK = 1.0
"""Seconds a verdict is waited for before the worker's CPU time is read: a read of /proc that
nearly every sample would otherwise cost this process, which the whole evaluation waits on."""
PIPELINE = 2
"""Samples a worker holds at once: the one it judges and the next, already in its connection,
so it never waits for this process (busy with the store, and holding the interpreter lock) to
send the next; a worker that breaks loses both, and both are sent again."""


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of process ``pid`` so far, from /proc; None if unreadable."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _stall_detail() -> str:
    """Why a sample whose judge stalled two fresh workers is the candidate's timeout."""
    return (
        "time limit exceeded: the trusted test's own computation on the candidate's answers "
        "ran past the judge's CPU backstop, in two fresh workers (a C-level operation no timer "
        "interrupts, held by a value the candidate built, such as a set of integers that all "
        "hash alike)"
    )


class _Slot:
    """One worker process and the thread in this process that feeds it."""

    def __init__(self, owner: LocalPool, index: int) -> None:
        self.owner, self.index = owner, index
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.isolation: dict[str, Any] | None = None
        self.stopping = False  # the pool is closing: take no more samples
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
                hidden=owner._hidden,
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
        if isinstance(reply, Refused):  # it cannot start with what the run needs: never retried
            raise IsolationRefused(
                reply.message,
                obtained=reply.obtained,
                required=reply.required,
                refused=reply.refused,
            )
        if not isinstance(reply, Ready):
            raise SandboxError(f"worker {self.index}: unexpected {type(reply).__name__}")
        owner = self.owner
        if owner.started_with is None:  # the first worker's record is the run's
            require_isolation(reply.isolation, owner.minimum_isolation)  # below it: refused
            owner.started_with = reply.isolation
        else:  # a restart, or another worker: never judge with less than the run started with
            require_isolation_kept(owner.started_with, reply.isolation, owner.minimum_isolation)
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

    def _judge(self, inflight: deque[_Work]) -> Verdict:
        """Judge the oldest sample in flight in this worker, restarting it when it breaks; the
        others in flight are sent behind it (once each per worker).

        A worker that broke is the harness's failure (retried, then ``infra``), except one
        killed by its own judge's CPU backstop (SIGXCPU, ``sandbox._entry``): the trusted test
        was held in C code by a value the candidate built. That sample is tried once more in
        a fresh worker, and when it stalls that one too it is the candidate's ``timeout``. Only
        the sample being judged is charged for a failure: the others were only waiting.
        """
        owner = self.owner
        sample = inflight[0].sample
        task_limits = owner.limits.with_timeout(owner.tasks[sample.task_id].timeout)
        wait = task_limits.wall_timeout + 60.0  # the sandbox's own backstop, then some
        last, failures, stalls = "worker unavailable", 0, 0
        while failures <= owner.retries:
            try:
                if self.conn is None:
                    for work in inflight:
                        work.sent = False  # a new worker: it holds none of them
                    self.spawn()
                    self.send_tasks()
                    self.handshake()
                assert self.conn is not None
                for work in inflight:
                    if not work.sent:
                        self.conn.send(
                            Job(work.sample.task_id, work.sample.program, owner.limits.as_dict())
                        )
                        work.sent = True
                return self._reply(wait)
            except IsolationRefused:  # the run stops: no verdict with less isolation
                self._discard()
                raise
            except (EOFError, OSError, SandboxError) as exc:
                last = f"worker {self.index} failed: {exc or type(exc).__name__}"
                if self._discard() != -signal.SIGXCPU:
                    failures += 1
                    continue
                stalls += 1
                if stalls >= _STALLS:
                    return Verdict(
                        status="timeout",
                        detail=_stall_detail(),
                        isolation=self.isolation or {},
                    )
        return Verdict(status="infra", detail=last, isolation=self.isolation or {})

    def _reply(self, wait: float) -> Verdict:
        """The worker's verdict on the job just sent.

        Waits ``wait`` seconds, and on while the worker keeps using CPU (its judge computing:
        the kernel's CPU backstop ends that), so that a loaded machine's slowness is never
        taken for a hung worker; never more than ``_PATIENCE`` times ``wait`` in all (a worker
        busy outside the judge has no backstop of its own).

        Raises:
            SandboxError: no answer (``IsolationRefused`` when the worker refused to judge).
            EOFError, OSError: the worker died.
        """
        assert self.conn is not None and self.process is not None
        give_up = time.monotonic() + _PATIENCE * wait
        first = min(_FIRST_LOOK, wait)
        if self.conn.poll(first):  # most verdicts: no need to know the worker's CPU time
            return self._verdict()
        cpu, wait = _cpu_seconds(self.process.pid), wait - first
        while not self.conn.poll(wait):
            now = _cpu_seconds(self.process.pid)
            computing = now is not None and cpu is not None and now - cpu >= 1.0
            if not computing or time.monotonic() > give_up:
                raise SandboxError("worker did not answer in time")
            cpu, wait = now, 10.0
        return self._verdict()

    def _verdict(self) -> Verdict:
        """Read the worker's reply to the job just sent, which is waiting in the connection.

        Raises:
            SandboxError: not a verdict (``IsolationRefused`` when the worker refused to judge).
            EOFError, OSError: the worker died.
        """
        assert self.conn is not None
        reply = self.conn.recv()
        if isinstance(reply, Refused):
            raise IsolationRefused(
                reply.message,
                obtained=reply.obtained,
                required=reply.required,
                refused=reply.refused,
            )
        if not isinstance(reply, Done):
            raise SandboxError(f"unexpected {type(reply).__name__} from the worker")
        return Verdict.model_validate(reply.verdict)

    def _discard(self) -> int | None:
        """Kill and reap the worker; return how it had ended by itself (its return code), or
        ``None`` when it was still running."""
        code = None
        if self.process is not None:
            try:  # a worker whose socket closed is dead or dying: how did it end?
                code = self.process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            remove_worker_groups(self.process.pid)  # a crashed worker leaves its cgroups
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None
        return code

    def _next(self, block: bool) -> _Work | None:
        """The next sample from the shared queue (``None``: none now, or the pool is closing)."""
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
        inflight: deque[_Work] = deque()
        while True:
            while len(inflight) < PIPELINE:
                work = self._next(block=not inflight)
                if work is None:
                    break
                inflight.append(work)
            if not inflight:
                return
            try:
                verdict = self._judge(inflight)
            except BaseException as exc:  # never leave a caller waiting forever
                inflight.popleft().future.set_exception(exc)
                continue
            inflight.popleft().future.set_result(verdict)


class _Work:
    """One sample on its way through a slot, and whether its worker has been sent it."""

    def __init__(self, sample: Sample, future: Future[Verdict]) -> None:
        self.sample, self.future = sample, future
        self.sent = False


class LocalPool:
    """Judge samples in sandboxed worker processes.

    Use as a context manager. ``submit`` returns a ``concurrent.futures.Future[Verdict]``.

    ``isolation`` is the least isolation accepted (``full``, the default ``auto``; ``partial``,
    ``rlimits-only``, or ``none``, which also asks the workers for none).

    Raises:
        ValueError: ``workers < 1``; ``isolation`` is not a level (an ``InputError``).
        SandboxError: no worker could start its sandbox; ``IsolationRefused`` when a worker
            obtained less isolation than ``isolation`` accepts, or than the first worker did.

    A worker restarted mid-run that obtains less than the first worker did (or a sandbox
    restarted inside a worker) judges nothing: the futures of its samples raise
    ``IsolationRefused``, and the caller stops.
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
        self.started_with: dict[str, Any] | None = None  # isolation every worker must keep
        self._tasks_json = [t.model_dump_json() for t in self.tasks.values()]
        self._kind_sources = kind_sources({t.checker.kind for t in self.tasks.values()})
        self._queue: queue.Queue[Any] = queue.Queue()
        self._slots = [_Slot(self, i) for i in range(workers)]
        self._closed = False
        self._hidden: dict[str, list[str]] | None = None
        try:
            # every interpreter starts before any is waited on: they import side by side,
            # while this process walks the library trees for what to hide, once for all
            for slot in self._slots:
                slot.spawn()
            self._hidden = hidden_view()
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
        check_submittable(self._closed, self.tasks, sample)
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
