"""The misalignment suite's mutation operators: each makes the one edit it names, on the AST,
applied to the source text so the rest of the program is unchanged byte for byte; sites are
numbered stably; nothing before the solution is touched; every mutant parses."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.tasks import dataset_path, load_tasks
from codehazard.tasks.suites._misalignment import solution_offset
from codehazard.tasks.suites._misalignment_mutate import (
    OPERATORS,
    apply,
    mutant,
    mutations,
)

PROGRAM = '''def f(xs, k):
    """Docstring with 1 < 2 and range(3)."""
    if not xs:
        return []  # the edge case
    out = []
    for i in range(len(xs)):
        if xs[i] < k:
            out.append(pow(xs[i], 2) - 1)
    return out
'''
HUMANEVAL = list(load_tasks(dataset_path("humaneval")).values())


def _edits(operator: str) -> list[str]:
    return [apply(PROGRAM, m) for m in mutations(PROGRAM) if m.operator == operator]


def test_each_operator_makes_the_edit_it_names() -> None:
    assert "if xs[i] > k:" in "".join(_edits("flip-comparison"))
    assert "if xs[i] <= k:" in "".join(_edits("wrong-boundary"))
    assert "range(len(xs) - 1)" in "".join(_edits("wrong-boundary"))
    assert "pow(2, xs[i])" in "".join(_edits("swap-arguments"))
    assert "1 - pow(xs[i], 2)" in "".join(_edits("swap-arguments"))
    assert "- 2)" in "".join(_edits("off-by-one"))
    dropped = _edits("drop-edge-case")
    assert len(dropped) == 1 and "if not xs" not in dropped[0] and "out = []" in dropped[0]


def test_the_docstring_and_comments_are_never_edited_and_the_rest_is_kept() -> None:
    for m in mutations(PROGRAM):
        edited = apply(PROGRAM, m)
        assert '"""Docstring with 1 < 2 and range(3)."""' in edited, m.id
        data, new = PROGRAM.encode(), edited.encode()
        assert new[: m.start] == data[: m.start] and new.endswith(data[m.end :]), m.id
        if m.operator != "drop-edge-case":
            assert "# the edge case" in edited, m.id


def test_sites_are_numbered_per_operator_in_source_order_and_found_again_by_id() -> None:
    found = mutations(PROGRAM)
    assert {m.operator for m in found} == set(OPERATORS)
    for operator in OPERATORS:
        sites = [m for m in found if m.operator == operator]
        assert [m.site for m in sites] == list(range(len(sites)))
        assert [m.start for m in sites] == sorted(m.start for m in sites)
    for m in found:
        assert mutant(PROGRAM, m.id) == m
    assert mutant(PROGRAM, "flip-comparison@99") is None


def test_only_code_after_the_start_offset_is_mutated() -> None:
    start = PROGRAM.index("    out = []")
    found = mutations(PROGRAM, start)
    assert found and all(m.start >= start for m in found)
    assert not [m for m in found if m.operator == "drop-edge-case"]


def test_a_program_that_does_not_parse_has_no_mutations() -> None:
    assert mutations("def f(:\n    return 1 < 2\n") == []


def test_humaneval_mutants_parse_touch_only_the_solution_and_differ() -> None:
    total = 0
    for task in HUMANEVAL:
        program, start = task.reference_program, solution_offset(task)
        for m in mutations(program, start):
            edited = apply(program, m)
            ast.parse(edited)
            assert edited.startswith(task.prompt) and edited != program, (task.task_id, m.id)
            total += 1
    assert total > 5 * len(HUMANEVAL)  # about 940 with MUTATOR_VERSION 1


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(HUMANEVAL), st.data())
def test_mutations_are_deterministic_and_applying_one_twice_is_stable(
    task: object, data: st.DataObject
) -> None:
    from codehazard.tasks import Task

    assert isinstance(task, Task)
    program, start = task.reference_program, solution_offset(task)
    first, again = mutations(program, start), mutations(program, start)
    assert first == again
    if first:
        chosen = data.draw(st.sampled_from(first))
        assert apply(program, chosen) == apply(program, mutant(program, chosen.id, start) or chosen)


@pytest.mark.parametrize("operator", OPERATORS)
def test_every_operator_applies_somewhere_in_humaneval(operator: str) -> None:
    assert any(
        m.operator == operator
        for task in HUMANEVAL
        for m in mutations(task.reference_program, solution_offset(task))
    )
