"""Chains and their single-fault variants; greedy choice of test inputs."""

from __future__ import annotations

import pytest

from codehazard.tasks.suites._chain import Alternative, Chain, Step, same_value, select_inputs


def _chain() -> Chain:
    steps = (
        Step("double", lambda v: v * 2, (Alternative("misapplied", "tripled", lambda v: v * 3),)),
        Step("inc", lambda v: v + 1),
        Step("square", lambda v: v * v),
        Step("neg", lambda v: -v, fixed=True),
    )
    return Chain(lambda args: args[0], steps)


def test_states_and_run() -> None:
    chain = _chain()
    assert chain.states([3]) == [3, 6, 7, 49, -49]
    assert chain.run([3]) == -49
    assert chain.blocks == ("double", "inc", "square", "neg")


def test_variants_cover_skips_mutants_and_reorders_without_duplicates() -> None:
    chain = _chain()
    variants = chain.variants()
    by_kind: dict[str, list[str]] = {}
    for v in variants:
        by_kind.setdefault(v.kind, []).append(v.detail)
    assert len(by_kind["skipped"]) == 3  # the fixed last step is never skipped
    assert by_kind["misapplied"] == ["step 1 (double) tripled"]
    orders = by_kind["reordered"]
    assert len(orders) == len(set(orders)) == 5  # 3! - 1 orders of the three movable steps
    assert all("4" == d[-1] for d in orders)  # the fixed step stays last
    states = chain.states([3])
    outputs = {v.detail: chain.run_variant(v, states) for v in variants}
    assert outputs["step 2 (inc) skipped"] == -36
    assert outputs["step 1 (double) tripled"] == -100
    assert outputs["steps in order 2, 1, 3, 4"] == -64
    assert len(chain.variants(reorder="adjacent")) == 3 + 1 + 2
    assert len(chain.variants(reorder="none")) == 4


def test_a_raising_variant_matches_nothing() -> None:
    chain = Chain(
        lambda a: a[0],
        (Step("id", lambda v: v, (Alternative("misapplied", "boom", lambda v: 1 / 0),)),),
    )
    variant = chain.variants()[1]
    assert not same_value(chain.run_variant(variant, chain.states([1])), None)


def test_same_value_is_exact() -> None:
    assert same_value("a", "a")
    assert not same_value(1, True)
    assert not same_value(1, 1.0)


def test_select_inputs_adds_only_inputs_that_reject_something() -> None:
    chain = _chain()
    base = [[0]]  # 0 tells few variants apart
    chosen = select_inputs(chain, base, ([n] for n in range(-5, 50)), cap=10)
    assert chosen[0] == [0]
    assert 1 < len(chosen) <= 10
    for variant in chain.variants(reorder="adjacent"):
        assert any(
            not same_value(chain.run_variant(variant, chain.states(a)), chain.run(a))
            for a in chosen
        ), variant.detail
    with pytest.raises(ValueError, match="cap"):
        select_inputs(chain, [[1], [2]], [], cap=1)
