"""The variable-binding suite: wording, reference semantics, determinism and test strength."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from suite_fakes import load_function

from codehazard.errors import InputError
from codehazard.tasks import Task, load_tasks, write_tasks
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._binding import (
    NAMES,
    Operation,
    binding_chain,
    chain_from_metadata,
    describe,
)
from codehazard.tasks.suites._chain import same_value


def test_the_papers_example_reads_as_in_the_paper() -> None:
    add = Operation(op="add", targets=("y",), amount=3)
    sub = Operation(op="subtract", targets=("x", "w"), amount=4)
    assert describe(add) == "add 3 to y"
    assert describe(sub) == "subtract 4 from both x and w"
    assert describe(Operation(op="multiply", targets=("x", "y", "z"), amount=2)) == (
        "multiply x, y and z by 2"
    )
    assert describe(Operation(op="add-variable", targets=("z",), source="x")) == "add x to z"
    assert describe(Operation(op="swap", targets=("a", "b"))) == "swap the values of a and b"
    chain = binding_chain(["x", "y", "z", "w"], [add, sub], "product")
    assert chain.run([1, 2, 3, 4]) == (1 - 4) * (2 + 3) * 3 * (4 - 4)
    assert chain.run([5, 1, 2, 6]) == 1 * 4 * 2 * 2


@pytest.mark.slow
def test_default_shape(variable_binding: list[Task]) -> None:
    cells = Counter((t.metadata["variables"], t.metadata["operations"]) for t in variable_binding)
    assert cells == {(k, m): 4 for k in range(2, 9) for m in range(0, 13)}
    ids = [t.task_id for t in variable_binding]
    assert len(set(ids)) == len(ids)
    for task in variable_binding:
        meta = task.metadata
        assert meta["suite"] == "variable-binding"
        assert meta["dimension"] == "variable-binding"
        assert meta["level"] == meta["components"] == meta["operations"] == len(meta["steps"])
        assert meta["names"] == [n for n in NAMES if n in meta["names"]]
        assert len(meta["names"]) == meta["variables"]
        assert meta["blocks"] == [s["op"] for s in meta["steps"]]
        assert meta["combine"] in ("sum", "product")
        assert meta["final_step"] == "return"
        assert meta["generator_version"] == 3
        assert meta["docstring_tokens"] > 5 * meta["operations"]
        assert len(meta["test_inputs"]) >= 20
        assert all(len(args) == meta["variables"] for args in meta["test_inputs"])
        word = ["two", "three", "four", "five", "six", "seven", "eight"][meta["variables"] - 2]
        assert f"the {meta['combine']} of the {word}" in " ".join(task.prompt.split())
        assert task.instruction is not None and "do_work" in task.instruction


def test_the_return_alone_is_a_task() -> None:
    """m = 0: no operation, only the combining return, whose own rate the composition gap
    divides out of the single-operation rates (the default build's m = 0 cells, built alone)."""
    alone = get_suite("variable-binding").build(operations="0")
    assert len(alone) == 7 * 4
    for task in alone:
        meta = task.metadata
        word = ["two", "three", "four", "five", "six", "seven", "eight"][meta["variables"] - 2]
        assert " ".join(task.prompt.split()).endswith(
            f'""" Return the {meta["combine"]} of the {word} numbers. """'
        )
        assert meta["blocks"] == [] and meta["steps"] == []
        assert task.canonical_solution.strip().startswith("return ")
        assert chain_from_metadata(meta).blocks == ("return",)


def test_advice_warns_when_the_composition_gap_lacks_its_rates() -> None:
    suite = get_suite("variable-binding")
    assert suite.advise() == []
    assert any("m = 0" in note for note in suite.advise(operations="1-5"))
    assert any("m = 1" in note for note in suite.advise(operations="0,2-5"))


@pytest.mark.slow
def test_no_swap_undoes_the_one_before(variable_binding: list[Task]) -> None:
    for task in variable_binding:
        steps = task.metadata["steps"]
        for before, after in itertools.pairwise(steps):
            if before["op"] == after["op"] == "swap":
                assert set(before["targets"]) != set(after["targets"]), task.task_id


def _check(task: Task) -> Any:
    namespace: dict[str, Any] = {}
    exec(task.checker.test, namespace)  # our own generated test code
    return namespace["check"]


@pytest.mark.slow
def test_every_reference_passes_its_own_tests(variable_binding: list[Task]) -> None:
    for task in variable_binding:
        _check(task)(load_function(task.reference_program, task.entry_point))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 335), st.lists(st.integers(-50, 50), min_size=8, max_size=8))
def test_reference_code_and_chain_agree(index: int, values: list[int]) -> None:
    task = _small_suite()[index % len(_small_suite())]
    args = values[: task.metadata["variables"]]
    fn = load_function(task.reference_program, task.entry_point)
    assert same_value(fn(*args), chain_from_metadata(task.metadata).run(args))


_CACHE: list[Task] = []


def _small_suite() -> list[Task]:
    if not _CACHE:
        _CACHE.extend(get_suite("variable-binding").build(per_level=1, seed=9))
    return _CACHE


# The mutant audit (wrong bindings rejected unless no input could tell them apart) is in
# test_conformance.py, over Suite.mutants, for every suite.


def test_the_forgotten_variable_is_caught() -> None:
    """The paper's failure: subtract from x but forget w, and return without w."""
    tasks = get_suite("variable-binding").build(variables="4", operations="2", per_level=5)
    for task in tasks:
        chain = chain_from_metadata(task.metadata)
        check = _check(task)
        forgot = [v for v in chain.variants() if v.detail.endswith("left out")]
        assert len(forgot) == 4
        for variant in forgot:
            with pytest.raises(AssertionError):
                check(lambda *a, v=variant, c=chain: c.run_variant(v, c.states(a)))


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    suite = get_suite("variable-binding")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_tasks(suite.build(variables="2-3", operations="1-3", per_level=2, seed=4), a)
    write_tasks(suite.build(variables=[2, 3], operations=(1, 2, 3), per_level=2, seed=4), b)
    assert a.read_bytes() == b.read_bytes()
    loaded = load_tasks(a)
    assert list(loaded.values()) == suite.build(
        variables="2-3", operations="1-3", per_level=2, seed=4
    )
    digest = hashlib.sha256(a.read_bytes()).hexdigest()
    assert digest == GOLDEN_DIGEST, "generator changed: bump GENERATOR_VERSION, update digest"


GOLDEN_DIGEST = "77af522ac924b1d36b25e16891a054160341d947169e85f3bdb6db9f0ddb2558"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({}, "not a variable-binding"),
        ({"names": ["x"], "steps": [{"op": "cube", "targets": ["x"]}], "combine": "sum"}, "not"),
        ({"names": ["x"], "steps": [], "combine": "max"}, "unknown combine"),
        (
            {
                "names": ["x"],
                "steps": [{"op": "add", "targets": ["q"], "amount": 1}],
                "combine": "sum",
            },
            "not in",
        ),
    ],
)
def test_bad_metadata_is_an_input_error(metadata: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        chain_from_metadata(metadata)
