"""The ``interdependence`` suite: seeded builds, levels, couplings, verdicts in the sandbox.

Every template's reference passes the ``sequence`` checker with the ``coupled`` monitor and
every mutant is rejected; a mutant that breaks a coupling fails with failure kind ``coupling``
and a detail naming it. Candidates that forge the driver's report (so the couplings appear to
hold) or patch builtins in their own process gain nothing. The default run judges one task
per template and level once; the full default build, reruns each, runs under ``slow``
(``codehazard suites selftest interdependence``).
"""

from __future__ import annotations

import functools
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.evaluation import Evaluator, selftest
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.sandbox._sequence_monitors import Coupled
from codehazard.tasks import Task, load_tasks, write_tasks
from codehazard.tasks._kind_sequence import SequenceChecker
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._interdep import TEMPLATES
from codehazard.verdict import Verdict

SUITE = get_suite("interdependence")


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
        prompts = {t.prompt for t in tasks if t.metadata["level"] == level}
        instructions = {t.instruction for t in tasks if t.metadata["level"] == level}
        assert len(prompts) == len(instructions) == 12
    assert len({t.task_id for t in tasks}) == len(tasks)
    assert {t.metadata["template"] for t in tasks} == {t.name for t in TEMPLATES}


def test_metadata_and_ids_name_suite_dimension_level_template_and_couplings() -> None:
    names = {t.name for t in TEMPLATES}
    for task in _default():
        meta = task.metadata
        assert re.fullmatch(r"interdependence/[a-z]+/L[123]/\d+", task.task_id)
        assert meta["suite"] == "interdependence" and meta["dimension"] == "interdependence"
        assert meta["template"] in names and task.task_id.split("/")[1] == meta["template"]
        assert isinstance(task.checker, SequenceChecker) and task.checker.monitor == "coupled"
        listed = [c["name"] for c in task.checker.params["couplings"]]
        assert meta["couplings"] == listed and len(listed) >= 1
        assert meta["coupled_variables"] == len(task.checker.observe) >= 2
        assert task.instruction and task.entry_point in task.instruction
        assert task.prompt.startswith(f"class {task.entry_point}:")


def test_levels_grow_in_coupled_variables_or_nesting_depth() -> None:
    for template in TEMPLATES:
        by_level = {
            t.metadata["level"]: t.metadata
            for t in _default()
            if t.metadata["template"] == template.name
        }
        grade = [
            (by_level[n]["coupled_variables"], by_level[n]["depth"], len(by_level[n]["couplings"]))
            for n in (1, 2, 3)
        ]
        assert all(a <= b for a, b in zip(grade[0], grade[2], strict=True)), template.name
        assert grade[0] != grade[1] != grade[2] and grade[0] < grade[2], (template.name, grade)


def test_every_task_has_at_least_three_distinct_mutants_that_compile() -> None:
    for task in _default():
        mutants = SUITE.mutants(task)
        assert len(mutants) >= 3, task.task_id
        programs = {m.program for m in mutants}
        assert len(programs) == len(mutants) and task.reference_program not in programs
        for mutant in mutants:
            assert mutant.program is not None and mutant.program.startswith(task.prompt)
            compile(mutant.program, mutant.kind, "exec")


def test_the_coupled_monitor_names_the_coupling_that_broke() -> None:
    task = next(t for t in _default() if t.metadata["template"] == "ledger")
    monitor = Coupled(task.checker.params)
    accounts = task.checker.init[0]
    state = {"balances": dict.fromkeys(accounts, 0), "journal": []}
    state.update({"reversed": []} if "reversed" in task.checker.observe else {})
    assert monitor.start(state) is None
    state["balances"][accounts[0]] = -4
    message = monitor.step("post", [], True, state)
    assert message and message.startswith("`double entry: the balances sum to 0` broke")


def test_a_coupling_without_a_holds_function_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"params\.couplings\[0\]: the source must define"):
        SequenceChecker(
            sequences=[[("f", [])]],
            monitor="coupled",
            params={"couplings": [{"name": "x", "source": "def check(s):\n    return None\n"}]},
        )
    with pytest.raises(ValueError, match=r"needs params\.couplings"):
        SequenceChecker(sequences=[[("f", [])]], monitor="coupled", params={})


def _one_per_template_and_level() -> list[Task]:
    return SUITE.build(per_level=len(TEMPLATES), seed=1)


def _judge(tasks: list[Task], samples: list[Sample]) -> dict[str, Verdict]:
    with Evaluator({t.task_id: t for t in tasks}, workers=2, limits=Limits(timeout=10)) as ev:
        return {s.key: v for s, v in ev.evaluate(samples)}


CONTRACT_MUTANTS = {"self-loops", "unordered-key", "bool-port", "shallow-defaults"}
"""Mutants whose mistake no coupling need speak of (a refusal answered wrongly) or that share
state between objects (the spot check sees the batch and a lone run disagree): they may fail
as ``contract``; every other mutant fails as ``coupling``."""


