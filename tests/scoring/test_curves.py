"""Capability curves: level rates and intervals, the log-linear decay fit, JSON and plots."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from record_fakes import Rec

from codehazard.errors import InputError
from codehazard.report import curve_to_dict, plot_curve
from codehazard.scoring import (
    LevelPoint,
    capability_curve,
    fit_decay,
    level_points,
    rate_interval,
    wilson_interval,
)
from codehazard.scoring._levels import pass_at_k_interval
from codehazard.scoring._loglinear import chi2_sf, fit_loglinear


def _records(rates: dict[int, list[tuple[int, int]]]) -> list[Rec]:
    """Records for {level: [(n, c) per task]}."""
    out = []
    for level, tasks in rates.items():
        for t, (n, c) in enumerate(tasks):
            meta = {"components": level}
            for i in range(n):
                out.append(Rec(f"L{level}/{t}", "passed" if i < c else "failed", meta))
    return out


@given(st.floats(0, 1), st.integers(0, 500), st.floats(0.5, 0.999))
def test_rate_interval_contains_the_rate(rate: float, n: int, confidence: float) -> None:
    interval = rate_interval(rate, n, confidence)
    assert 0 <= interval.low <= interval.high <= 1
    if n:
        assert interval.low - 1e-12 <= rate <= interval.high + 1e-12
    else:
        assert (interval.low, interval.high) == (0, 1)


@given(st.integers(1, 200), st.data())
def test_rate_interval_is_wilson_for_whole_counts(n: int, data: st.DataObject) -> None:
    c = data.draw(st.integers(0, n))
    ours, theirs = rate_interval(c / n, n), wilson_interval(c, n)
    assert ours.low == pytest.approx(theirs.low, abs=1e-12)
    assert ours.high == pytest.approx(theirs.high, abs=1e-12)


def test_rate_interval_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        rate_interval(1.5, 10)
    with pytest.raises(ValueError):
        rate_interval(0.5, 10, confidence=1.0)


@given(st.floats(0, 200))
def test_chi2_sf_matches_closed_forms(x: float) -> None:
    assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-9, abs=1e-300)
    assert chi2_sf(x, 4) == pytest.approx(math.exp(-x / 2) * (1 + x / 2), rel=1e-9, abs=1e-300)
    assert chi2_sf(x, 1) == pytest.approx(math.erfc(math.sqrt(x / 2)), rel=1e-8, abs=1e-300)


@given(st.floats(0, 50), st.floats(0, 50), st.integers(1, 30))
def test_chi2_sf_is_a_decreasing_probability(a: float, b: float, df: int) -> None:
    lo, hi = sorted((a, b))
    assert 0 <= chi2_sf(hi, df) <= chi2_sf(lo, df) + 1e-12 <= 1 + 1e-12
    with pytest.raises(ValueError):
        chi2_sf(1.0, 0)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.05, 1.0),
    st.floats(0.1, 1.6),
    st.integers(3, 10),
    st.integers(1, 3),
)
def test_fit_recovers_the_ratio_from_noise_free_counts(
    first: float, ratio: float, levels: int, start: int
) -> None:
    x = np.arange(start, start + levels, dtype=float)
    p = first * ratio ** (x - start)
    assume(p.max() <= 0.999)
    n = np.full(levels, 40.0)
    alpha, beta = fit_loglinear(x, (n * p)[None, :], n[None, :])
    assert math.exp(beta[0]) == pytest.approx(ratio, rel=1e-4)
    assert math.exp(alpha[0] + beta[0] * start) == pytest.approx(first, rel=1e-4)


def test_fit_handles_the_boundary_and_empty_rows() -> None:
    x = np.arange(1.0, 11.0)
    n = np.full((3, 10), 30.0)
    s = np.array(
        [
            [30, 15, 7, 0, 0, 0, 0, 0, 0, 0],  # all pass at 1: p(1) on the boundary
            [30] * 10,  # all pass everywhere
            [0] * 10,  # nothing passes
        ],
        dtype=float,
    )
    alpha, beta = fit_loglinear(x, s, n)
    assert math.exp(beta[0]) == pytest.approx(0.3908, abs=1e-3)  # checked against Nelder-Mead
    assert math.exp(alpha[0] + beta[0]) == pytest.approx(1.0, abs=1e-6)
    assert math.exp(beta[1]) == pytest.approx(1.0, abs=1e-6)
    assert math.isnan(beta[2])


def _points(rates: dict[int, list[float]]) -> list[LevelPoint]:
    return [
        LevelPoint(
            level,
            len(r),
            len(r),
            float(np.mean(r)),
            rate_interval(float(np.mean(r)), len(r)),
            {1: float(np.mean(r))},
            tuple(r),
        )
        for level, r in rates.items()
    ]


def test_fit_decay_on_exact_halving() -> None:
    rates = {1: [0.8] * 30, 2: [0.4] * 30, 3: [0.2] * 30, 4: [0.1] * 30, 5: [0.05] * 30}
    fit = fit_decay(_points(rates), n_boot=200)
    assert fit.quality == "good"
    assert fit.ratio == pytest.approx(0.5, rel=1e-4)
    assert fit.ratio_interval is not None
    assert fit.ratio_interval.low - 1e-9 <= 0.5 <= fit.ratio_interval.high + 1e-9
    assert fit.halving == pytest.approx(1.0, rel=1e-3)
    assert fit.half_length == pytest.approx(2.0, rel=1e-3)
    assert fit.halving_interval is not None
    assert fit.predict(3) == pytest.approx(0.2, rel=1e-3)
    assert fit.p_value == pytest.approx(1.0)
    assert fit.dispersion == 0.0 and fit.deviance == pytest.approx(0.0, abs=1e-9)


def test_fit_decay_says_when_the_fit_is_poor() -> None:
    # flat, then a cliff: no single ratio describes it
    rates = {L: [1.0] * 45 + [0.0] * 5 for L in (1, 2, 3, 4)}
    rates.update({L: [0.0] * 50 for L in (5, 6, 7)})
    fit = fit_decay(_points(rates), n_boot=200)
    assert fit.quality == "poor"
    assert fit.p_value is not None and fit.p_value < 0.05
    assert any("does not fit" in note for note in fit.notes)


def _heterogeneous(seed: int, first: float, ratio: float, rho: float) -> list[LevelPoint]:
    """Levels 1-8 of 30 tasks x 8 samples, task rates drawn from a beta around the decay."""
    rng = np.random.default_rng(seed)
    points = []
    for level in range(1, 9):
        p = first * ratio ** (level - 1)
        k = 1 / rho - 1
        rates = tuple(float(v) for v in rng.binomial(8, rng.beta(p * k, (1 - p) * k, 30)) / 8)
        mean = float(np.mean(rates))
        interval = rate_interval(mean, 30)
        points.append(LevelPoint(level, 30, 240, mean, interval, {1: mean}, rates, (8,) * 30))
    return points


def test_task_variation_is_estimated_and_widens_the_interval() -> None:
    """The same level means with very different tasks carry less information than with
    identical ones: rho is estimated, and the ratio's interval is wider."""
    varied = _heterogeneous(3, 0.6, 0.6, rho=0.5)
    fit = fit_decay(varied, n_boot=200)
    assert fit.dispersion is not None and 0.3 < fit.dispersion < 0.7
    same = [
        LevelPoint(p.level, 30, 240, p.pass_at_1, p.interval, {}, (p.pass_at_1,) * 30, (8,) * 30)
        for p in varied
    ]
    plain = fit_decay(same, n_boot=200)
    assert plain.dispersion == 0.0
    assert plain.ratio == pytest.approx(fit.ratio, abs=0.05)
    assert fit.ratio_interval is not None and plain.ratio_interval is not None
    width = fit.ratio_interval.high - fit.ratio_interval.low
    assert width > 1.5 * (plain.ratio_interval.high - plain.ratio_interval.low)


