"""Pipelined candidate calls: what is predicted, and verdicts equal to call-by-call judging.

The judge sends the calls it predicts a test will make ahead of time. These tests hold it to
its promise: whatever the prediction, every verdict (status, detail, failing input) is the one
the call-by-call protocol gives, including when the test calls otherwise than predicted, when
test code swallows the misprediction, and when a predicted call the test never makes would
flood the output.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample
from codehazard.sandbox._predict import predict_calls
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict


def _check(*lines: str) -> str:
    return "def check(candidate):\n" + "".join(f"    {line}\n" for line in lines)


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (_check("assert candidate(1) == 1", "assert candidate([2, 3], k=4) == 5"),
         [((1,), {}), (([2, 3],), {"k": 4})]),
        (_check("assert abs(candidate(1) - candidate(-2.5)) < 1e-6"),
         [((1,), {}), ((-2.5,), {})]),
        (_check("x = candidate('a')", "assert candidate('b') == x"),
         [(("a",), {}), (("b",), {})]),
        (_check("assert True", "assert candidate(1)", "for i in range(3):",
                "    assert candidate(i)"),
         [((1,), {})]),
        (_check("assert candidate(1)", "if candidate(2):", "    pass"), [((1,), {})]),
        (_check("assert candidate(1) or candidate(2)"), []),
        (_check("assert 0 < candidate(1) < 2"), []),
        (_check("assert candidate(1), candidate(2)"), []),
        (_check("assert candidate(1) == 1, 'message'"), [((1,), {})]),
        (_check("assert candidate(1)", "helper(candidate)", "assert candidate(2)"),
         [((1,), {})]),
        (_check("assert candidate(1)", "assert f(2)"), [((1,), {}), ((2,), {})]),
        (_check("assert candidate(1)", "g = f", "assert g(2)"), [((1,), {})]),
        (_check("assert candidate(candidate(1))"), []),
        (_check("assert candidate(*[1])"), []),
        (_check("assert candidate(x)"), []),
        (_check("try:", "    candidate(1)", "except ValueError:", "    pass"), []),
        ("def other(candidate):\n    assert candidate(1)\n", []),
        ("def check(candidate):\n    assert candidate(1\n", []),
    ],
)  # fmt: skip
def test_predicted_calls(test: str, expected: list[object]) -> None:
    assert predict_calls(test, "f") == expected


def test_prediction_is_bounded() -> None:
    test = _check(*(f"assert candidate({i}) == {i}" for i in range(500)))
    assert len(predict_calls(test, "f", limit=100)) == 100


def _task(task_id: str, test: str, prompt: str = "def f(x):\n") -> Task:
    return Task(
        task_id=task_id,
        prompt=prompt,
        entry_point="f",
        canonical_solution="    return x\n",
        checker=TestChecker(test=test),
    )


HELPER = (
    "def helper():\n"  # calls the candidate by its name, which the judge binds to the candidate
    "    try:\n"
    "        return f(7)\n"
    "    except BaseException:\n"  # swallows the judge's misprediction signal too
    "        return 7\n"
)

TASKS = {
    task.task_id: task
    for task in (
        _task("plain", _check(*(f"assert candidate({i}) == {i}" for i in range(6)))),
        # predicted: candidate(1); the test first calls candidate(7), through the helper
        _task("indirect", _check("assert helper() == 7", "assert candidate(1) == 1"),
              prompt=HELPER + "def f(x):\n"),
        # predicted: candidate(1), candidate(2); the helper's candidate(7) comes between them
        _task("swallowed", _check("assert candidate(1) == 1", "assert helper() == 7",
                                  "assert candidate(2) == 2"),
              prompt=HELPER + "def f(x):\n"),
    )
}  # fmt: skip


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    with Evaluator(TASKS, workers=1, limits=Limits(timeout=3.0, max_output_kb=16)) as ev:
        yield ev


def _judge(ev: Evaluator, task_id: str, body: str) -> Verdict:
    program = TASKS[task_id].prompt + body
    return ev.submit(Sample("k", task_id, 0, {}, program)).result(timeout=60)


def test_the_plain_task_is_pipelined(evaluator: Evaluator) -> None:
    from codehazard.sandbox._prepare import prepare_task

    assert len(prepare_task(TASKS["plain"]).predicted) == 6
    assert _judge(evaluator, "plain", "    return x\n").status == "passed"


def test_a_stateful_candidate_gets_the_call_by_call_verdict(evaluator: Evaluator) -> None:
    # answers right until its fourth call: the failure names the fourth input and its answer
    body = "    global n\n    n = globals().get('n', 0) + 1\n    return x if n < 4 else -1\n"
    v = _judge(evaluator, "plain", body)
    assert v.status == "failed"
    assert v.failing_input == "candidate(3)" and v.actual == "-1"


@pytest.mark.parametrize(("task_id", "predicted"), [("indirect", 1), ("swallowed", 2)])
def test_calls_other_than_predicted_are_judged_again(
    evaluator: Evaluator, task_id: str, predicted: int
) -> None:
    from codehazard.sandbox._prepare import prepare_task

    assert len(prepare_task(TASKS[task_id]).predicted) == predicted
    assert _judge(evaluator, task_id, "    return x\n").status == "passed"
    v = _judge(evaluator, task_id, "    return x if x != 2 else 0\n")
    assert v.status == ("failed" if task_id == "swallowed" else "passed")


def test_a_predicted_call_the_test_never_makes_does_not_decide(evaluator: Evaluator) -> None:
    # the first answer is wrong, so the test stops there; the runner, ahead of the test, would
    # flood its output on the second predicted call: the verdict is still the failed assertion
    body = "    if x == 1:\n        print('y' * 1_000_000)\n    return x + 1\n"
    v = _judge(evaluator, "plain", body)
    assert v.status == "failed", v.detail
    assert v.failing_input == "candidate(0)"
    # when the flood comes on a call the test does make, it decides the verdict as before
    body = "    if x == 1:\n        print('y' * 1_000_000)\n    return x\n"
    v = _judge(evaluator, "plain", body)
    assert v.status == "error" and "output limit" in v.detail


def test_a_tasks_predicted_calls_are_encoded_once_and_again_for_a_new_list() -> None:
    """Every sample of a task sends the same first requests: the prepared task encodes them
    once (the judge compares every call the test makes with its line, so a stale line could
    only cost a rejudge, never a verdict)."""
    from codehazard.sandbox._judge import PreparedTask, request_lines

    task = PreparedTask("t", "f", None, predicted=[((1,), {}), (([2, 3],), {"k": 4})])
    first = task.predicted_lines()
    assert first == request_lines(task.predicted, 1) and len(first) == 2
    assert task.predicted_lines() is first  # the next sample's: not encoded again
    task.predicted = [((5,), {})]
    assert task.predicted_lines() == request_lines([((5,), {})], 1) != first
    # arguments that are not plain data end the prediction there, as before
    task.predicted = [((1,), {}), ((object(),), {}), ((2,), {})]
    assert task.predicted_lines() == request_lines([((1,), {})], 1)
