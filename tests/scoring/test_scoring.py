"""pass@k and intervals: properties of the estimator and the summaries."""

from __future__ import annotations

from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st
from record_fakes import Rec

from codehazard.scoring import breakdown, pass_at_k, score, wilson_interval


@st.composite
def n_c_k(draw: st.DrawFn) -> tuple[int, int, int]:
    n = draw(st.integers(1, 60))
    c = draw(st.integers(0, n))
    k = draw(st.integers(1, n))
    return n, c, k


@given(n_c_k())
def test_pass_at_k_matches_the_combinatorial_definition(nck: tuple[int, int, int]) -> None:
    n, c, k = nck
    value = pass_at_k(n, c, k)
    assert value is not None and 0.0 <= value <= 1.0
    assert value == pytest.approx(1 - comb(n - c, k) / comb(n, k), abs=1e-9)


@given(n_c_k())
def test_pass_at_k_is_monotone_in_k_and_c_over_n_at_1(nck: tuple[int, int, int]) -> None:
    n, c, k = nck
    assert pass_at_k(n, c, 1) == pytest.approx(c / n)
    if k < n:
        assert pass_at_k(n, c, k + 1) >= pass_at_k(n, c, k) - 1e-12  # type: ignore[operator]


def test_undefined_when_fewer_samples_than_k() -> None:
    assert pass_at_k(3, 3, 10) is None
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)


def test_score_excludes_infra_and_reports_only_supported_k() -> None:
    recs = [
        Rec("a", "passed"),
        Rec("a", "failed"),
        Rec("b", "failed"),
        Rec("b", "infra"),
        Rec("b", "passed"),
    ]
    s = score(recs, (1, 2, 3))
    assert s.excluded == 1
    assert s.per_task["b"].n == 2
    assert s.pass_at_k[1] == pytest.approx(0.5)
    assert s.pass_at_k[2] == pytest.approx(1.0)
    assert s.pass_at_k[3] is None
    assert s.pass1_interval is not None and s.pass1_interval.low <= 0.5 <= s.pass1_interval.high


def test_pass1_interval_is_not_a_point_when_every_task_agrees() -> None:
    # a bootstrap over tasks that all fail is [0, 0]: "certainly never passes" from 5 tasks
    s = score([Rec(t, "failed") for t in "abcde"])
    assert s.pass_at_k[1] == 0.0 and s.pass1_interval_method == "cluster-score"
    assert s.pass1_interval is not None and s.pass1_interval.low == 0.0
    assert s.pass1_interval.high == pytest.approx(wilson_interval(0, 5).high)
    mixed = score([Rec("a", "failed"), Rec("b", "passed")])
    assert mixed.pass1_interval_method == "cluster-score"
    assert mixed.pass1_interval is not None and mixed.pass1_interval.low < 0.5


def test_breakdown_by_metadata_key() -> None:
    recs = [Rec("a", "passed", {"level": 1}), Rec("b", "failed", {"level": 2}), Rec("c", "passed")]
    groups = breakdown(recs, "level")
    assert set(groups) == {1, 2}
    assert groups[1].pass_at_k[1] == 1.0 and groups[2].pass_at_k[1] == 0.0


@given(st.integers(0, 200), st.integers(1, 200))
def test_wilson_interval_contains_the_estimate(successes: int, n: int) -> None:
    successes = min(successes, n)
    iv = wilson_interval(successes, n)
    assert 0.0 <= iv.low <= successes / n <= iv.high <= 1.0
