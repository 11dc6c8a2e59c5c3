"""One session of a generation run: generate, store, judge, all overlapping, in one event loop.

Every step is written in this order: the response (cache), the sample, its verdict, its scores.
The response is committed at once; the rest go in group commits (``Store.batched``), at most
``COMMIT_INTERVAL`` seconds after they exist. A kill at any moment therefore leaves a store
from which a resume recomputes exactly what is missing: samples never stored are generated
again (from the cache when their response came back), samples without a final verdict are
judged again, and keys are stable, so nothing is missed or duplicated.

Nothing is kept per sample once its verdict is recorded: samples come from the backend (or,
for a resume, from the store a page at a time) as the bounded window of samples in flight has
room, and leave when judged, so the session's memory does not grow with the run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from codehazard.errors import BackendError, StoreError
from codehazard.evaluation import code_version, host_profile
from codehazard.executors import Executor, ExecutorFactory
from codehazard.generation import (
    Generated,
    GenerationStats,
    Generator,
    RetryPolicy,
    decided_verdict,
    make_sample,
    preflight,
)
from codehazard.models import BackendOptions, GenerationParams, ModelBackend
from codehazard.runs._manifest import RunManifest, SessionRecord, parse_manifest
from codehazard.runs._scorers import Scorer, run_scorer
from codehazard.samples import Sample
from codehazard.sandbox import IsolationRefused, Limits
from codehazard.store import SANDBOX_SCORER, ResponseCache, Store
from codehazard.tasks import Task
from codehazard.verdict import Verdict

COMMIT_INTERVAL = 0.25
"""Seconds a sample, verdict or score may wait for its group commit (what a kill can cost)."""


@dataclass(frozen=True)
class SessionOptions:
    """How this session works (not part of the run's identity; may differ on resume).

    ``backend.base_url``, when set, overrides the URL recorded with the run (a server that
    moved); ``max_connections`` bounds the requests in flight and sizes the backend's
    connection pool (it replaces ``backend.max_connections``); ``read_cache=False`` asks the
    backend afresh (responses are still cached); ``executor`` names the registered executor
    that judges; ``by`` names task-metadata keys the summary breaks pass@1 down by.
    """

    workers: int = 2
    isolation: str = "auto"
    max_connections: int = 16
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    read_cache: bool = True
    backend: BackendOptions = field(default_factory=BackendOptions)
    executor: str = "local"
    by: tuple[str, ...] = ()


@dataclass
class ProgressState:
    """What a progress display shows; passed to the progress callback after every event."""

    run_id: str
    total: int
    done: int = 0
    passed: int = 0
    judged: int = 0
    infra: int = 0
    generated: int = 0
    cache_hits: int = 0
    failed_generations: int = 0
    done_at_start: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def pass_rate(self) -> float | None:
        """Passed over judged samples so far (``infra`` excluded), ``None`` before the first."""
        return self.passed / self.judged if self.judged else None

    @property
    def rate(self) -> float:
        """Samples finished per second in this session."""
        elapsed = time.monotonic() - self.started
        return (self.done - self.done_at_start) / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, ``None`` until there is a rate."""
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None


ProgressFn = Callable[[ProgressState], None]


@dataclass
class Plan:
    """Everything decided before the event loop starts: what to generate and what to judge."""

    backend: ModelBackend
    params: GenerationParams
    tasks: Sequence[Task]
    limits: Limits
    jobs: list[tuple[Task, int]]
    replace: set[str]
    to_judge: list[str]
    """Keys of stored samples without a final verdict, read back when there is room."""
    total: int
    probe: bool
    new_manifest: RunManifest | None = None
    run_id: str | None = None
    scorers: Sequence[Scorer] = ()
    to_score: list[tuple[str, Sequence[Scorer]]] = field(default_factory=list)
    """Keys of samples judged already that some of the run's scorers have not scored (on
    resume), with those scorers."""


class Session:
    """Runs one plan to the end (or until interrupted) against one store."""

    def __init__(
        self,
        store: Store,
        plan: Plan,
        options: SessionOptions,
        factory: ExecutorFactory,
        progress: ProgressFn | None,
        cache: ResponseCache | None,
    ) -> None:
        self.store, self.plan, self.options = store, plan, options
        self.factory, self.progress, self.cache = factory, progress, cache
        self.run_id: str | None = plan.run_id
        self.stats = GenerationStats()
        self.state: ProgressState | None = None
        self._evals: set[asyncio.Task[None]] = set()
        self._room = asyncio.Semaphore(max(64, 8 * options.workers))
        self._tasks = {t.task_id: t for t in plan.tasks}
        self.interrupted = False
        self._main: asyncio.Task[None] | None = None
        self.refused: IsolationRefused | None = None  # a restarted worker obtained less
        self.store_error: StoreError | None = None  # a group commit failed

    async def main(self) -> None:
        """Preflight, start the sandbox, open the run, work; always close the backend.

        Raises:
            BackendError: preflight failed (before any run is created) or the backend broke.
            SandboxError: the sandbox cannot start; ``IsolationRefused`` also when a worker
                restarted mid-run obtained less isolation than the run started with.
            StoreError: the store cannot be written.
            asyncio.CancelledError: the progress callback raised ``KeyboardInterrupt``
                (``interrupted`` is then set).
        """
        self._main = asyncio.current_task()
        plan = self.plan
        try:
            if plan.probe:
                await preflight(plan.backend, plan.params, self.options.retry)
            work = bool(plan.jobs or plan.to_judge)
            executor: AbstractContextManager[Executor | None] = (
                self.factory(
                    {t.task_id: t for t in plan.tasks},
                    # never more workers than samples to judge: each costs a sandbox start
                    workers=max(1, min(self.options.workers, len(plan.jobs) + len(plan.to_judge))),
                    limits=plan.limits,
                    isolation=self.options.isolation,
                )
                if work
                else nullcontext(None)
            )
            with executor as ev, self.store.batched(max_delay=COMMIT_INTERVAL):
                self._open_run(ev)
                flusher = asyncio.ensure_future(self._flush_every(COMMIT_INTERVAL))
                try:
                    await self._backfill()
                    if ev is not None:
                        await self._work(ev)
                finally:
                    flusher.cancel()
        except asyncio.CancelledError:
            if self.refused is not None:  # not an interruption: the sandbox refused
                raise self.refused from None
            if self.store_error is not None:  # nor is a store that cannot be written
                raise self.store_error from None
            raise
        finally:
            await plan.backend.aclose()

    async def _flush_every(self, interval: float) -> None:
        """Commit what waits in the store's buffer every ``interval`` seconds, so a verdict
        is never left uncommitted because no other write came after it."""
        while True:
            await asyncio.sleep(interval)
            try:
                self.store.flush()
            except StoreError as exc:  # the store broke: stop the run, as a failed write does
                self.store_error = exc
                if self._main is not None:
                    self._main.cancel()
                return

    def _open_run(self, ev: Executor | None) -> None:
        store, plan = self.store, self.plan
        if self.run_id is None:
            assert plan.new_manifest is not None
            manifest = plan.new_manifest
            self.run_id = store.create_run(manifest.kind, manifest.to_params())
            store.add_tasks(self.run_id, plan.tasks)
        else:
            store.set_run_status(self.run_id, "running")
            info = store.get_run(self.run_id)
            manifest = parse_manifest(info.id, info.kind, info.params)
        update: dict[str, Any] = {"workers": self.options.workers}
        names = tuple(dict.fromkeys([*manifest.config.scorers, *(s.name for s in plan.scorers)]))
        if names != manifest.config.scorers:  # scorers added on resume are the run's from now on
            update["config"] = manifest.config.model_copy(update={"scorers": names})
        if ev is not None:
            update["isolation"] = ev.isolation
        session = SessionRecord(
            started=time.time(),
            code_version=code_version(),
            host=host_profile(),
            base_url=plan.backend.server,  # which server answered this session's requests
        )
        update["sessions"] = [*manifest.sessions, session]
        store.update_params(self.run_id, manifest.model_copy(update=update).to_params())
        counts = store.status_counts(self.run_id)
        judged = sum(n for status, n in counts.items() if status != "infra")
        self.state = ProgressState(
            run_id=self.run_id,
            total=plan.total,
            done=judged,
            passed=counts.get("passed", 0),
            judged=judged,
            done_at_start=judged,
        )
        self._notify()

    async def _work(self, ev: Executor) -> None:
        generator = Generator(
            self.plan.backend,
            self.plan.params,
            cache=self.cache,
            read_cache=self.options.read_cache,
            retry=self.options.retry,
            max_connections=self.options.max_connections,
        )
        self.stats = generator.stats
        feeder = asyncio.ensure_future(self._feed(ev, self.plan.to_judge))
        try:
            try:
                await generator.run(self.plan.jobs, lambda g: self._on_generated(ev, g))
            except BackendError:
                # nothing more will be generated: judge what was, so it is kept, then stop
                await asyncio.gather(feeder, *list(self._evals), return_exceptions=True)
                raise
            await feeder
            while self._evals:
                await asyncio.gather(*list(self._evals))
        finally:
            feeder.cancel()
            for task in list(self._evals):
                task.cancel()
            await asyncio.gather(feeder, *list(self._evals), return_exceptions=True)

    async def _feed(self, ev: Executor, keys: Sequence[str]) -> None:
        """Judge the stored samples of ``keys``, read back a page at a time as there is room."""
        assert self.run_id is not None
        for sample in self.store.iter_samples(self.run_id, keys=keys):
            await self._room.acquire()
            self._dispatch(ev, sample)

    async def _on_generated(self, ev: Executor, generated: Generated) -> None:
        assert self.run_id is not None and self.state is not None
        sample = make_sample(generated.task, generated.index, generated.completion, generated.meta)
        if sample.key in self.plan.replace:
            self.store.replace_sample(self.run_id, sample)
        else:
            self.store.add_samples(self.run_id, [sample])
        if generated.meta.error is not None:
            self.state.failed_generations += 1
        elif generated.meta.cache_hit:
            self.state.cache_hits += 1
        else:
            self.state.generated += 1
        await self._room.acquire()  # backpressure: a bounded number of samples wait for judging
        self._dispatch(ev, sample)

    def _dispatch(self, ev: Executor, sample: Sample) -> None:
        """Judge ``sample`` (holding one unit of ``_room``, released once it has a verdict)."""
        verdict = decided_verdict(sample)
        if verdict is not None:
            self._room.release()
            self._record(sample, verdict)
            return
        task = asyncio.ensure_future(self._judge(ev.submit(sample), sample))
        self._evals.add(task)
        task.add_done_callback(self._evals.discard)

    async def _judge(self, future: concurrent.futures.Future[Verdict], sample: Sample) -> None:
        try:
            verdict = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            raise
        except IsolationRefused as exc:  # a restarted worker got less: stop, never judge with it
            self._room.release()
            if self.refused is None:
                self.refused = exc
                if self._main is not None:
                    self._main.cancel()
            return
        except Exception as exc:  # the evaluator broke: our side, retried on resume
            verdict = Verdict(status="infra", detail=f"evaluator failed: {exc}")
            self._room.release()
        else:
            self._room.release()
        self._record(sample, verdict)

    def _record(self, sample: Sample, verdict: Verdict) -> None:
        assert self.run_id is not None and self.state is not None
        if self.interrupted:  # stopping: what is judged from here on is judged again on resume
            return
        self.store.record_verdict(self.run_id, sample.key, verdict)
        if verdict.status != "infra":  # infra is judged again on resume, and scored then
            self._score(sample, verdict)
        state = self.state
        state.done += 1
        if verdict.status == "infra":
            state.infra += 1
        else:
            state.judged += 1
            state.passed += verdict.passed
        self._notify()

    async def _backfill(self) -> None:
        """Score the samples judged in earlier sessions with the scorers that have not scored
        them, each score committed at once (an interruption keeps what is done)."""
        assert self.run_id is not None
        missing = dict(self.plan.to_score)
        samples = self.store.iter_samples(self.run_id, keys=missing)
        records = self.store.iter_records(self.run_id, keys=missing)
        for sample, record in zip(samples, records, strict=True):
            if self.interrupted:
                return
            if record.verdict is not None:
                self._score(sample, record.verdict, missing[sample.key])
            await asyncio.sleep(0)  # let a Ctrl-C through between samples

    def _score(
        self, sample: Sample, verdict: Verdict, scorers: Sequence[Scorer] | None = None
    ) -> None:
        """Commit each of the run's other scorers' scores of a judged sample (or those of
        ``scorers``)."""
        assert self.run_id is not None
        task = self._tasks.get(sample.task_id)
        for scorer in self.plan.scorers if scorers is None else scorers:
            if task is None or scorer.name == SANDBOX_SCORER:
                continue
            score = run_scorer(scorer, task, sample, verdict)
            if score is not None:
                self.store.record_score(self.run_id, score)

    def _notify(self) -> None:
        """Call the progress callback. Its ``KeyboardInterrupt`` (a caller's stop) cancels the
        session's main task rather than escaping from one of many tasks, which would leave
        the others' exceptions unretrieved and logged from a finaliser at any later moment."""
        if self.progress is None or self.state is None:
            return
        try:
            self.progress(self.state)
        except KeyboardInterrupt:
            self.interrupted = True
            if self._main is None:
                raise
            self._main.cancel()


def close_session(store: Store, run_id: str, status: str, stats: GenerationStats) -> None:
    """Record the end of the current session (its status and generation counts) in the run."""
    info = store.get_run(run_id)
    manifest = parse_manifest(info.id, info.kind, info.params)
    if manifest.sessions:
        now = time.time()
        last = manifest.sessions[-1].model_copy(
            update={
                "ended": now,
                "wall_s": now - manifest.sessions[-1].started,
                "status": status,
                "requests": stats.requests,
                "generated": stats.generated,
                "cache_hits": stats.cache_hits,
                "failed_generations": stats.failed,
            }
        )
        sessions = [*manifest.sessions[:-1], last]
        store.update_params(run_id, manifest.model_copy(update={"sessions": sessions}).to_params())