@pytest.mark.slow
def test_references_pass_and_mutants_fail_naming_the_broken_coupling() -> None:
    tasks = _one_per_template_and_level()
    by_id = {t.task_id: t for t in tasks}
    samples = [Sample(f"ref|{t.task_id}", t.task_id, 0, {}, t.reference_program) for t in tasks]
    for task in tasks:
        for mutant in SUITE.mutants(task):
            assert mutant.program is not None
            samples.append(
                Sample(f"{mutant.kind}|{task.task_id}", task.task_id, 0, {}, mutant.program)
            )
    verdicts = _judge(tasks, samples)
    couplings = 0
    for key, verdict in verdicts.items():
        kind, task_id = key.split("|")
        if kind == "ref":
            assert verdict.status == "passed", (key, verdict.detail)
            continue
        assert verdict.status != "passed", key
        if kind in CONTRACT_MUTANTS and verdict.failure_kind == "contract":
            continue
        assert verdict.status == "failed" and verdict.failure_kind == "coupling", (
            key,
            verdict.detail,
        )
        named = [
            n for n in by_id[task_id].metadata["couplings"] if f"`{n}` broke" in verdict.detail
        ]
        assert len(named) == 1, (key, verdict.detail)
        assert verdict.failing_input and verdict.failing_input.startswith("obj = ")
        couplings += 1
    assert couplings >= 0.8 * (len(verdicts) - len(tasks))


DRIVER = "sys.modules['codehazard.sandbox._drive_sequence']"

TAMPERS = {
    # the driver's report is rewritten so that the balances always replay from the journal
    # and sum to zero: the couplings hold in the report, not in the object
    "forged-consistent-report": f"""
import sys
_d = {DRIVER}
_real = _d.drive_steps
def _forge(subject, steps, observe):
    report = _real(subject, steps, observe)
    for row in report["steps"]:
        if len(row[1]) == len(observe):
            seen = dict(zip(observe, row[1]))
            book = {{a: 0 for a in seen["balances"]}}
            for e in seen["journal"]:
                book[e[0]] -= e[2]
                book[e[1]] += e[2]
            row[1][observe.index("balances")] = book
    return report
_d.drive_steps = _forge
""",
    # builtins patched in the candidate's process: the couplings run in the judge
    "patched-builtins": """
import builtins
builtins.sum = lambda *args, **kwargs: 0
builtins.sorted = lambda values, *args, **kwargs: list(values)
""",
}


@pytest.mark.slow
def test_tampering_with_the_report_or_builtins_gains_no_pass() -> None:
    task = next(t for t in _one_per_template_and_level() if t.metadata["template"] == "ledger")
    (mutant,) = [m for m in SUITE.mutants(task) if m.kind == "one-sided-entry"]
    assert mutant.program is not None
    samples = [
        Sample(name, task.task_id, 0, {}, mutant.program + "\n" + code)
        for name, code in TAMPERS.items()
    ]
    samples.append(
        Sample(
            "clean",
            task.task_id,
            0,
            {},
            task.reference_program + "\n" + TAMPERS["patched-builtins"],
        )
    )
    verdicts = _judge([task], samples)
    assert verdicts["forged-consistent-report"].status != "passed"
    assert verdicts["patched-builtins"].failure_kind == "coupling"
    assert verdicts["clean"].status == "passed", verdicts["clean"].detail


@pytest.mark.slow
def test_a_task_file_round_trips_through_codehazard_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "interdependence.jsonl"
    argv = ["suites", "build", "interdependence", "--levels", "2", "--per-level", "5"]
    assert main([*argv, "-o", str(path)]) == 0
    tasks = load_tasks(path)
    assert [t.model_dump() for t in tasks.values()] == [
        t.model_dump() for t in SUITE.build(levels="2", per_level=5)
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
    assert out["status_counts"] == {"passed": 5, "failed": 5}


def test_random_sequences_come_from_the_task_key_not_the_global_generator() -> None:
    random.seed(1)
    first = SUITE.build(levels="1", per_level=3)
    random.seed(2)
    assert [t.model_dump() for t in SUITE.build(levels="1", per_level=3)] == [
        t.model_dump() for t in first
    ]


@pytest.mark.slow
def test_every_reference_passes_and_every_mutant_is_rejected_in_repeated_reruns() -> None:
    """10 reruns in CI; ``codehazard suites selftest interdependence`` measures the 50."""
    result = selftest("interdependence", reruns=10)
    assert result.reference_pass_rate == 1.0, result.escapes
    assert result.mutant_rejection_rate == 1.0, result.escapes
    assert result.tasks == 36 and result.templates == len(TEMPLATES)


def test_a_state_of_another_shape_is_a_contract_failure_not_a_crash() -> None:
    """balances() answering a list: no coupling can read it; the verdict is ``contract``."""
    task = next(t for t in _one_per_template_and_level() if t.metadata["template"] == "ledger")
    program = task.reference_program.replace(
        "return dict(self._balances)", "return list(self._balances.items())"
    )
    assert program != task.reference_program
    verdict = _judge([task], [Sample("shape", task.task_id, 0, {}, program)])["shape"]
    assert verdict.status == "failed" and verdict.failure_kind == "contract", verdict.detail
    assert "unreadable state" in verdict.detail
