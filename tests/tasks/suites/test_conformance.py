"""One conformance test for every registered suite: references pass, mutants are rejected.

A suite carries its wrong solutions (``Suite.mutants``). For every registered suite, each
task's reference must pass its checker in the real sandbox (one evaluator, so one sandbox per
worker, reused across the whole suite); each ``program`` mutant must be rejected in the
sandbox; each ``call`` mutant must be rejected by the task's checker in process unless no input
of an independent probe tells it from the reference (then no checker could).
The default run takes a stratified sample (a small build, every level); the full default build
of every suite, with the bounds the suites' own audits allow, runs under ``slow``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pytest

from codehazard.evaluation import in_process_judge, selftest
from codehazard.tasks import Task
from codehazard.tasks.suites import Suite, WrongSolution, get_suite, list_suites
from codehazard.tasks.suites._blocks import BLOCKS_BY_KEY

SUITES = [suite.name for suite in list_suites()]

SAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "building-blocks": {"per_length": 1, "seed": 3},
    "variable-binding": {"variables": "2,5,8", "operations": "0,1,3,6,12", "per_level": 1},
}
"""A small build per suite for the default run: every level, a couple of tasks each (a suite
not named here is sampled from its default build, a few tasks per level)."""


@dataclass(frozen=True)
class Audit:
    """One mutant of one task: did the task's checker reject it, could any checker?"""

    task_id: str
    level: Any
    kind: str
    block: str
    label: str
    rejected: bool
    told_apart: bool


def audit(suite: Suite, tasks: list[Task]) -> list[Audit]:
    """Every mutant of every task, judged by the task's checker."""
    out = []
    for task in tasks:
        mutants: list[WrongSolution] = suite.mutants(task)
        assert mutants, f"suite {suite.name!r} carries no mutants for {task.task_id}"
        calls = [m for m in mutants if m.program is None]
        assert all(m.call is not None for m in calls), f"{task.task_id}: a mutant with no form"
        rejects = in_process_judge(task) if calls else None
        for mutant in calls:
            assert rejects is not None and mutant.call is not None
            rejected = rejects(mutant.call)
            out.append(
                Audit(
                    task.task_id,
                    task.metadata.get("level"),
                    mutant.kind,
                    mutant.blocks[0] if mutant.blocks else "",
                    mutant.detail.split(") ", 1)[-1],
                    rejected,
                    True if rejected else mutant.distinguishable(),
                )
            )
    return out


def sandbox_conformance(suite: Suite, tasks: list[Task]) -> None:
    """Every reference passes its checker in the real sandbox and every program mutant is
    rejected there: one evaluator for the suite (``selftest`` with one run each)."""
    result = selftest(suite, reruns=1, tasks=tasks, in_process=False)
    assert result.reference_pass_rate == 1.0, result.escapes
    assert result.mutant_rejection_rate in (None, 1.0), result.escapes


def _stratified(tasks: list[Task], per_level: int = 3) -> list[Task]:
    seen: dict[Any, int] = {}
    out = []
    for task in tasks:
        level = task.metadata.get("level")
        if seen.get(level, 0) < per_level:
            seen[level] = seen.get(level, 0) + 1
            out.append(task)
    return out


def _assert_conformance(records: list[Audit]) -> None:
    escaped = [a for a in records if not a.rejected and a.told_apart]
    assert len(escaped) <= 0.001 * len(records), escaped
    equivalent = [a for a in records if not a.rejected and not a.told_apart]
    assert len(equivalent) <= 0.25 * len(records)  # none where a suite has only programs


@pytest.mark.slow
@pytest.mark.parametrize("name", SUITES)
def test_a_sample_of_every_suite_conforms(name: str) -> None:
    suite = get_suite(name)
    if name in SAMPLE_PARAMS:
        tasks = suite.build(**SAMPLE_PARAMS[name])
    else:
        tasks = _stratified(suite.build())
    sandbox_conformance(suite, tasks)
    _assert_conformance(audit(suite, tasks))


@functools.cache
def _full_audit(name: str) -> tuple[list[Task], list[Audit]]:
    suite = get_suite(name)
    tasks = suite.build()
    return tasks, audit(suite, tasks)


@pytest.mark.slow
@pytest.mark.parametrize("name", SUITES)
def test_every_suite_conforms_in_full(name: str) -> None:
    tasks, records = _full_audit(name)
    sandbox_conformance(get_suite(name), tasks)
    _assert_conformance(records)


@pytest.mark.slow
def test_building_blocks_wrong_variants_are_rejected_unless_no_input_could() -> None:
    """Every skipped step, mutant and swap of neighbours is rejected by the task's own tests,
    or no input of an independent 500-string probe tells it from the reference (then no test
    could). Rare escapes on long chains are bounded: under 0.1% of the variants."""
    tasks, records = _full_audit("building-blocks")
    length = {t.task_id: t.metadata["length"] for t in tasks}
    escaped = [a for a in records if not a.rejected and a.told_apart]
    assert len(escaped) <= 0.001 * len(records), escaped
    assert all(length[a.task_id] >= 4 for a in escaped), escaped
    # Equivalent variants are real: steps that commute, a step a later one subsumes (remove_e
    # before remove_vowels), a space fix after words were re-joined. About one in six.
    equivalent = [a for a in records if not a.rejected and not a.told_apart]
    assert len(equivalent) < 0.25 * len(records)
    assert all(a.kind == "reordered" or length[a.task_id] > 1 for a in equivalent)
    assert not [a for a in records if a.kind == "skipped" and not a.rejected]


@pytest.mark.slow
def test_building_blocks_every_mutant_of_every_block_is_rejected() -> None:
    """Per block: at length 1 each mutant is rejected; across the suite each mutant is rejected
    wherever any input could reject it (bar the bounded escapes above)."""
    tasks, records = _full_audit("building-blocks")
    length = {t.task_id: t.metadata["length"] for t in tasks}
    mutants = [a for a in records if a.kind in ("misapplied", "alternative-reading")]
    pairs = {(a.block, a.label) for a in mutants}
    assert len(pairs) == sum(len(b.mutants) for b in BLOCKS_BY_KEY.values())
    for block, label in sorted(pairs):
        cases = [a for a in mutants if (a.block, a.label) == (block, label)]
        assert all(a.rejected for a in cases if length[a.task_id] == 1), (block, label)
        could = [a for a in cases if a.told_apart]
        assert sum(a.rejected for a in could) >= 0.98 * len(could), (block, label)


@pytest.mark.slow
def test_variable_binding_wrong_bindings_are_rejected_unless_no_input_could() -> None:
    """Every wrong binding, misapplication, skipped operation and swap of neighbours is
    rejected by the task's tests, or no input of an independent probe tells it apart."""
    _tasks, records = _full_audit("variable-binding")
    assert {a.kind for a in records} == {"skipped", "misapplied", "wrong-variable", "reordered"}
    escaped = sum(not a.rejected and a.told_apart for a in records)
    total = len(records)
    assert escaped <= 0.001 * total, f"{escaped} of {total} wrong variants escaped"
