"""Failure localisation over outputs of known-wrong programs (trusted, computed in the test)."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from typing import Any

import pytest

from codehazard.analysis import (
    Localisation,
    localise,
    localise_chain,
    summarise_localisations,
)
from codehazard.analysis._localise import Explanation, sandbox_collect, stratified_sample
from codehazard.errors import InputError, SandboxError
from codehazard.tasks.suites._blocks import BLOCKS_BY_KEY

CHAIN = ["remove_e", "trim_two", "reverse_words", "alternate_upper"]
META = {"suite": "building-blocks", "blocks": CHAIN}
INPUTS = [
    [s]
    for s in (
        "",
        "Hello there, General Kenobi!",
        "the quick  brown fox jumps over",
        " a bb ccc dddd eeeee ",
        "Yes? no. maybe!",
        "one two three four five six",
    )
]


def _outputs(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Run our own (possibly wrong) chain of code lines on INPUTS, as the sandbox would."""
    namespace: dict[str, Any] = {}
    body = "".join(f"    {line}\n" for line in lines)
    exec(f"def f(s):\n{body}    return s\n", namespace)  # trusted test code
    out = []
    for (s,) in INPUTS:
        try:
            out.append({"ok": True, "value": namespace["f"](s), "error": None})
        except Exception as exc:
            out.append({"ok": False, "value": None, "error": repr(exc)})
    return out


def _reference_lines() -> list[str]:
    return [BLOCKS_BY_KEY[k].code for k in CHAIN]


def test_a_skipped_step_is_found() -> None:
    lines = _reference_lines()
    del lines[2]
    loc = localise(META, INPUTS, _outputs(lines))
    assert (loc.kind, loc.positions, loc.blocks) == ("skipped", (2,), ("reverse_words",))
    assert loc.exact and loc.agreement == 1.0
    assert loc.as_dict()["steps"] == [3]


def test_a_misapplied_step_is_found_with_its_mutant() -> None:
    lines = _reference_lines()
    lines[1] = "s = s[1:-1]"  # off-by-one slice
    loc = localise(META, INPUTS, _outputs(lines))
    assert (loc.kind, loc.positions) == ("misapplied", (1,))
    assert loc.detail == "step 2 (trim_two) as s[1:-1]"


def test_lowercasing_instead_of_uppercasing_is_found() -> None:
    lines = _reference_lines()
    lines[3] = 's = "".join(c.lower() if i % 2 == 0 else c for i, c in enumerate(s))'
    loc = localise(META, INPUTS, _outputs(lines))
    assert (loc.kind, loc.positions, loc.blocks) == ("misapplied", (3,), ("alternate_upper",))


def test_reordered_steps_are_found() -> None:
    lines = _reference_lines()
    lines[0], lines[3] = lines[3], lines[0]
    loc = localise(META, INPUTS, _outputs(lines))
    assert loc.kind == "reordered"
    assert loc.explains("reordered", (0, 3))
    assert summarise_localisations([loc]).by_block == {
        "alternate_upper": {"reordered": 1},
        "remove_e": {"reordered": 1},
    }


def test_a_mostly_right_fault_is_a_partial_explanation() -> None:
    outputs = _outputs(["s = s[1:-1]" if i == 1 else x for i, x in enumerate(_reference_lines())])
    outputs[-1] = {"ok": True, "value": "something else", "error": None}
    loc = localise(META, INPUTS, outputs, min_agreement=0.8)
    assert (loc.kind, loc.positions, loc.exact) == ("misapplied", (1,), False)
    assert loc.agreement == pytest.approx(5 / 6)
    assert localise(META, INPUTS, outputs, min_agreement=0.9).kind == "unexplained"


def test_crashes_and_non_mismatches() -> None:
    crashing = _outputs(["s = s.nope()"])
    assert localise(META, INPUTS, crashing).kind == "crashed"
    right = _outputs(_reference_lines())
    assert localise(META, INPUTS, right).kind == "no-mismatch"
    right[0] = {"ok": False, "value": None, "error": "boom"}
    partly = localise(META, INPUTS, right)
    assert (partly.kind, partly.agreement) == ("crashed", 1.0)
    garbage = [{"ok": True, "value": str(i), "error": None} for i in range(len(INPUTS))]
    assert localise(META, INPUTS, garbage).kind == "unexplained"
    wrong_type = [{"ok": True, "value": 0, "error": None} for _ in INPUTS]
    assert localise(META, INPUTS, wrong_type).kind == "unexplained"


VB_META = {
    "suite": "variable-binding",
    "names": ["x", "y", "z", "w"],
    "steps": [
        {"op": "add", "targets": ["y"], "amount": 3},
        {"op": "subtract", "targets": ["x", "w"], "amount": 4},
    ],
    "combine": "product",
}
VB_INPUTS = [[1, 2, 3, 9], [5, -1, 2, 6], [-3, 4, 7, 2], [2, 2, 2, 2], [8, 1, -5, 3]]


def _vb_outputs(body: str) -> list[dict[str, Any]]:
    namespace: dict[str, Any] = {}
    exec(f"def do_work(x, y, z, w):\n{body}", namespace)  # trusted test code
    return [{"ok": True, "value": namespace["do_work"](*a), "error": None} for a in VB_INPUTS]


def test_the_papers_forgotten_w_is_a_wrong_variable() -> None:
    forgot = _vb_outputs("    y = y + 3\n    x = x - 4\n    return x * y * z * w\n")
    loc = localise(VB_META, VB_INPUTS, forgot)
    assert (loc.kind, loc.positions, loc.blocks) == ("wrong-variable", (1,), ("subtract",))
    assert loc.detail == "step 2 (subtract) not applied to w"


