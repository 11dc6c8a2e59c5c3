"""The building-blocks suite: shape, determinism, and tests strong enough to reject mutants."""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from suite_fakes import load_function

from codehazard.tasks import Task, load_tasks, write_tasks
from codehazard.tasks.suites import _building_blocks as building_blocks_module
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._blocks import BLOCKS_BY_KEY
from codehazard.tasks.suites._building_blocks import (
    EDGE_INPUTS,
    ENTRY_POINT,
    block_chain,
)


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_default_shape(building_blocks: list[Task]) -> None:
    per_length = Counter(t.metadata["components"] for t in building_blocks)
    assert per_length == {1: 13, **{n: 30 for n in range(2, 11)}}
    ids = [t.task_id for t in building_blocks]
    assert len(set(ids)) == len(ids)
    assert ids[0] == "building-blocks/L01/000"
    singles = sorted(t.metadata["blocks"][0] for t in building_blocks if t.metadata["length"] == 1)
    assert len(set(singles)) == 13  # every block once at length 1


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_chains_have_distinct_blocks_and_differ_within_a_length(
    building_blocks: list[Task],
) -> None:
    seen: set[tuple[int, tuple[str, ...]]] = set()
    for task in building_blocks:
        blocks = tuple(task.metadata["blocks"])
        assert len(set(blocks)) == len(blocks) == task.metadata["components"]
        assert (len(blocks), blocks) not in seen
        seen.add((len(blocks), blocks))


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_metadata_records_the_complexity(building_blocks: list[Task]) -> None:
    for task in building_blocks:
        meta = task.metadata
        n = meta["components"]
        assert meta["suite"] == "building-blocks"
        assert meta["dimension"] == "specification-complexity"
        assert meta["level"] == meta["length"] == meta["operations"] == n
        assert meta["variables"] == 1
        assert meta["seed"] == 0
        assert meta["generator_version"] == 2
        assert meta["effective_components"] == n
        assert len(meta["block_numbers"]) == n
        assert meta["docstring_tokens"] > 10 * n
        assert len(meta["test_inputs"]) >= 20


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_every_step_is_observable_on_the_tasks_own_inputs(building_blocks: list[Task]) -> None:
    """Skipping any step changes some expected output: no step is a no-op (``triple_spaces``
    before the words are re-split, ``remove_e`` before ``remove_vowels``, ``alternate_upper``
    before ``lowercase``), so a chain's length is its real number of components."""
    for task in building_blocks:
        chain = block_chain(task.metadata["blocks"])
        inputs = task.metadata["test_inputs"]
        expected = [chain.run(args) for args in inputs]
        for variant in chain.skipped_variants():
            outputs = [chain.run_variant(variant, chain.states(args)) for args in inputs]
            assert outputs != expected, (task.task_id, variant.detail)


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_known_no_op_pairs_never_occur(building_blocks: list[Task]) -> None:
    """The pairs the review found (a step with no effect on what follows) are redrawn."""
    for task in building_blocks:
        blocks = task.metadata["blocks"]
        for before, after in itertools.pairwise(blocks):
            assert (before, after) != ("remove_e", "remove_vowels"), task.task_id
            assert (before, after) != ("alternate_upper", "lowercase"), task.task_id
            assert (before, after) not in {
                ("triple_spaces", "reverse_words"),
                ("triple_spaces", "add_apples"),
                ("triple_spaces", "drop_first_half_words"),
            }, task.task_id


