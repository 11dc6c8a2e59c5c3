"""The cluster-score interval: one interval for every mean over tasks of per-task rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from record_fakes import Rec

from codehazard.report import curve_to_dict
from codehazard.scoring import (
    TASK_MEAN_METHOD,
    capability_curve,
    level_points,
    rate_interval,
    score,
    t_quantile,
    task_passk_interval,
    task_rate_interval,
    wilson_interval,
)

counts_st = st.lists(
    st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    min_size=1,
    max_size=40,
)


def _records(tasks: int, samples: int, passes: int, level: int = 1) -> list[Rec]:
    return [
        Rec(f"L{level}/{t}", "passed" if i < passes else "failed", {"components": level})
        for t in range(tasks)
        for i in range(samples)
    ]


@settings(max_examples=150, deadline=None)
@given(counts_st, st.sampled_from(["tasks", "samples"]), st.floats(0.5, 0.999))
def test_bounds_lie_in_0_1_and_contain_the_estimate(counts, weight, confidence) -> None:
    est = task_rate_interval(counts, confidence=confidence, weight=weight)
    iv = est.interval
    assert 0.0 <= iv.low <= est.value <= iv.high <= 1.0
    assert iv.confidence == confidence and est.method == TASK_MEAN_METHOD
    assert est.design_effect >= 1.0 - 1e-9 and est.n_effective > 0
    if weight == "tasks":
        assert est.value == pytest.approx(float(np.mean([c / n for c, n in counts])))
    else:
        assert est.value == pytest.approx(sum(c for c, _ in counts) / sum(n for _, n in counts))


@settings(max_examples=60, deadline=None)
@given(counts_st, st.integers(1, 5))
def test_pass_at_k_bounds_contain_the_mean_of_unbiased_estimates(counts, k) -> None:
    counts = [(c, n) for c, n in counts if n >= k]
    if not counts:
        return
    est = task_passk_interval(counts, k)
    mean = np.mean([1 - math.comb(n - c, k) / math.comb(n, k) for c, n in counts])
    assert est.value == pytest.approx(float(mean))
    assert 0.0 <= est.interval.low <= est.value <= est.interval.high <= 1.0


def test_exact_ends_where_every_sample_agrees() -> None:
    passed = task_rate_interval([(10, 10)] * 13)
    assert passed.interval.high == 1.0 and passed.design_effect == 1.0
    assert passed.interval.low == pytest.approx(wilson_interval(130, 130).low)
    failed = task_rate_interval([(0, 10)] * 13)
    assert failed.interval.low == 0.0
    assert failed.interval.high == pytest.approx(wilson_interval(0, 130).high)
    # pass@k of 1 on every task, each with fewer than k failures: 1 exactly at the top
    assert task_passk_interval([(8, 10)] * 5, 3).interval.high == 1.0


def test_the_13_by_10_case_is_near_the_binomial_truth() -> None:
    # 13 tasks x 10 samples at 0.6 with no task variation: the binomial sd of the mean is
    # sqrt(0.24 / 130) = 0.043, so about +-0.084; Wilson over 13 tasks gave [0.33, 0.82]
    point = level_points(_records(13, 10, 6))[0]
    half = (point.interval.high - point.interval.low) / 2
    assert point.pass_at_1 == pytest.approx(0.6)
    assert 0.07 < half < 0.10 and point.interval.low < 0.6 < point.interval.high
    old = rate_interval(0.6, 13)
    assert (old.high - old.low) / 2 > 2 * half
    s = score(_records(13, 10, 6))
    assert s.pass1_interval == point.interval and s.pass1_interval_method == TASK_MEAN_METHOD


def test_narrows_with_more_samples_and_more_tasks() -> None:
    def width(tasks: int, samples: int) -> float:
        iv = task_rate_interval([(int(0.6 * samples), samples)] * tasks).interval
        return iv.high - iv.low

    assert width(13, 100) < width(13, 10) < width(13, 1)
    assert width(50, 10) < width(13, 10) < width(5, 10)


def test_widens_when_tasks_vary() -> None:
    # every task always passes or always fails: 20 samples are worth the 4 tasks, and the
    # spread of 4 values sets the variance (t quantile, 3 degrees of freedom)
    est = task_rate_interval([(5, 5), (0, 5), (5, 5), (0, 5)])
    assert est.n_effective == pytest.approx(4.0) and est.design_effect == pytest.approx(5.0)
    assert est.df == 3
    plain, four = wilson_interval(10, 20), wilson_interval(2, 4)
    assert est.interval.low < four.low < plain.low and est.interval.high > four.high
    assert "design effect 5.00" in est.note()
    # equal rates: no variation beyond chance, the binomial on all samples
    same = task_rate_interval([(2, 4), (2, 4), (2, 4)])
    assert same.design_effect == 1.0 and math.isinf(same.df) and same.note() == ""
    expected = wilson_interval(6, 12)
    assert (same.interval.low, same.interval.high) == pytest.approx((expected.low, expected.high))


def test_one_sample_a_task_is_the_binomial() -> None:
    counts = [(1, 1)] * 7 + [(0, 1)] * 6
    est = task_rate_interval(counts)
    expected = wilson_interval(7, 13)
    assert est.n_effective == pytest.approx(13.0)
    assert (est.interval.low, est.interval.high) == pytest.approx((expected.low, expected.high))


scattered_st = st.tuples(st.integers(2, 60), st.integers(2, 30)).flatmap(
    lambda tn: st.tuples(
        st.just(tn[1]), st.lists(st.booleans(), min_size=tn[0], max_size=tn[0]), st.booleans()
    )
)


@settings(max_examples=150, deadline=None)
@given(scattered_st)
def test_scattered_rare_outcomes_never_narrow_the_binomial(case) -> None:
    # every task has at most one rare outcome: no task variation shows, and a few such
    # outcomes cannot rule it out, so the interval is never narrower than the binomial's
    samples, hit, passes_rare = case
    counts = [(int(h), samples) if passes_rare else (samples - int(h), samples) for h in hit]
    est = task_rate_interval(counts)
    total, events = samples * len(counts), sum(c for c, _ in counts)
    plain = wilson_interval(events, total)
    assert est.interval.low <= plain.low + 1e-12 and est.interval.high >= plain.high - 1e-12
    assert 0.0 <= est.interval.low <= est.value <= est.interval.high <= 1.0
    assert math.isinf(est.df) and est.design_effect <= samples + 1e-9
    # with one sample a task nothing is clustered: plain Wilson again
    ones = task_rate_interval([(c and 1, 1) for c, _ in counts])
    assert ones.design_effect == 1.0


def test_a_few_scattered_rare_outcomes_cannot_show_clustering() -> None:
    # 50 tasks x 10 samples, 2 passes in 2 tasks: a rate of 0.02 with intra-task correlation
    # 0.3 gives such data one time in twenty-five, so the interval must reach 0.02
    est = task_rate_interval([(1, 10)] * 2 + [(0, 10)] * 48)
    assert wilson_interval(2, 500).high < 0.015 and est.interval.high > 0.02
    assert est.design_effect > 2 and "too rare to show" in est.note()
    # many scattered outcomes are evidence of no clustering: the binomial's interval
    many = task_rate_interval([(1, 10)] * 40 + [(0, 10)] * 10)
    plain = wilson_interval(40, 500)
    assert many.design_effect == 1.0 and many.interval.high == pytest.approx(plain.high)


def test_pass_at_k_is_undefined_where_a_task_has_fewer_than_k_samples() -> None:
    with pytest.raises(ValueError, match="pass@3 needs at least 3 samples"):
        task_passk_interval([(1, 5), (1, 2)], 3)
    with pytest.raises(ValueError, match="k must be >= 1"):
        task_passk_interval([(1, 5)], 0)
    one = task_passk_interval([(3, 10), (5, 10)], 1)
    assert one == task_rate_interval([(3, 10), (5, 10)])
    # pass@k of tasks that vary gets the spread between them, as pass@1 does
    varied = task_passk_interval([(0, 10), (9, 10), (0, 10), (9, 10)], 5)
    flat = task_passk_interval([(2, 10), (2, 10), (2, 10), (2, 10)], 5)
    assert varied.design_effect > 1.0 and flat.design_effect == 1.0
    assert varied.interval.high - varied.interval.low > flat.interval.high - flat.interval.low


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="no task has a sample"):
        task_rate_interval([(0, 0)])
    with pytest.raises(ValueError, match="0 <= events <= samples"):
        task_rate_interval([(3, 2)])
    with pytest.raises(ValueError, match="confidence"):
        task_rate_interval([(1, 2)], confidence=1.0)
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile(0.95, 0.5)


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (2, 4.3027), (3, 3.1824), (4, 2.7764), (10, 2.2281), (30, 2.0423)],
)
def test_t_quantile_matches_the_tables(df: float, expected: float) -> None:
    assert t_quantile(0.95, df) == pytest.approx(expected, abs=2e-4)
    assert t_quantile(0.95, math.inf) == pytest.approx(1.959964, abs=1e-6)


def test_curves_say_which_method_made_their_intervals() -> None:
    records = _records(6, 5, 4, level=1) + _records(6, 5, 2, level=2)
    data = curve_to_dict(capability_curve(records, n_boot=20, composition=False))
    assert data["interval_method"] == TASK_MEAN_METHOD


def _coverage(tasks: int, samples: int, rate: float, rho: float, reps: int, seed: int):
    """Coverage and mean width over the oracle width, as ``bench/interval_coverage.py``."""
    rng = np.random.default_rng(seed)

    def draw(count: int) -> np.ndarray:
        if rho == 0:
            p = np.full((count, tasks), rate)
        else:
            scale = 1 / rho - 1
            p = rng.beta(rate * scale, (1 - rate) * scale, size=(count, tasks))
        return rng.binomial(samples, p)

    hits, widths = 0, []
    for row in draw(reps):
        iv = task_rate_interval([(int(c), samples) for c in row]).interval
        hits += iv.low <= rate <= iv.high
        widths.append(iv.high - iv.low)
    low, high = np.quantile(draw(20_000).mean(axis=1) / samples, [0.025, 0.975])
    return hits / reps, float(np.mean(widths)) / float(high - low)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tasks", "samples", "rate", "rho"),
    [
        (13, 10, 0.6, 0.0),
        (30, 10, 0.5, 0.3),
        (5, 10, 0.4, 0.6),
        (40, 1, 0.3, 0.0),
        (50, 10, 0.02, 0.0),
        (50, 10, 0.02, 0.3),
        (20, 100, 0.3, 0.3),
    ],
)
def test_coverage_and_width_in_a_small_simulation(tasks, samples, rate, rho) -> None:
    # 600 data sets: the coverage's standard error is about 0.009
    coverage, ratio = _coverage(tasks, samples, rate, rho, reps=600, seed=tasks * 7 + samples)
    assert 0.92 <= coverage <= 0.98
    assert ratio <= 1.3


def test_the_summary_names_the_method() -> None:
    from codehazard.cli._evaluate import format_summary

    s = score(_records(13, 10, 6))
    assert s.pass1_interval is not None
    interval = {**s.pass1_interval.as_dict(), "method": s.pass1_interval_method}
    summary = {
        "run_id": "r",
        "n_samples": 130,
        "n_tasks": 13,
        "pass_at_k": {"1": 0.6},
        "pass_at_1_interval": interval,
        "status_counts": {"failed": 52, "passed": 78},
        "breakdown": {"components": {"1": {"n_samples": 130, "pass@1": 0.6, "interval": interval}}},
    }
    from codehazard.runs import RunSummary

    text = format_summary(RunSummary.model_validate(summary), None)
    assert "cluster-score interval over tasks" in text and "bootstrap" not in text
    assert text.count("docs/metrics.md") == 2  # the pass@1 line and the breakdown's header