def test_a_variable_left_out_of_the_return_is_a_wrong_variable_at_the_return() -> None:
    left_out = _vb_outputs("    y = y + 3\n    x = x - 4\n    w = w - 4\n    return x * y * z\n")
    loc = localise(VB_META, VB_INPUTS, left_out)
    assert (loc.kind, loc.positions, loc.blocks) == ("wrong-variable", (2,), ("return",))
    assert "w left out" in loc.detail


def test_bound_to_the_wrong_variable() -> None:
    wrong = _vb_outputs("    z = z + 3\n    x = x - 4\n    w = w - 4\n    return x * y * z * w\n")
    loc = localise(VB_META, VB_INPUTS, wrong)
    assert (loc.kind, loc.positions) == ("wrong-variable", (0,))
    assert loc.detail == "step 1 (add) applied to z instead of y"


def test_summary_counts_kinds_and_blocks() -> None:
    locs = [
        Localisation("skipped", (1,), ("trim_two",), exact=True),
        Localisation("misapplied", (1,), ("trim_two",), exact=True),
        Localisation("skipped", (0,), ("remove_e",), exact=True),
        Localisation("crashed"),
    ]
    summary = summarise_localisations(locs, {"timeout": 2})
    assert summary.total == 4
    assert summary.certainty == {"unique": 3, "tied": 0, "partial": 0, "none": 1}
    assert summary.by_kind == {
        "skipped": {"unique": 2, "tied": 0, "partial": 0},
        "misapplied": {"unique": 1, "tied": 0, "partial": 0},
    }
    assert summary.outcomes == {"crashed": 1}
    assert summary.by_block == {
        "remove_e": {"skipped": 1},
        "trim_two": {"misapplied": 1, "skipped": 1},
    }
    assert summary.as_dict()["not_localised"] == {"timeout": 2}


def test_ties_are_shared_and_partials_kept_apart() -> None:
    """A tie does not go to the kind first in the preference order: each of the n equally
    exact faults counts 1/n; a partial match is counted apart and not per block."""
    tie = Localisation(
        "skipped",
        (0,),
        ("remove_e",),
        exact=True,
        alternatives=(Explanation("reordered", (0, 1), ("remove_e", "spaces_to_bang"), ""),),
    )
    partial = Localisation("misapplied", (2,), ("trim_two",), agreement=0.9)
    summary = summarise_localisations([tie, partial])
    assert tie.certainty == "tied" and partial.certainty == "partial"
    assert summary.certainty == {"unique": 0, "tied": 1, "partial": 1, "none": 0}
    assert summary.by_kind == {
        "skipped": {"unique": 0, "tied": 0.5, "partial": 0},
        "misapplied": {"unique": 0, "tied": 0, "partial": 1},
        "reordered": {"unique": 0, "tied": 0.5, "partial": 0},
    }
    assert summary.by_block == {
        "remove_e": {"reordered": 0.5, "skipped": 0.5},
        "spaces_to_bang": {"reordered": 0.5},
    }
    data = summarise_localisations(
        [tie], examined_by_level={2: 1}, failing_by_level={2: 4}
    ).as_dict()
    assert data["certainty"]["tied"] == 1
    assert (data["examined_by_level"], data["failing_by_level"]) == ({"2": 1}, {"2": 4})


def test_an_alternative_reading_is_reported_as_such() -> None:
    """s[1:-2] reads "the first and last two characters" as the first one and the last two:
    the tests reject it, but localisation does not call it a misapplied step."""
    lines = _reference_lines()
    lines[1] = "s = s[1:-2]"
    loc = localise(META, INPUTS, _outputs(lines))
    assert (loc.kind, loc.positions, loc.exact) == ("alternative-reading", (1,), True)
    summary = summarise_localisations([loc])
    assert set(summary.by_kind) == {"alternative-reading"}


def test_stratified_sample_spreads_the_limit_over_levels() -> None:
    by_level: dict[int | None, list[int]] = {1: list(range(100)), 2: list(range(100, 103))}
    by_level[5] = list(range(103, 140))
    chosen = stratified_sample(by_level, 30, seed=0)
    assert len(chosen) == 30 and chosen == sorted(chosen)
    per_level = {lv: sum(i in items for i in chosen) for lv, items in by_level.items()}
    assert per_level == {1: 14, 2: 3, 5: 13}  # level 2 has only 3: its share goes to the others
    assert stratified_sample(by_level, 30, seed=0) == chosen
    assert stratified_sample(by_level, 30, seed=1) != chosen
    assert stratified_sample(by_level, 500, seed=0) == list(range(140))


def test_bad_input_is_reported() -> None:
    with pytest.raises(InputError, match="names no 'suite'"):
        localise({}, INPUTS, [])
    with pytest.raises(InputError, match="unknown suite"):
        localise({"suite": "nope"}, INPUTS, [])
    with pytest.raises(InputError, match="unknown building block"):
        localise({"suite": "building-blocks", "blocks": ["fly"]}, INPUTS, [])
    from codehazard.tasks.suites._building_blocks import block_chain

    with pytest.raises(ValueError, match="6 inputs but 1 outputs"):
        localise_chain(block_chain(CHAIN), INPUTS, [{"ok": False}])


def test_without_a_sandbox_runner_localisation_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "codehazard.sandbox", types.ModuleType("codehazard.sandbox"))
    with pytest.raises(SandboxError, match="collect_outputs"):
        sandbox_collect()
