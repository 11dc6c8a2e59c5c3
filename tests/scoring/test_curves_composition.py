"""The composition gap: single-block rates, composed expectations and the gap per level."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from record_fakes import Rec

from codehazard.scoring import block_rates, composition_gap


def _task(task_id: str, blocks: list[str], n: int, c: int) -> list[Rec]:
    meta = {"blocks": blocks, "components": len(blocks)}
    return [Rec(task_id, "passed" if i < c else "failed", meta) for i in range(n)]


def test_block_rates_pool_the_samples_of_one_block_tasks() -> None:
    records = _task("a1", ["a"], 10, 8) + _task("a2", ["a"], 10, 6) + _task("b", ["b"], 4, 1)
    records += _task("ab", ["a", "b"], 10, 1)
    records.append(Rec("b", "infra", {"blocks": ["b"], "components": 1}))
    rates = block_rates(records)
    assert set(rates) == {"a", "b"}
    assert (rates["a"].n_tasks, rates["a"].n_samples, rates["a"].passes) == (2, 20, 14)
    assert rates["a"].rate == pytest.approx(0.7)
    assert rates["b"].rate == pytest.approx(0.25)
    assert rates["a"].interval.low < 0.7 < rates["a"].interval.high


def test_gap_is_product_and_weakest_minus_observed() -> None:
    records = _task("a", ["a"], 100, 80) + _task("b", ["b"], 100, 50) + _task("c", ["c"], 50, 50)
    records += _task("ab", ["a", "b"], 10, 1) + _task("bc", ["b", "c"], 10, 3)
    records += _task("ax", ["a", "x"], 10, 0)  # x has no single-block rate
    comp = composition_gap(records, n_boot=300)
    assert [g.level for g in comp.levels] == [1, 2]
    two = comp.level(2)
    assert two is not None
    assert (two.n_tasks, two.n_uncovered) == (2, 1)
    assert two.observed == pytest.approx((0.1 + 0.3) / 2)
    assert two.product == pytest.approx((0.8 * 0.5 + 0.5 * 1.0) / 2)
    assert two.weakest == pytest.approx((0.5 + 0.5) / 2)
    assert two.gap_product == pytest.approx(two.product - two.observed)
    assert two.gap_weakest == pytest.approx(two.weakest - two.observed)
    assert two.gap_interval.low <= two.gap_product <= two.gap_interval.high
    assert comp.notes == ("level 2: 1 task(s) use a block with no one-block rate",)
    one = comp.level(1)
    assert one is not None and one.gap_product == pytest.approx(0.0)
    assert comp.level(7) is None


def test_repeated_blocks_count_twice_in_the_product() -> None:
    records = _task("add", ["add"], 10, 5) + _task("two", ["add", "add"], 10, 2)
    assert composition_gap(records, n_boot=50).levels[1].product == pytest.approx(0.25)


def test_missing_parts_are_explained_not_raised() -> None:
    plain = [Rec("t", "passed", {"components": 2})]
    assert composition_gap(plain).notes == ("the tasks name no 'blocks' in their metadata",)
    chains_only = _task("ab", ["a", "b"], 3, 1)
    assert composition_gap(chains_only).notes == ("no one-block tasks: no single-block rates",)
    with pytest.raises(ValueError):
        composition_gap(chains_only, n_boot=0)


def test_a_compositional_model_shows_no_gap() -> None:
    """Simulate a model whose chain succeeds exactly when every step does (independently):
    the product expectation then matches, and its gap interval contains zero."""
    rng = np.random.default_rng(7)
    q = {b: float(v) for b, v in zip("abcdefgh", rng.uniform(0.6, 0.98, 8), strict=True)}
    records = []
    for b, rate in q.items():
        records += _task(f"single-{b}", [b], 200, int(rng.binomial(200, rate)))
    for length in (2, 3, 4):
        for t in range(40):
            blocks = list(rng.choice(list(q), size=length, replace=False))
            p = float(np.prod([q[b] for b in blocks]))
            records += _task(f"L{length}-{t}", blocks, 20, int(rng.binomial(20, p)))
    comp = composition_gap(records, n_boot=500, seed=1)
    for gap in comp.levels:
        assert gap.gap_interval.low <= 0 <= gap.gap_interval.high, gap
        assert abs(gap.gap_product) < 0.08
        assert gap.weakest >= gap.product


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=3, max_size=3), st.integers(0, 10))
def test_weakest_bound_is_never_below_the_product(singles: list[int], chain: int) -> None:
    records = []
    for b, c in zip("abc", singles, strict=True):
        records += _task(b, [b], 10, c)
    records += _task("abc", ["a", "b", "c"], 10, chain)
    gap = composition_gap(records, n_boot=20).level(3)
    assert gap is not None
    assert 0 <= gap.product <= gap.weakest <= 1
    assert gap.gap_weakest >= gap.gap_product


def _vb_task(task_id: str, m: int, n: int, c: int) -> list[Rec]:
    meta = {"blocks": ["add"] * m, "final_step": "return", "components": m}
    return [Rec(task_id, "passed" if i < c else "failed", meta) for i in range(n)]


def test_a_shared_final_step_is_counted_once() -> None:
    """The review's case: p(op) = 0.9, p(return) = 0.8, composed perfectly. The single-op tasks
    pass at 0.72 (op and return); a chain of 5 should expect 0.9 ** 5 * 0.8 = 0.47, not
    0.72 ** 5 = 0.19."""
    records = _vb_task("m0", 0, 1000, 800) + _vb_task("m1", 1, 1000, 720)
    records += _vb_task("m5", 5, 1000, round(1000 * 0.9**5 * 0.8))
    comp = composition_gap(records, n_boot=200)
    assert comp.notes == ()
    assert comp.blocks["add"].rate == pytest.approx(0.72)
    assert comp.blocks["add"].own == pytest.approx(0.9)
    assert comp.blocks["return"].final and comp.blocks["return"].rate == pytest.approx(0.8)
    five = comp.level(5)
    assert five is not None
    assert five.product == pytest.approx(0.9**5 * 0.8)
    assert five.weakest == pytest.approx(0.8)
    assert abs(five.gap_product) < 1e-3
    assert five.gap_interval.low <= 0 <= five.gap_interval.high
    zero = comp.level(0)
    assert zero is not None and zero.product == pytest.approx(0.8) and zero.gap_product == 0
    assert comp.blocks["add"].as_dict()["step_rate"] == pytest.approx(0.9)


def test_without_the_final_step_alone_the_product_is_flagged() -> None:
    records = _vb_task("m1", 1, 100, 72) + _vb_task("m3", 3, 100, 40)
    comp = composition_gap(records, n_boot=50)
    assert "return alone" in comp.notes[0] and "once per block" in comp.notes[0]
    three = comp.level(3)
    assert three is not None and three.product == pytest.approx(0.72**3)
