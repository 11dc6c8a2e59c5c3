"""The ``hyperproperties`` suite: seeded builds, levels, mutants, and verdicts in the real sandbox.

Every template's reference passes the ``noninterference`` checker and every mutant is rejected:
a leaky one as a ``leak`` whose detail names the channel its mistake opens (``work``,
``exception``, ``count``, ``order``, ``output``) and the pair. The default run judges one task
per template and level once; the full default build, repeated reruns each, runs under ``slow``
(``codehazard suites selftest hyperproperties`` measures the documented 50).
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from codehazard.cli import main
from codehazard.evaluation import Evaluator, selftest
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.sandbox._check_noninterference import _leak, _reference_run
from codehazard.tasks import Task, load_tasks, write_tasks
from codehazard.tasks._kind_noninterference import NoninterferenceChecker
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._hyper import TEMPLATES
from codehazard.verdict import Verdict

SUITE = get_suite("hyperproperties")
LEAK_CHANNELS = {"work", "exception", "count", "order", "output"}


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
    assert Counter(t.metadata["level"] for t in tasks) == {1: 12, 2: 12, 3: 12}
    for level in (1, 2, 3):
        assert len({t.prompt for t in tasks if t.metadata["level"] == level}) == 12
        assert len({t.instruction for t in tasks if t.metadata["level"] == level}) == 12
    assert len({t.task_id for t in tasks}) == len(tasks)


def test_metadata_ids_and_both_forms() -> None:
    names = {t.name for t in TEMPLATES}
    for task in _default():
        meta = task.metadata
        assert re.fullmatch(r"hyperproperties/[a-z]+/L[123]/\d+", task.task_id)
        assert meta["suite"] == meta["dimension"] == "hyperproperties"
        assert meta["template"] in names and task.task_id.split("/")[1] == meta["template"]
        assert isinstance(task.checker, NoninterferenceChecker)
        assert meta["pairs"] == len(task.checker.pairs) >= 8
        assert task.prompt.startswith(f"def {task.entry_point}(")
        assert task.instruction and f"`{task.entry_point}(" in task.instruction
        # secrets stay short: every served read is a round trip
        assert meta["secret_size"] <= 64
        if task.checker.served:
            assert "work" in task.checker.observe and "Secret" in task.prompt


def test_every_pair_differs_only_in_the_secret() -> None:
    for task in _default():
        for pair in task.checker.pairs:
            assert pair.args[task.checker.secret_arg] is None
        distinct = sum(a != b for a, b in (p.secrets for p in task.checker.pairs))
        assert distinct >= len(task.checker.pairs) - 1, task.task_id


def test_every_template_has_three_mutants_and_the_suite_every_leak() -> None:
    kinds: Counter[str] = Counter()
    for task in _default():
        mutants = SUITE.mutants(task)
        assert len(mutants) >= 3, task.task_id
        programs = {m.program for m in mutants}
        assert len(programs) == len(mutants) and task.reference_program not in programs
        for mutant in mutants:
            assert mutant.program is not None and mutant.program.startswith(task.prompt)
            compile(mutant.program, mutant.kind, "exec")
            kinds[mutant.kind] += 1
    assert {f"leak-{c}" for c in LEAK_CHANNELS} <= set(kinds), kinds


def _first_leak(task: Task, fn: Any) -> str | None:
    """The channel the judge's own decision names for ``fn`` (run here, not sandboxed)."""
    checker = task.checker
    for pair in checker.pairs:
        first, second = (_reference_run(fn, checker, pair.args, s) for s in pair.secrets)
        found = _leak(checker, first, second)
        if found is not None:
            return found[0]
    return None


def test_every_leaky_mutant_of_the_default_build_leaks_through_its_channel() -> None:
    """The whole default build, decided by the checker's own functions in this process: every
    ``leak-*`` mutant shows its channel on some pair, every reference on none."""
    for task in _default():
        reference: dict[str, Any] = {}
        exec(task.reference_program, reference)
        assert _first_leak(task, reference[task.entry_point]) is None, task.task_id
        for mutant in SUITE.mutants(task):
            if mutant.kind == "contract":
                continue
            namespace: dict[str, Any] = {}
            assert mutant.program is not None
            exec(mutant.program, namespace)
            channel = _first_leak(task, namespace[task.entry_point])
            assert channel == mutant.kind.removeprefix("leak-"), (task.task_id, mutant.detail)


def _one_per_template_and_level() -> list[Task]:
    return SUITE.build(per_level=len(TEMPLATES), seed=1)


def _judge(tasks: list[Task], samples: list[Sample]) -> dict[str, Verdict]:
    with Evaluator({t.task_id: t for t in tasks}, workers=2, limits=Limits(timeout=10)) as ev:
        return {s.key: v for s, v in ev.evaluate(samples)}


def test_references_pass_and_each_mutant_is_caught_through_its_channel() -> None:
    tasks = _one_per_template_and_level()
    samples = [Sample(f"ref|{t.task_id}", t.task_id, 0, {}, t.reference_program) for t in tasks]
    for task in tasks:
        for number, mutant in enumerate(SUITE.mutants(task)):
            assert mutant.program is not None
            key = f"{mutant.kind}|{number}|{task.task_id}"
            samples.append(Sample(key, task.task_id, 0, {}, mutant.program))
    verdicts = _judge(tasks, samples)
    assert len(verdicts) == len(samples)
    for key, verdict in verdicts.items():
        if key.startswith("ref|"):
            assert verdict.status == "passed", (key, verdict.detail)
            continue
        assert verdict.status == "failed", (key, verdict.status, verdict.detail)
        kind = key.split("|")[0]
        if kind == "contract":
            assert verdict.failure_kind == "contract", (key, verdict.detail)
            continue
        channel = kind.removeprefix("leak-")
        assert verdict.failure_kind == "leak", (key, verdict.detail)
        assert re.match(rf"leak through {channel}: pair \d+, ", verdict.detail), (
            key,
            verdict.detail,
        )
        assert verdict.failing_input and verdict.failing_input.startswith("pair ")


def test_a_task_file_round_trips_through_codehazard_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hyper.jsonl"
    argv = ["suites", "build", "hyperproperties", "--levels", "2", "--per-level", "4"]
    assert main([*argv, "-o", str(path)]) == 0
    tasks = load_tasks(path)
    assert [t.model_dump() for t in tasks.values()] == [
        t.model_dump() for t in SUITE.build(levels="2", per_level=4)
    ]
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
    assert out["status_counts"] == {"passed": 4, "failed": 4}


@pytest.mark.slow
def test_every_reference_passes_and_every_mutant_is_rejected_in_repeated_reruns() -> None:
    """10 reruns in CI; ``codehazard suites selftest hyperproperties`` measures the 50."""
    result = selftest("hyperproperties", reruns=10)
    assert result.reference_pass_rate == 1.0, result.escapes
    assert result.mutant_rejection_rate == 1.0, result.escapes
    assert result.tasks == 36 and result.templates == len(TEMPLATES)
