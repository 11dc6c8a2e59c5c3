"""Backoff with jitter, Retry-After, and which failures are retried."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codehazard.errors import BackendError
from codehazard.generation import RetriesExhausted, RetryPolicy, call_with_retries
from codehazard.models import RejectedRequestError, TransientBackendError


@given(
    failures=st.integers(1, 30),
    retry_after=st.none() | st.floats(0, 1000, allow_nan=False),
    seed=st.integers(0, 2**32),
)
def test_delay_bounds(failures: int, retry_after: float | None, seed: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30.0, max_retry_after=120.0)
    ceiling = min(30.0, 0.5 * 2 ** (failures - 1))
    wait = policy.delay(failures, retry_after, random.Random(seed))
    low = ceiling / 2 if retry_after is None else max(ceiling / 2, min(retry_after, 120.0))
    assert low <= wait <= max(ceiling, low)


def test_backoff_doubles() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=1000.0)
    rng = random.Random(0)
    waits = [policy.delay(k, None, rng) for k in range(1, 8)]
    assert all(2 ** (k - 1) / 2 <= w <= 2 ** (k - 1) for k, w in enumerate(waits, start=1))


class Flaky:
    """Fails ``times`` times with ``error``, then answers."""

    def __init__(self, times: int, error: Exception) -> None:
        self.times, self.error, self.calls = times, error, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.times:
            raise self.error
        return "ok"


def run(flaky: Flaky, policy: RetryPolicy) -> tuple[tuple[str, int], list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    result = asyncio.run(call_with_retries(flaky, policy, rng=random.Random(1), sleep=sleep))
    return result, slept


def test_retries_until_success_honouring_retry_after() -> None:
    flaky = Flaky(2, TransientBackendError("429", retry_after=5.0))
    (value, attempts), slept = run(flaky, RetryPolicy(attempts=3, base_delay=0.01))
    assert (value, attempts) == ("ok", 3)
    assert len(slept) == 2 and all(s >= 5.0 for s in slept)


def test_retry_after_is_capped() -> None:
    flaky = Flaky(1, TransientBackendError("429", retry_after=10_000.0))
    _, slept = run(flaky, RetryPolicy(attempts=2, max_retry_after=7.0))
    assert slept == [pytest.approx(7.0)]


def test_gives_up_after_the_attempts() -> None:
    flaky = Flaky(10, TransientBackendError("boom"))
    with pytest.raises(RetriesExhausted, match="after 4 attempt") as caught:
        run(flaky, RetryPolicy(attempts=4, base_delay=0.0))
    assert caught.value.attempts == 4 and flaky.calls == 4


@pytest.mark.parametrize("error", [RejectedRequestError("no"), BackendError("bad key")])
def test_non_transient_errors_are_not_retried(error: Exception) -> None:
    flaky = Flaky(1, error)
    with pytest.raises(type(error)):
        run(flaky, RetryPolicy())
    assert flaky.calls == 1


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)
