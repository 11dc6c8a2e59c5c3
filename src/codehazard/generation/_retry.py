"""Retrying what the backend seam calls transient: exponential backoff, jitter, Retry-After.

The wait after the k-th failed attempt is drawn uniformly from ``[c/2, c]`` with
``c = min(max_delay, base_delay * 2**(k-1))`` ("equal jitter": the wait still doubles, and
clients that failed together do not retry together). When the server sent ``Retry-After``
(or ``retry-after-ms``), the wait is at least that long, up to ``max_retry_after``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from codehazard.errors import ArgumentError, BackendError
from codehazard.models import TransientBackendError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry. ``attempts`` counts the first try.

    Raises (constructor):
        ValueError: a non-positive number of attempts or a negative delay.
    """

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ArgumentError(f"retry attempts must be at least 1, got {self.attempts}")
        for name in ("base_delay", "max_delay", "max_retry_after"):
            if getattr(self, name) < 0:
                raise ArgumentError(f"retry {name} must not be negative")

    def delay(self, failures: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after ``failures`` failed attempts (1 after the first)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, failures - 1))
        wait = rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait

    def as_dict(self) -> dict[str, Any]:
        """Plain form, for the run record."""
        return asdict(self)


class RetriesExhausted(BackendError):
    """Every attempt failed with a transient error; ``attempts`` were made, ``last`` says why."""

    def __init__(self, last: TransientBackendError, attempts: int) -> None:
        super().__init__(f"gave up after {attempts} attempt(s): {last}")
        self.last = last
        self.attempts = attempts


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    rng: random.Random | None = None,
    sleep: Sleep = asyncio.sleep,
) -> tuple[T, int]:
    """Await ``call()`` until it succeeds; return its result and the attempts it took.

    Only ``TransientBackendError`` is retried; anything else propagates at once.

    Raises:
        RetriesExhausted: every attempt failed transiently.
        BackendError: a non-transient failure (propagated unchanged).
    """
    rng = rng or random.Random()
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call(), attempt
        except TransientBackendError as exc:
            if attempt == policy.attempts:
                raise RetriesExhausted(exc, attempt) from exc
            await sleep(policy.delay(attempt, exc.retry_after, rng))
    raise AssertionError("unreachable")  # pragma: no cover
