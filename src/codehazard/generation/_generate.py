"""Asking a backend for samples: bounded concurrency, retries, and the response cache.

``Generator.run`` keeps at most ``max_connections`` requests in flight (that many worker
coroutines share one iterator of jobs); a backend that takes whole batches (``batch_size``
above 1: local engines) gets them instead, through ``generate_batch``, one batch at a time,
each answered from the cache where it can be. Either way it hands each result to a sink as
soon as it exists, and
never raises for one sample's failure: a sample whose requests keep failing on our side comes
back with ``error`` set. It raises only when nothing will work: a ``BackendError`` from the
backend (bad key, unknown model), or ``max_consecutive_failures`` samples failing in a row (the
server went away).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from codehazard.errors import ArgumentError, BackendError
from codehazard.generation._records import GenerationMeta
from codehazard.generation._retry import RetriesExhausted, RetryPolicy, Sleep, call_with_retries
from codehazard.models import (
    NO_OUTPUT,
    Completion,
    GenerationParams,
    ModelBackend,
    RejectedRequestError,
    Request,
)
from codehazard.store import ResponseCache
from codehazard.tasks import Task


@dataclass(frozen=True)
class Generated:
    """One generation result: ``completion`` is ``None`` exactly when ``meta.error`` is set."""

    task: Task
    index: int
    completion: Completion | None
    meta: GenerationMeta


@dataclass
class GenerationStats:
    """Counts for one session: requests sent, cache hits, samples generated and failed."""

    requests: int = 0
    cache_hits: int = 0
    generated: int = 0
    failed: int = 0
    consecutive_failures: int = field(default=0, repr=False)


class Generator:
    """Generates samples with one backend and one set of (resolved) parameters.

    ``cache`` is consulted first when ``read_cache`` (and written after every fresh response,
    either way) for backends that are ``cacheable``. Answers without output (the prompt
    exceeded the context, the provider refused) are never cached: they cost nothing, and they
    depend on the server's configuration (its context size, its filters), which may change.
    ``rng`` and ``sleep`` exist for tests.

    Raises (constructor):
        ValueError: ``max_connections`` below 1.
    """

    def __init__(
        self,
        backend: ModelBackend,
        params: GenerationParams,
        *,
        cache: ResponseCache | None = None,
        read_cache: bool = True,
        retry: RetryPolicy | None = None,
        max_connections: int = 16,
        max_consecutive_failures: int | None = None,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_connections < 1:
            raise ArgumentError(f"max_connections must be at least 1, got {max_connections}")
        self.backend = backend
        self.params = params
        self.cache = cache if backend.cacheable else None
        self.read_cache = read_cache
        self.retry = retry or RetryPolicy()
        self.max_connections = max_connections
        self.max_consecutive_failures = max_consecutive_failures or 2 * max_connections + 4
        self.stats = GenerationStats()
        self._rng = rng or random.Random()
        self._sleep = sleep

    def _meta(self, **fields: object) -> GenerationMeta:
        return GenerationMeta(
            backend=self.backend.name,
            model=self.backend.model,
            mode=self.params.mode,
            generated_at=time.time(),
            **fields,  # type: ignore[arg-type]
        )

    def _cached(self, key: str | None) -> Completion | None:
        if key is None or self.cache is None or not self.read_cache:
            return None
        hit = self.cache.get(key)
        if hit is None:
            return None
        try:
            completion = Completion.model_validate(hit)
        except ValidationError:  # an entry from an incompatible version: ask again
            return None
        return None if completion.finish_reason in NO_OUTPUT else completion  # older versions

    def _lookup(self, task: Task, index: int) -> tuple[Request, str | None, Generated | None]:
        """The request for a job, its cache key, and the cached result when there is one."""
        request = self.backend.build_request(task, index, self.params)
        key = request.cache_key() if self.backend.cacheable else None
        hit = self._cached(key)
        if hit is None:
            return request, key, None
        self.stats.cache_hits += 1
        return request, key, Generated(task, index, hit, self._from_completion(hit, key, 0, True))

    def _fresh(
        self,
        job: tuple[Task, int, Request, str | None],
        completion: Completion,
        attempts: int,
    ) -> Generated:
        """Count and cache a completion the backend just gave."""
        task, index, request, key = job
        self.stats.requests += attempts
        self.stats.generated += 1
        self.stats.consecutive_failures = 0
        if key is not None and self.cache is not None and completion.finish_reason not in NO_OUTPUT:
            self.cache.put(
                key,
                backend=self.backend.name,
                model=self.backend.model,
                request=request.model_dump(mode="json"),
                response=completion.model_dump(mode="json"),
            )
        return Generated(task, index, completion, self._from_completion(completion, key, attempts))

    async def generate(self, task: Task, index: int) -> Generated:
        """Sample ``index`` of ``task``: from the cache, else from the backend with retries.

        Raises:
            BackendError: the backend says nothing will work, or too many samples in a row
                failed.
        """
        request, key, hit = self._lookup(task, index)
        if hit is not None:
            await asyncio.sleep(0)  # let verdicts and progress through between hits
            return hit
        try:
            completion, attempts = await call_with_retries(
                lambda: self.backend.generate(request, task),
                self.retry,
                rng=self._rng,
                sleep=self._sleep,
            )
        except (RetriesExhausted, RejectedRequestError) as exc:
            attempts = exc.attempts if isinstance(exc, RetriesExhausted) else 1
            return self._failure(task, index, key, attempts, str(exc))
        return self._fresh((task, index, request, key), completion, attempts)

    async def generate_batch(self, jobs: Sequence[tuple[Task, int]]) -> list[Generated]:
        """The samples of ``jobs``, in order: cached ones from the cache, the rest in one
        ``backend.generate_batch`` call (retried as a whole). When the backend refuses the
        batch, which request it refused is unknown, so each is asked for alone, and one
        refusal fails one sample only.

        Raises:
            BackendError: as ``generate``; or the backend answered with a wrong number of
                completions.
        """
        results: dict[int, Generated] = {}
        asked: list[tuple[int, tuple[Task, int, Request, str | None]]] = []
        for position, (task, index) in enumerate(jobs):
            request, key, hit = self._lookup(task, index)
            if hit is not None:
                results[position] = hit
            else:
                asked.append((position, (task, index, request, key)))
        if asked:
            batch = [(job[2], job[0]) for _, job in asked]
            try:
                completions, attempts = await call_with_retries(
                    lambda: self.backend.generate_batch(batch),
                    self.retry,
                    rng=self._rng,
                    sleep=self._sleep,
                )
            except RetriesExhausted as exc:
                for position, (task, index, _, key) in asked:
                    results[position] = self._failure(task, index, key, exc.attempts, str(exc))
            except RejectedRequestError:
                for position, (task, index, _, _) in asked:
                    results[position] = await self.generate(task, index)
            else:
                if len(completions) != len(asked):
                    raise BackendError(
                        f"the {self.backend.name} backend answered a batch of {len(asked)} "
                        f"requests with {len(completions)} completions"
                    )
                for (position, job), completion in zip(asked, completions, strict=True):
                    results[position] = self._fresh(job, completion, attempts)
        await asyncio.sleep(0)  # let verdicts and progress through between batches
        return [results[i] for i in range(len(jobs))]

    def _from_completion(
        self, completion: Completion, key: str | None, attempts: int, hit: bool = False
    ) -> GenerationMeta:
        return self._meta(
            cache_key=key,
            cache_hit=hit,
            attempts=attempts,
            finish_reason=completion.finish_reason,
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            latency_s=completion.latency_s,
            response_model=completion.response_model,
            detail=completion.detail,
        )

    def _failure(
        self, task: Task, index: int, key: str | None, attempts: int, error: str
    ) -> Generated:
        self.stats.requests += attempts
        self.stats.failed += 1
        self.stats.consecutive_failures += 1
        if self.stats.consecutive_failures >= self.max_consecutive_failures:
            raise BackendError(
                f"{self.stats.consecutive_failures} samples in a row could not be generated; "
                f"stopping (last: {error})"
            )
        meta = self._meta(cache_key=key, attempts=attempts, error=error)
        return Generated(task, index, None, meta)

    async def run(
        self, jobs: Iterable[tuple[Task, int]], sink: Callable[[Generated], Awaitable[None] | None]
    ) -> None:
        """Generate every ``(task, index)`` job, calling ``sink`` with each result at once.

        ``sink`` may be a coroutine function: its worker then waits for it before taking the
        next job, which lets the caller apply backpressure. A backend whose ``batch_size`` is
        above 1 gets the jobs in batches of that size, one batch at a time (``generate_batch``).

        Raises:
            BackendError: see ``generate``; jobs in flight are cancelled first.
            Exception: whatever ``sink`` raises (e.g. ``StoreError``), after cancelling.
        """
        pending = iter(jobs)
        size = max(1, int(self.backend.batch_size))

        async def deliver(generated: Generated) -> None:
            done = sink(generated)
            if inspect.isawaitable(done):
                await done

        async def worker() -> None:
            for task, index in pending:
                await deliver(await self.generate(task, index))

        async def batches() -> None:
            while batch := list(itertools.islice(pending, size)):
                for generated in await self.generate_batch(batch):
                    await deliver(generated)

        count = 1 if size > 1 else self.max_connections
        workers = [asyncio.create_task(batches() if size > 1 else worker()) for _ in range(count)]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)


async def preflight(backend: ModelBackend, params: GenerationParams, retry: RetryPolicy) -> None:
    """Send the backend's probe request (if it has one) and turn failure into one clear error.

    Up to three attempts, so a server that is down is reported in seconds, not minutes.

    Raises:
        BackendError: unreachable server, rejected key, unknown model, refused parameters.
    """
    request = backend.probe_request(params)
    if request is None:
        return
    policy = RetryPolicy(
        attempts=min(3, retry.attempts),
        base_delay=retry.base_delay,
        max_delay=min(retry.max_delay, 5.0),
        max_retry_after=min(retry.max_retry_after, 30.0),
    )
    where = backend.server or backend.name
    try:
        await call_with_retries(lambda: backend.generate(request, None), policy)
    except RetriesExhausted as exc:
        raise BackendError(
            f"cannot generate with {backend.name}/{backend.model} at {where}: {exc.last}; is "
            "the server running, and is `base_url` right?"
        ) from None
    except RejectedRequestError as exc:
        raise BackendError(
            f"{exc}; the run's parameters were refused by a test request: check `mode`, "
            "`temperature`, `top_p`, `max_tokens`, `stop` and `seed`"
        ) from None
