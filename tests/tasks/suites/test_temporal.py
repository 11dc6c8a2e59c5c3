"""The ``temporal`` suite: seeded builds, levels, mutants, and verdicts in the real sandbox.

Every template's reference passes the ``sequence`` checker and every mutant is rejected with
the failure kind its mistake calls for, with the shortest failing sequence in the verdict. The
default run judges one task per template and level once; the full default build, repeated reruns
each, runs under ``slow`` (``codehazard suites selftest temporal``).
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
from codehazard.tasks import Task, load_tasks, write_tasks
from codehazard.tasks._kind_sequence import SequenceChecker
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._temporal import TEMPLATES
from codehazard.verdict import Verdict

SUITE = get_suite("temporal")


@functools.cache
def _default() -> list[Task]:
    return SUITE.build()


def test_the_same_seed_gives_byte_identical_tasks_and_another_seed_others(
    tmp_path: Path,
) -> None:
    first, second, other = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    write_tasks(SUITE.build(seed=3), first)
    write_tasks(SUITE.build(seed=3), second)
    write_tasks(SUITE.build(seed=4), other)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_default_build_has_three_levels_of_at_least_twelve_distinct_tasks() -> None:
    tasks = _default()
    per_level = Counter(t.metadata["level"] for t in tasks)
    assert per_level == {1: 12, 2: 12, 3: 12}
    for level in (1, 2, 3):
        prompts = {t.prompt for t in tasks if t.metadata["level"] == level}
        assert len(prompts) == 12
    assert len({t.task_id for t in tasks}) == len(tasks)


def test_metadata_and_ids_name_suite_dimension_level_and_template() -> None:
    names = {t.name for t in TEMPLATES}
    for task in _default():
        meta = task.metadata
        assert re.fullmatch(r"temporal/[a-z-]+/L[123]/\d+", task.task_id)
        assert meta["suite"] == "temporal" and meta["template"] in names
        assert task.task_id.split("/")[1] == meta["template"]
        assert meta["dimension"] in ("temporal-safety", "temporal-liveness")
        assert isinstance(task.checker, SequenceChecker)
        assert task.instruction and task.entry_point in task.instruction
    dims = Counter(t.metadata["dimension"] for t in _default())
    assert dims["temporal-safety"] > 0 and dims["temporal-liveness"] > 0


def test_levels_grow_in_methods_and_state() -> None:
    for template in TEMPLATES:
        tasks = [t for t in _default() if t.metadata["template"] == template.name]
        by_level = {t.metadata["level"]: t for t in tasks}
        methods = [by_level[level].metadata["methods"] for level in (1, 2, 3)]
        state = [by_level[level].metadata["state_size"] for level in (1, 2, 3)]
        assert (methods == sorted(methods) and methods[0] < methods[-1]) or state[0] < state[-1], (
            template.name,
            methods,
            state,
        )


def test_every_task_has_at_least_three_distinct_mutants_that_compile() -> None:
    for task in _default():
        mutants = SUITE.mutants(task)
        assert len(mutants) >= 3, task.task_id
        programs = {m.program for m in mutants}
        assert len(programs) == len(mutants) and task.reference_program not in programs
        for mutant in mutants:
            assert mutant.program is not None and mutant.program.startswith(task.prompt)
            compile(mutant.program, mutant.kind, "exec")


def _one_per_template_and_level() -> list[Task]:
    return SUITE.build(per_level=len(TEMPLATES), seed=1)


def _judge(tasks: list[Task], samples: list[Sample]) -> dict[str, Verdict]:
    with Evaluator({t.task_id: t for t in tasks}, workers=2, limits=Limits(timeout=10)) as ev:
        return {s.key: v for s, v in ev.evaluate(samples)}


EXPECTED_KINDS = {
    ("account", "unchecked-amount"): "invariant",
    ("account", "off-by-one"): "contract",
    ("booking", "anyone-cancels"): "contract",
    ("lifecycle", "checked-after-change"): "invariant",
    ("rate-limit", "fixed-window"): "invariant",
    ("fair-queue", "lowest-first"): "liveness",
    ("fair-queue", "stalls-on-empty-turn"): "liveness",
    ("lock", "newest-first"): "liveness",
    ("retry", "restarts-after-giving-up"): "liveness",
}


@pytest.mark.slow
def test_references_pass_and_mutants_fail_with_their_kind_and_a_short_sequence() -> None:
    tasks = _one_per_template_and_level()
    samples = [Sample(f"ref|{t.task_id}", t.task_id, 0, {}, t.reference_program) for t in tasks]
    kinds = {}
    for task in tasks:
        for mutant in SUITE.mutants(task):
            key = f"{mutant.kind}|{task.task_id}"
            kinds[key] = (task.metadata["template"], mutant.kind)
            assert mutant.program is not None
            samples.append(Sample(key, task.task_id, 0, {}, mutant.program))
    verdicts = _judge(tasks, samples)
    for key, verdict in verdicts.items():
        if key.startswith("ref|"):
            assert verdict.status == "passed", (key, verdict.detail)
            continue
        assert verdict.status == "failed", (key, verdict.status, verdict.detail)
        assert verdict.failure_kind in ("invariant", "liveness", "contract"), key
        assert "shortest failing sequence found" in verdict.detail
        assert verdict.failing_input and verdict.failing_input.startswith("obj = ")
        want = EXPECTED_KINDS.get(kinds[key])
        assert want is None or verdict.failure_kind == want, (key, verdict.detail)


def test_the_shortest_failing_sequence_is_the_minimal_one() -> None:
    """A deposit of a negative amount breaks the invariant in one call; a double booking
    needs two; the shrinker finds them among sequences of up to 30 calls."""
    tasks = [
        t
        for t in SUITE.build(levels="1", per_level=2)
        if t.metadata["template"] in ("account", "booking")
    ]
    samples = []
    for task in tasks:
        wanted = {"account": "unchecked-amount", "booking": "wrong-key"}[task.metadata["template"]]
        (mutant,) = [m for m in SUITE.mutants(task) if m.kind == wanted]
        assert mutant.program is not None
        samples.append(Sample(task.metadata["template"], task.task_id, 0, {}, mutant.program))
    verdicts = _judge(tasks, samples)
    assert verdicts["account"].failure_kind == "invariant"
    assert re.search(
        r": 1 of \d+ calls: obj = \w+\(\d+\); obj.deposit\(-\d+\)$", verdicts["account"].detail
    ), verdicts["account"].detail
    booking = verdicts["booking"].detail
    assert re.search(
        r": 2 of \d+ calls: obj = \w+\(\d+\); obj.book\((\d+), '\w+'\); "
        r"obj.book\(\1, '\w+'\)$",
        booking,
    ), booking


def test_a_task_file_round_trips_through_codehazard_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "temporal.jsonl"
    assert (
        main(["suites", "build", "temporal", "--levels", "1", "--per-level", "7", "-o", str(path)])
        == 0
    )
    tasks = load_tasks(path)
    assert [t.model_dump() for t in tasks.values()] == [
        t.model_dump() for t in SUITE.build(levels="1", per_level=7)
    ]
    samples = tmp_path / "samples.jsonl"
    with open(samples, "w") as fh:
        for task in tasks.values():
            fh.write(
                json.dumps({"task_id": task.task_id, "completion": task.canonical_solution}) + "\n"
            )
            wrong = SUITE.mutants(task)[0].program
            assert wrong is not None
            fh.write(
                json.dumps({"task_id": task.task_id, "completion": wrong[len(task.prompt) :]})
                + "\n"
            )
    capsys.readouterr()
    argv = ["evaluate", str(samples), "--tasks", str(path), "--store", str(tmp_path / "s.db")]
    assert main([*argv, "--json", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status_counts"] == {"passed": 7, "failed": 7}


@pytest.mark.slow
def test_every_reference_passes_and_every_mutant_is_rejected_in_repeated_reruns() -> None:
    """10 reruns in CI; ``codehazard suites selftest temporal`` measures the documented 50."""
    result = selftest("temporal", reruns=10)
    assert result.reference_pass_rate == 1.0, result.escapes
    assert result.mutant_rejection_rate == 1.0, result.escapes
    assert result.tasks == 36 and result.templates == len(TEMPLATES)
