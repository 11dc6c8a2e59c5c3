"""The misalignment suite: four paired conditions per base task, byte-identical for a seed, and
the shipped screens re-judged in the real sandbox: every kept buggy example runs and fails its
own task's tests, every correct example passes them."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from codehazard.errors import InputError
from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._misalignment import (
    CONDITIONS,
    INSTRUCTION,
    Example,
    base_tasks,
    example_program,
    load_screen,
    reference_digest,
    screen_candidates,
    screen_entry,
    screen_status,
)
from codehazard.tasks.suites._misalignment_mutate import mutations

SUITE = get_suite("misalignment")
FIRST = 12
TASKS = SUITE.build(first=FIRST)
BASE = {t.task_id: t for t in base_tasks("humaneval")}


def _screen(base: str) -> dict[str, Any]:
    path = f"data/misalignment-{base}.json"
    text = resources.files("codehazard.tasks.suites").joinpath(path).read_text("utf-8")
    return json.loads(text)


def _by_base(tasks: list[Task]) -> dict[str, dict[str, Task]]:
    out: dict[str, dict[str, Task]] = {}
    for task in tasks:
        out.setdefault(task.metadata["base_task"], {})[task.metadata["condition"]] = task
    return out


def test_each_base_task_is_asked_under_the_four_conditions_with_its_own_checker() -> None:
    grouped = _by_base(TASKS)
    assert len(TASKS) == 4 * FIRST and len(grouped) == FIRST
    for base_id, by in grouped.items():
        base = BASE[base_id]
        assert set(by) == set(CONDITIONS)
        for condition, task in by.items():
            assert task.task_id == f"misalignment/{condition}/{base_id}"
            assert task.checker == base.checker and task.entry_point == base.entry_point
            assert task.canonical_solution == base.canonical_solution
            assert task.prompt.endswith(base.prompt)
            assert task.metadata["probe"] == "misalignment"
            assert task.metadata["base_suite"] == "humaneval"
        assert by["none"].prompt == base.prompt


def test_the_examples_are_paired_only_their_correctness_changes() -> None:
    for base_id, by in _by_base(TASKS).items():
        examples = by["correct"].metadata["examples"]
        assert len(examples) == 3 and base_id not in examples
        assert by["buggy"].metadata["examples"] == examples
        assert by["buggy-instructed"].metadata["examples"] == examples
        mutants = by["buggy"].metadata["example_mutants"]
        assert by["buggy-instructed"].metadata["example_mutants"] == mutants
        chosen = [Example(BASE[e], m) for e, m in zip(examples, mutants, strict=True)]
        for example in chosen:
            assert example_program(example, False).rstrip() in by["correct"].prompt
            buggy = example_program(example, True).rstrip()
            assert buggy in by["buggy"].prompt and buggy not in by["correct"].prompt
        base_prompt = BASE[base_id].prompt
        assert by["buggy-instructed"].prompt == (
            by["buggy"].prompt[: -len(base_prompt)] + INSTRUCTION + base_prompt
        )


def test_the_same_seed_gives_byte_identical_tasks_and_another_seed_other_examples() -> None:
    again = SUITE.build(first=FIRST)
    assert [t.model_dump_json() for t in again] == [t.model_dump_json() for t in TASKS]
    other = SUITE.build(first=FIRST, seed=1)
    assert [t.metadata["examples"] for t in other] != [t.metadata["examples"] for t in TASKS]


def test_a_changed_reference_makes_the_build_fail_with_the_remake_command() -> None:
    task = next(iter(BASE.values()))
    changed = task.model_copy(update={"canonical_solution": task.canonical_solution + "\n"})
    with pytest.raises(InputError, match=r"bench/misalignment_screen\.py --base humaneval"):
        load_screen("humaneval", [changed])
    assert reference_digest(changed) != reference_digest(task)


def test_the_screen_covers_every_candidate_of_every_base_task() -> None:
    """A screen names mutants by site number: it is only valid for the mutation set it was
    made from, so every task's judged count must equal its mutations now."""
    for base in ("humaneval", "building-blocks"):
        entries = _screen(base)["tasks"]
        for task_id, entry in entries.items():
            if base == "humaneval":
                task = BASE[task_id]
                assert sum(entry["outcomes"].values()) == len(screen_candidates(task)), task_id
        kept = [m for e in entries.values() for m in e["kept"]]
        assert len(kept) >= 2 * len(entries)


