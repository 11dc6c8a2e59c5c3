"""Objects, methods and trusted drivers over the channel: the requests richer checkers build on.

A checker kind that drives an object (call sequences, stress, statistics) uses
``Channel.new``/``method``/``drive``; these tests judge real programs in the real sandbox with
a small judge of their own and check that every answer, failure and forgery ends as the
candidate's outcome, never as a harness failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from codehazard.sandbox import Channel, Limits, Outcome, PreparedTask, Sandbox, judge_sample
from codehazard.sandbox._drivers import REPEAT

COUNTER = """
class Counter:
    def __init__(self, start):
        self.n = start

    def add(self, k):
        self.n += k
        return self.n

    def value(self):
        return self.n

    def roll(self):
        import random
        return random.randrange(6)
"""


def _judge_counter(task: PreparedTask, ch: Channel) -> Outcome:
    """Two objects, a few method calls, then 200 calls in one round trip through a driver."""
    a, b = ch.new((10,)), ch.new((0,))
    if a == b:
        return {"status": "failed", "detail": "two objects share a handle"}
    ch.method(a, "add", (5,))
    ch.method(b, "add", (1,))
    values = (ch.method(a, "value"), ch.method(b, "value"))
    if values != (15, 1):
        return {"status": "failed", "detail": f"values {values}", "failure_kind": "invariant"}
    rolls = ch.drive(REPEAT, (200,), {"method": "roll"}, handle=a)
    if type(rolls) is not list or len(rolls) != 200 or set(rolls) != set(range(6)):
        return {"status": "failed", "detail": "not a die", "failure_kind": "distribution"}
    return {"status": "passed", "detail": ""}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(index=11)  # the built-in drivers are always preloaded
    box.start()
    try:
        yield box
    finally:
        box.close()


def _judge(sandbox: Sandbox, program: str) -> Any:
    task = PreparedTask("ops/counter", "Counter", None, run=_judge_counter, drivers=[REPEAT])
    return judge_sample(sandbox, task, program, Limits(timeout=5))


def test_objects_methods_and_a_driver_judge_a_correct_class(sandbox: Sandbox) -> None:
    verdict = _judge(sandbox, COUNTER)
    assert verdict.status == "passed", verdict.detail
    assert verdict.failure_kind is None


def test_a_wrong_state_is_failed_with_the_checkers_failure_kind(sandbox: Sandbox) -> None:
    verdict = _judge(sandbox, COUNTER.replace("self.n += k", "self.n = k"))
    assert (verdict.status, verdict.failure_kind) == ("failed", "invariant")
    rigged = COUNTER.replace("random.randrange(6)", "random.randrange(5)")
    verdict = _judge(sandbox, rigged)
    assert (verdict.status, verdict.failure_kind) == ("failed", "distribution")


def test_a_missing_method_or_a_raising_constructor_is_the_candidates_error(
    sandbox: Sandbox,
) -> None:
    verdict = _judge(sandbox, COUNTER.replace("def value(self)", "def valu(self)"))
    assert verdict.status == "error", verdict.detail
    assert "obj.value()" in verdict.detail and "AttributeError" in verdict.detail
    verdict = _judge(sandbox, COUNTER.replace("self.n = start", "raise OSError('no')"))
    assert verdict.status == "error" and "OSError" in verdict.detail


FORGED_DRIVER = (
    "import codehazard.sandbox._drivers as d\n"
    "d.repeat = lambda *a, **k: [i % 6 for i in range(200)]\n"
)


@pytest.mark.parametrize(
    "tamper",
    [
        # the driver's module patched after the runner imported the driver: not what runs
        FORGED_DRIVER,
        # a constructor that returns something else than the object
        "Counter.__new__ = lambda cls, *a: 7\n",
        # a method that answers with something no codec reads
        "Counter.value = lambda self: {1, 2}\n",
    ],
)
def test_tampering_with_driver_or_handles_gains_nothing(sandbox: Sandbox, tamper: str) -> None:
    biased = COUNTER.replace("random.randrange(6)", "random.randrange(5)")
    verdict = _judge(sandbox, biased + tamper)
    assert verdict.status in ("failed", "error"), verdict.detail