def test_the_profile_interval_is_asymmetric_and_contains_the_estimate() -> None:
    """Successes thin out along the chain: the likelihood is skewed, and so is its interval
    (no widening to include the estimate is needed or done)."""
    fit = fit_decay(_heterogeneous(5, 0.2, 0.45, rho=0.3), n_boot=200)
    assert fit.ratio is not None and fit.ratio_interval is not None
    low, high = fit.ratio_interval.low, fit.ratio_interval.high
    assert low < fit.ratio < high
    assert high - fit.ratio != pytest.approx(fit.ratio - low, rel=0.05)


@pytest.mark.slow  # thousands of simulated fits
def test_the_goodness_of_fit_test_is_calibrated_by_simulation() -> None:
    """Under the fitted model the deviance's bootstrap p-value is roughly uniform: a correct
    model on heterogeneous tasks is not called poor, a flat-then-cliff curve is."""
    p_values = [
        fit_decay(_heterogeneous(s, 0.8, 0.6, 0.3), n_boot=100, seed=s).p_value for s in range(12)
    ]
    assert all(p is not None for p in p_values)
    assert sum(p < 0.05 for p in p_values if p is not None) <= 2
    assert 0.2 < float(np.mean([p for p in p_values if p is not None])) < 0.8


def test_fit_decay_insufficient() -> None:
    assert fit_decay(_points({1: [0.5], 2: [0.2]})).quality == "insufficient"
    nothing = fit_decay(_points({1: [0.0], 2: [0.0], 3: [0.0]}))
    assert nothing.quality == "insufficient"
    assert nothing.ratio is None and nothing.predict(1) is None
    assert "no sample passed" in nothing.notes[0]
    with pytest.raises(ValueError):
        fit_decay(_points({1: [0.5]}), n_boot=0)