def _judge(
    tasks: dict[str, Task], programs: dict[str, tuple[str, str]], *, screen: bool = False
) -> dict[str, str]:
    """Each program's verdict status (as the screen records it, with ``screen``)."""
    samples = [Sample(k, tid, i, {}, p) for i, (k, (tid, p)) in enumerate(programs.items())]
    with Evaluator(tasks, workers=2, limits=Limits(timeout=3.0)) as ev:
        judged = list(ev.evaluate(samples))
    return {s.key: screen_status(v.status, v.duration) if screen else v.status for s, v in judged}


def _recheck(base: str, tasks: list[Task]) -> None:
    kept = load_screen(base, tasks)
    programs: dict[str, tuple[str, str]] = {}
    for task in tasks:
        programs[f"{task.task_id}|reference"] = (task.task_id, task.reference_program)
        for mutation in kept[task.task_id]:
            program = example_program(Example(task, mutation), buggy=True)
            programs[f"{task.task_id}|{mutation}"] = (task.task_id, program)
    statuses = _judge({t.task_id: t for t in tasks}, programs)
    wrong = {
        k: s
        for k, s in statuses.items()
        if s != ("passed" if k.endswith("|reference") else "failed")
    }
    assert not wrong, wrong


def test_kept_buggy_examples_fail_their_own_tests_and_references_pass_in_the_sandbox() -> None:
    _recheck("humaneval", list(BASE.values())[:20])


def test_the_screen_of_a_task_is_what_judging_its_candidates_gives() -> None:
    tasks = [BASE[f"HumanEval/{i}"] for i in (0, 2, 5, 13)]
    programs = {}
    for task in tasks:
        programs[f"{task.task_id}|reference"] = (task.task_id, task.reference_program)
        for mutation_id, program in screen_candidates(task):
            programs[f"{task.task_id}|{mutation_id}"] = (task.task_id, program)
    statuses = _judge({t.task_id: t for t in tasks}, programs, screen=True)
    shipped = _screen("humaneval")["tasks"]
    for task in tasks:
        prefix = f"{task.task_id}|"
        verdicts = {k[len(prefix) :]: s for k, s in statuses.items() if k.startswith(prefix)}
        reference = verdicts.pop("reference")
        assert screen_entry(task, reference, verdicts) == shipped[task.task_id]


def test_a_mutant_that_raises_or_passes_is_not_kept() -> None:
    task = BASE["HumanEval/0"]
    entry = screen_entry(task, "passed", {"a@0": "failed", "b@0": "error", "c@0": "passed"})
    assert entry["kept"] == ["a@0"]
    assert screen_entry(task, "failed", {"a@0": "failed"})["kept"] == []
    assert len(mutations(task.reference_program)) >= len(screen_candidates(task))


@pytest.mark.slow
def test_every_kept_buggy_example_of_both_shipped_screens_fails_in_the_sandbox() -> None:
    _recheck("humaneval", list(BASE.values()))
    _recheck("building-blocks", base_tasks("building-blocks"))


@pytest.mark.slow
def test_the_building_blocks_base_renames_the_examples_entry_points() -> None:
    tasks = SUITE.build(base="building-blocks", first=3)
    assert len(tasks) == 12
    buggy = next(t for t in tasks if t.metadata["condition"] == "buggy")
    assert buggy.prompt.count("def process_string(") == 1
    for number in (1, 2, 3):
        assert f"def process_string_{number}(" in buggy.prompt
    assert buggy.metadata["base_suite"] == "building-blocks" and "blocks" in buggy.metadata


@pytest.mark.slow  # builds the whole building-blocks suite as its base
def test_the_tasks_are_their_own_dimension_never_the_bases() -> None:
    """A profile groups by dimension: with the base's, these prompts would be pooled into the
    base's capability curve (the built-in model's chain-length figure fell from 46% to 18%)."""
    tasks = SUITE.build(base="building-blocks", first=2)
    assert {t.metadata["dimension"] for t in tasks} == {"misalignment"}
    assert {t.metadata["base_dimension"] for t in tasks} == {"specification-complexity"}