def test_after_too_many_draws_the_most_observable_chain_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With one draw allowed per task, a chain with a no-op step is kept, and its metadata
    says how many of its steps are real."""
    monkeypatch.setattr(building_blocks_module, "MAX_DRAWS", 1)
    tasks = get_suite("building-blocks").build(lengths="10", per_length=8, seed=0)
    effective = [t.metadata["effective_components"] for t in tasks]
    assert len(tasks) == 8 and min(effective) < 10
    for task in tasks:
        chain = block_chain(task.metadata["blocks"])
        seen = chain.observable_steps(task.metadata["test_inputs"])
        assert task.metadata["effective_components"] == sum(seen)


def test_advice_warns_about_missing_single_blocks() -> None:
    suite = get_suite("building-blocks")
    assert suite.advise() == []
    assert "only 3 of the 13 single-block tasks" in suite.advise(lengths="1-3", per_length=3)[0]
    assert "no length-1 tasks" in suite.advise(lengths="2-4")[0]


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_prompts_list_the_steps_in_order(building_blocks: list[Task]) -> None:
    task = building_blocks[-1]
    chain = block_chain(task.metadata["blocks"])
    assert task.prompt.startswith(f'def {ENTRY_POINT}(s: str) -> str:\n    """\n')
    assert task.prompt.endswith('    """\n')
    assert task.instruction is not None
    for i, key in enumerate(task.metadata["blocks"], start=1):
        doc = BLOCKS_BY_KEY[key].doc
        assert f"    {i}. {doc}\n" in task.prompt
        assert f"{i}. {doc[0].upper()}{doc[1:]}." in task.instruction
    assert chain.blocks == tuple(task.metadata["blocks"])
    assert task.canonical_solution.endswith("    return s\n")


def _check(task: Task) -> Any:
    namespace: dict[str, Any] = {}
    exec(task.checker.test, namespace)  # our own generated test code
    return namespace["check"]


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_every_reference_passes_its_own_tests(building_blocks: list[Task]) -> None:
    for task in building_blocks:
        fn = load_function(task.reference_program, task.entry_point)
        _check(task)(fn)  # raises AssertionError on a wrong expected value


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_tests_cover_short_strings_and_every_kind_of_character(
    building_blocks: list[Task],
) -> None:
    for task in building_blocks:
        inputs = [args[0] for args in task.metadata["test_inputs"]]
        assert inputs[: len(EDGE_INPUTS)] == list(EDGE_INPUTS)
        assert {len(s) for s in inputs} >= {0, 1, 2, 3, 4}
        text = "".join(inputs)
        assert all(c in text for c in "eEaAoOyY.!?, ")
        assert any("  " in s for s in inputs)


# The mutant audits (wrong variants rejected unless no input could tell them apart) are in
# test_conformance.py, over Suite.mutants, for every suite.


def test_same_seed_same_bytes_and_lengths_are_independent(tmp_path: Path) -> None:
    suite = get_suite("building-blocks")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_tasks(suite.build(lengths="1-4", per_length=6, seed=5), a)
    write_tasks(suite.build(lengths=[1, 2, 3, 4], per_length="6", seed="5"), b)
    assert a.read_bytes() == b.read_bytes()
    only_three = suite.build(lengths="3", per_length=6, seed=5)
    assert [t.model_dump() for t in only_three] == [
        t.model_dump() for t in load_tasks(a).values() if t.metadata["length"] == 3
    ]
    other_seed = suite.build(lengths="1-4", per_length=6, seed=6)
    assert [t.prompt for t in other_seed] != [t.prompt for t in load_tasks(a).values()]


def test_bytes_do_not_depend_on_the_process(tmp_path: Path) -> None:
    out = tmp_path / "child.jsonl"
    code = (
        "from codehazard.cli import main; import sys; "
        f"sys.exit(main(['suites', 'build', 'building-blocks', '--lengths', '2-3', "
        f"'--per-length', '4', '-o', {str(out)!r}]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    here = tmp_path / "here.jsonl"
    write_tasks(get_suite("building-blocks").build(lengths="2-3", per_length=4), here)
    assert out.read_bytes() == here.read_bytes()


def test_golden_digest_pins_the_generator(tmp_path: Path) -> None:
    """A change here changes every user's tasks: bump GENERATOR_VERSION and update the digest."""
    path = tmp_path / "golden.jsonl"
    write_tasks(get_suite("building-blocks").build(lengths="1-3", per_length=3, seed=0), path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == GOLDEN_DIGEST


GOLDEN_DIGEST = "d91a543d34b6aa27daa34ff4f17b3e12280fcecb2f803136cb25ced6b91a8ffe"


@pytest.mark.slow  # the default build takes a minute on 2 cores
def test_humaneval_round_trip(tmp_path: Path, building_blocks: list[Task]) -> None:
    path = tmp_path / "tasks.jsonl.gz"
    write_tasks(building_blocks[:20], path)
    loaded = load_tasks(path)
    assert list(loaded.values()) == building_blocks[:20]