def test_fit_decay_at_the_bound_is_poor() -> None:
    fit = fit_decay(_points({1: [0.5] * 20, 2: [0.0] * 20, 3: [0.0] * 20}), n_boot=50)
    assert fit.quality == "poor"
    assert any("bound" in note for note in fit.notes)


def test_pass_at_k_intervals() -> None:
    # (passes, samples) whose pass@2 are 0, 0.5, 1 and 1
    spread = pass_at_k_interval([(0, 4), (1, 4), (3, 4), (4, 4)], 2)
    assert 0 <= spread.low < 0.625 < spread.high <= 1
    # a bootstrap would be the single point 0; 48 samples are worth 24 disjoint pairs
    flat = pass_at_k_interval([(0, 4)] * 12, 2)
    assert flat.low == 0.0 and flat.high == pytest.approx(rate_interval(0.0, 24).high)
    with pytest.raises(ValueError):
        pass_at_k_interval([], 2)
    with pytest.raises(ValueError, match="at least 3 samples"):
        pass_at_k_interval([(1, 2)], 3)  # pass@3 is undefined with 2 samples


def test_level_points_group_tasks_and_skip_undecided_samples() -> None:
    records = _records({1: [(4, 4), (4, 2)], 3: [(2, 0)]})
    records.append(Rec("L1/0", None, {"components": 1}))
    records.append(Rec("L1/1", "infra", {"components": 1}))
    records.append(Rec("other", "passed", {"components": "three"}))
    points = level_points(records, ks=(1, 2))
    assert [p.level for p in points] == [1, 3]
    first = points[0]
    assert (first.n_tasks, first.n_samples) == (2, 8)
    assert first.pass_at_1 == pytest.approx(0.75)
    assert first.pass_at_k[2] == pytest.approx((1 + (1 - 1 / 6)) / 2)
    assert first.task_rates == (1.0, 0.5)
    assert first.task_samples == (4, 4)
    interval = first.pass_at_k_intervals[2]
    assert interval is not None and interval.low <= first.pass_at_k[2] <= interval.high
    with pytest.raises(InputError, match="no task has an integer 'variables'"):
        level_points(records, "variables")


def test_curve_json_is_strict_and_complete(tmp_path: Path) -> None:
    records = _records({L: [(5, round(5 * 0.9 * 0.5 ** (L - 1)))] * 6 for L in range(1, 6)})
    curve = capability_curve(records, n_boot=100)
    assert curve.composition is not None and not curve.composition.levels
    data = curve_to_dict(curve)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["levels"][0]["interval"]["confidence"] == 0.95
    level = data["levels"][1]
    assert set(level) >= {"level", "n_tasks", "pass_at_1", "interval", "fitted", "composed"}
    assert level["ratio_to_previous"] == pytest.approx(
        data["levels"][1]["pass_at_1"] / data["levels"][0]["pass_at_1"]
    )
    assert data["fit"]["ratio"] == pytest.approx(0.5, abs=0.1)
    assert {"dispersion", "deviance", "df", "p_value"} <= set(data["fit"])
    assert data["composition_notes"] == ["the tasks name no 'blocks' in their metadata"]
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    plot_curve(curve, png)
    plot_curve(curve, svg)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text()
    with pytest.raises(InputError, match="plot format"):
        plot_curve(curve, tmp_path / "c.gif")
