"""The ``sequence`` kind against candidates that tamper with its driver, reports or schedule.

Each case is a wrong class (a mutant of a ``temporal`` task) plus code that attacks the
checker: forged driver reports, a patched driver, a class that reads the schedule from the
driver's frames, exits or answers what no codec reads. None may pass: the judge decides from
plain data, checks each report's shape and compares every answer with the reference it runs
itself, and spot-checks one sequence over the channel.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import pytest

from codehazard.errors import SandboxError
from codehazard.evaluation import Evaluator
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.sandbox._check_sequence import prepare_sequence
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite

SUITE = get_suite("temporal")

DRIVER = "sys.modules['codehazard.sandbox._drive_sequence']"

TAMPERS = {
    # the batch driver calls drive_steps through its module: make it forge every answer True
    "forged-answers": f"""
import sys
_d = {DRIVER}
def _forge(subject, steps, observe):
    return {{"initial": [0] * len(observe), "steps": [[["ok", True], [0] * len(observe)]
                                                    for _ in steps]}}
_d.drive_steps = _forge
""",
    # a report the driver never writes
    "forged-shape": f"""
import sys
{DRIVER}.drive_steps = lambda subject, steps, observe: {{"initial": [], "steps": []}}
""",
    # replay the reference's answers? it would have to compute them: here it answers the
    # first answer of each method again, read from the schedule in the driver's frame
    "reads-schedule": """
import sys
_seen = {}
def _peek(self, name):
    frame = sys._getframe(1)
    while frame is not None and "steps" not in frame.f_locals:
        frame = frame.f_back
    _seen["schedule"] = frame.f_locals.get("steps") if frame is not None else None
    return object.__getattribute__(self, name)
""",
    # end the whole sample from inside a call
    "exits": """
import os
_real_init = None
def _exit_on_call(self, *a, **k):
    os._exit(0)
""",
    # answer a value no codec reads (a subclass of list with a lying __eq__)
    "lying-value": """
class _Yes(list):
    def __eq__(self, other):
        return True
""",
}


def _wire(tamper: str, program: str, cls: str) -> str:
    """The mutant program with the tamper code after it, hooked into the class."""
    hooks = {
        "reads-schedule": f"\n{cls}.__getattribute__ = _peek\n",
        "exits": f"\n{cls}.__init__ = _exit_on_call\n",
        "lying-value": "",
    }
    code = TAMPERS[tamper]
    extra = hooks.get(tamper, "")
    if tamper == "lying-value":
        extra = (
            f"\n_orig = {cls}.__dict__\nfor _n, _f in list(_orig.items()):\n"
            "    if callable(_f) and not _n.startswith('_'):\n"
            f"        setattr({cls}, _n, (lambda f: lambda *a: _Yes([f(*a)]))(_f))\n"
        )
    return program + "\n" + code + extra


@functools.cache
def _tasks() -> list[Task]:
    return list(SUITE.build(levels="3", per_level=7, seed=2))


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    """One pool for the module: every case is judged by the same sandboxed workers."""
    with Evaluator({t.task_id: t for t in _tasks()}, workers=2, limits=Limits(timeout=10)) as ev:
        yield ev


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_no_tamper_turns_a_wrong_class_into_a_pass(tamper: str, evaluator: Evaluator) -> None:
    tasks = _tasks()
    samples = []
    for task in tasks:
        mutant = SUITE.mutants(task)[0]
        assert mutant.program is not None
        program = _wire(tamper, mutant.program, task.entry_point)
        samples.append(Sample(task.task_id, task.task_id, 0, {}, program))
    verdicts = [(s.task_id, v) for s, v in evaluator.evaluate(samples)]
    for task_id, verdict in verdicts:
        assert verdict.status in ("failed", "error"), (tamper, task_id, verdict.detail)


def test_the_same_tamper_on_a_correct_class_is_caught_when_it_forges(
    evaluator: Evaluator,
) -> None:
    """Forging reports gains nothing even for a right class: the forged values are checked."""
    task = _tasks()[0]
    program = _wire("forged-answers", task.reference_program, task.entry_point)
    sample = Sample("forged", task.task_id, 0, {}, program)
    [(_, verdict)] = list(evaluator.evaluate([sample]))
    assert verdict.status in ("failed", "error"), verdict.detail


def test_a_reference_that_breaks_its_property_is_the_tasks_fault() -> None:
    task = next(t for t in _tasks() if t.metadata["template"] == "account")
    mutant = next(m for m in SUITE.mutants(task) if m.kind == "unchecked-amount")
    assert mutant.program is not None
    broken = task.model_copy(update={"canonical_solution": mutant.program[len(task.prompt) :]})
    with pytest.raises(SandboxError, match="breaks its property"):
        prepare_sequence(broken, broken.checker, 5.0)
