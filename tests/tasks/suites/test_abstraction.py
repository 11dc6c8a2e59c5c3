"""The ``abstraction`` suite: seeded builds, four levels, one capability at every level.

Every reference passes its checker and every mutant is rejected, in the real sandbox; every
*reading* (another competent interpretation of an L2-L4 requirement) passes, so the tests
check nothing the requirement leaves open. The default run judges one task per capability
and level; the full default build runs under ``slow`` (``codehazard suites selftest
abstraction`` repeats it).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.evaluation import Evaluator, selftest
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.tasks import DifferentialChecker, Task, TestChecker, load_tasks, write_tasks
from codehazard.tasks._kind_sequence import SequenceChecker
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._abstraction import CAPABILITIES, readings, spec_of
from codehazard.tasks.suites._abstraction_spec import answers, load, trace
from codehazard.verdict import Verdict

SUITE = get_suite("abstraction")
CHECKERS = {1: DifferentialChecker, 2: TestChecker, 3: SequenceChecker, 4: SequenceChecker}


@functools.cache
def _default() -> list[Task]:
    return SUITE.build()


def test_the_same_seed_gives_byte_identical_tasks_and_another_seed_others(
    tmp_path: Path,
) -> None:
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    one = len(CAPABILITIES)  # one task per capability and level
    write_tasks(SUITE.build(seed=3, per_level=one), first)
    write_tasks(SUITE.build(seed=3, per_level=one), second)
    write_tasks(SUITE.build(seed=4, per_level=one), other)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    assert list(load_tasks(first).values()) == SUITE.build(seed=3, per_level=one)


def test_default_build_has_four_levels_of_at_least_twelve_distinct_tasks() -> None:
    tasks = _default()
    assert Counter(t.metadata["level"] for t in tasks) == {1: 12, 2: 12, 3: 12, 4: 12}
    for level in (1, 2, 3, 4):
        assert len({t.prompt for t in tasks if t.metadata["level"] == level}) == 12
        assert len({t.instruction for t in tasks if t.metadata["level"] == level}) == 12
    assert len({t.task_id for t in tasks}) == len(tasks)


def test_metadata_names_suite_dimension_level_template_and_capability() -> None:
    for task in _default():
        meta = task.metadata
        assert re.fullmatch(r"abstraction/[a-z-]+/L[1-4]/\d+", task.task_id)
        assert meta["suite"] == "abstraction" and meta["dimension"] == "abstraction"
        assert task.task_id.split("/")[1] == meta["template"]
        assert meta["template"].startswith(meta["capability"] + "-")
        assert isinstance(task.checker, CHECKERS[meta["level"]])
        assert task.instruction and task.entry_point in task.instruction


def test_every_capability_appears_at_every_level_and_l4_has_several_components() -> None:
    levels: dict[str, set[int]] = {}
    for task in _default():
        levels.setdefault(task.metadata["capability"], set()).add(task.metadata["level"])
        if task.metadata["level"] == 4:
            assert task.metadata["components"] >= 3 and task.metadata["form"] == "module"
    assert levels == {c.name: {1, 2, 3, 4} for c in CAPABILITIES}
    assert len(CAPABILITIES) >= 6


def test_every_task_has_three_distinct_mutants_and_l2_to_l4_readings() -> None:
    for task in _default():
        mutants = SUITE.mutants(task)
        assert len(mutants) >= 3, task.task_id
        programs = {m.program for m in mutants}
        assert len(programs) == len(mutants) and task.reference_program not in programs
        for mutant in mutants:
            assert mutant.program is not None and mutant.program.startswith(task.prompt)
            compile(mutant.program, mutant.kind, "exec")
        has_readings = bool(readings(task))
        assert has_readings == (task.metadata["readings"] > 0)
    wiring = [
        m
        for t in _default()
        if t.metadata["level"] == 4
        for m in SUITE.mutants(t)
        if "(wiring)" in m.detail
    ]
    per_capability = {m.detail.split(" ", 1)[0] for m in wiring}
    assert len(per_capability) == len(CAPABILITIES), per_capability  # one in every L4 system


def _in_process_escapes(task: Task) -> list[str]:
    """The mutants that the task's own inputs do not tell from the reference (in process)."""
    spec, level = spec_of(task), task.metadata["level"]
    escaped = []
    if level == 1:
        assert isinstance(task.checker, DifferentialChecker)
        spec.calls = task.checker.inputs
        want = answers(spec)
        escaped = [m.kind for m in spec.mutants if answers(spec, m) == want]
    elif level == 2:
        assert isinstance(task.checker, TestChecker)
        namespace: dict[str, object] = {}
        exec(task.checker.test, namespace)

        def passes(fn: object) -> bool:
            try:
                namespace["check"](fn)  # type: ignore[operator]
            except Exception:
                return False
            return True

        assert passes(load(spec)), task.task_id
        assert all(passes(load(spec, r)) for r in spec.readings), task.task_id
        escaped = [m.kind for m in spec.mutants if passes(load(spec, m))]
    else:
        assert isinstance(task.checker, SequenceChecker)
        runs = [list(map(tuple, s)) for s in task.checker.sequences]
        want = [trace(spec, s) for s in runs]  # type: ignore[arg-type]
        for mutant in spec.mutants:
            if all(trace(spec, s, mutant) == w for s, w in zip(runs, want, strict=True)):  # type: ignore[arg-type]
                escaped.append(mutant.kind)
    return escaped


