"""``selftest``: references rerun in the sandbox, mutants judged there or in process.

The suites here are made by hand (not registered), so each outcome is known in advance: a
wrong program must be rejected in every rerun, a mutant identical to the reference must show as
an escape, and a call mutant no probe tells apart must be counted as equivalent, not rejected.
"""

from __future__ import annotations

from typing import Any

import pytest

from codehazard.errors import ArgumentError, InputError
from codehazard.evaluation import in_process_judge, selftest
from codehazard.tasks import DifferentialChecker, Task, TestChecker
from codehazard.tasks.suites import Suite, SuiteParam, WrongSolution

PROMPT = "def double(x):\n"
RIGHT = "    return 2 * x\n"
TEST = "def check(candidate):\n    assert candidate(3) == 6\n    assert candidate(-1) == -2\n"


def _tasks(n: int) -> list[Task]:
    return [
        Task(
            task_id=f"toy/double/L1/{i}",
            prompt=PROMPT,
            entry_point="double",
            canonical_solution=RIGHT,
            checker=TestChecker(test=TEST),
            metadata={"suite": "toy", "level": 1, "template": "double"},
        )
        for i in range(n)
    ]


def _suite(mutants: Any, n: int = 2) -> Suite:
    def build(count: int) -> list[Task]:
        return _tasks(count)

    param = SuiteParam("count", "int", n, "tasks", 1, 10)
    return Suite("toy", "a toy suite", (param,), build, mutant_factory=mutants)


def _wrong_program(task: Task) -> list[WrongSolution]:
    return [
        WrongSolution(task.task_id, "plus", "adds instead", program=PROMPT + "    return x + 2\n"),
        WrongSolution(task.task_id, "square", "squares", program=PROMPT + "    return x * x\n"),
    ]


def test_references_pass_and_wrong_programs_are_rejected_in_every_rerun() -> None:
    result = selftest(_suite(_wrong_program), reruns=3)
    assert result.reference_pass_rate == 1.0 and result.mutant_rejection_rate == 1.0
    assert (result.tasks, result.templates, result.mutants, result.program_mutants) == (2, 1, 4, 4)
    assert (result.reference_runs, result.mutant_runs) == (6, 12)
    assert result.ok and not result.escapes
    data = result.to_dict()
    assert data["runs"] == 18 and data["params"] == {"count": 2}


def test_a_mutant_the_checker_accepts_is_an_escape_and_fails_the_selftest() -> None:
    def same_as_reference(task: Task) -> list[WrongSolution]:
        return [WrongSolution(task.task_id, "none", "the reference", program=PROMPT + RIGHT)]

    result = selftest(_suite(same_as_reference, 1), reruns=2)
    assert result.mutant_rejection_rate == 0.0 and not result.ok
    assert {(e.form, e.what, e.status) for e in result.escapes} == {("program", "none", "passed")}


def test_a_failing_reference_is_reported() -> None:
    def build() -> list[Task]:
        return [t.model_copy(update={"canonical_solution": "    return x\n"}) for t in _tasks(1)]

    suite = Suite("bad", "a wrong reference", (), build, mutant_factory=_wrong_program)
    result = selftest(suite, reruns=2)
    assert result.reference_pass_rate == 0.0 and not result.ok
    assert {e.form for e in result.escapes} == {"reference"}


def test_call_mutants_are_judged_in_process_and_equivalent_ones_counted_apart() -> None:
    def calls(task: Task) -> list[WrongSolution]:
        return [
            WrongSolution(task.task_id, "off", "adds one", call=lambda x: 2 * x + 1),
            WrongSolution(
                task.task_id, "same", "x + x", call=lambda x: x + x, told_apart=lambda: False
            ),
            WrongSolution(
                task.task_id,
                "sneaky",
                "right on the tests",
                call=lambda x: 2 * x if x in (3, -1) else 0,
            ),
        ]

    result = selftest(_suite(calls, 1), reruns=5)
    assert (result.call_mutants, result.equivalent_mutants) == (3, 1)
    assert result.mutant_runs == 2 and result.mutant_rejected == 1  # call mutants: judged once
    assert [e.what for e in result.escapes] == ["sneaky"]


def test_the_differential_in_process_judge_compares_with_the_reference() -> None:
    task = _tasks(1)[0].model_copy(update={"checker": DifferentialChecker(inputs=[[1], [5]])})
    rejects = in_process_judge(task)
    assert rejects(lambda x: x + 1) and not rejects(lambda x: x * 2)
    assert rejects(lambda x: 1 / 0)


@pytest.mark.parametrize(("reruns", "workers"), [(0, 1), (1, 0)])
def test_bad_counts_are_refused(reruns: int, workers: int) -> None:
    with pytest.raises(ArgumentError, match="reruns" if reruns == 0 else "workers"):
        selftest(_suite(_wrong_program), reruns=reruns, workers=workers)


def test_an_unknown_build_parameter_is_refused() -> None:
    with pytest.raises(InputError, match="no parameter"):
        selftest(_suite(_wrong_program), reruns=1, lengths="1-3")