def test_every_mutant_of_the_default_build_is_told_apart_by_its_inputs() -> None:
    escaped = {t.task_id: _in_process_escapes(t) for t in _default()}
    assert not {k: v for k, v in escaped.items() if v}


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_mutants_are_told_apart_on_builds_of_other_seeds(seed: int) -> None:
    escaped = {t.task_id: _in_process_escapes(t) for t in SUITE.build(seed=seed)}
    assert not {k: v for k, v in escaped.items() if v}


def _one_per_capability_and_level() -> list[Task]:
    return SUITE.build(per_level=len(CAPABILITIES), seed=1)


def _judge(tasks: list[Task], samples: list[Sample]) -> dict[str, Verdict]:
    with Evaluator({t.task_id: t for t in tasks}, workers=2, limits=Limits(timeout=10)) as ev:
        return {s.key: v for s, v in ev.evaluate(samples)}


def test_references_and_readings_pass_and_mutants_fail_in_the_sandbox() -> None:
    tasks = _one_per_capability_and_level()
    samples = [Sample(f"ref|{t.task_id}", t.task_id, 0, {}, t.reference_program) for t in tasks]
    for task in tasks:
        for reading in readings(task):
            assert reading.program is not None
            key = f"reading|{reading.kind}|{task.task_id}"
            samples.append(Sample(key, task.task_id, 0, {}, reading.program))
        for mutant in SUITE.mutants(task):
            assert mutant.program is not None
            key = f"mutant|{mutant.kind}|{task.task_id}"
            samples.append(Sample(key, task.task_id, 0, {}, mutant.program))
    verdicts = _judge(tasks, samples)
    assert len(verdicts) == len(samples)
    for key, verdict in verdicts.items():
        if key.startswith(("ref|", "reading|")):
            assert verdict.status == "passed", (key, verdict.detail)
            continue
        assert verdict.status in ("failed", "error"), (key, verdict.status, verdict.detail)
        if "/L3/" in key or "/L4/" in key:
            assert verdict.failure_kind == "contract", (key, verdict.detail)
            assert verdict.failing_input and verdict.failing_input.startswith("obj = ")


def test_a_task_file_round_trips_through_codehazard_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "abstraction.jsonl"
    assert main(["suites", "build", "abstraction", "--per-level", "2", "-o", str(path)]) == 0
    tasks = load_tasks(path)
    assert list(tasks.values()) == SUITE.build(per_level=2)
    samples = tmp_path / "samples.jsonl"
    with open(samples, "w") as fh:
        for task in tasks.values():
            wrong = SUITE.mutants(task)[0].program
            assert wrong is not None
            for completion in (task.canonical_solution, wrong[len(task.prompt) :]):
                fh.write(json.dumps({"task_id": task.task_id, "completion": completion}) + "\n")
    capsys.readouterr()
    argv = ["evaluate", str(samples), "--tasks", str(path), "--store", str(tmp_path / "s.db")]
    assert main([*argv, "--json", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status_counts"] == {"passed": 8, "failed": 8}


@pytest.mark.slow
def test_the_full_default_build_conforms_over_reruns() -> None:
    result = selftest(SUITE, reruns=10)
    assert result.reference_pass_rate == 1.0, result.escapes
    assert result.mutant_rejection_rate == 1.0, result.escapes
