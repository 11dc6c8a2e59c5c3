"""Evidence rules: thresholds respected at their edges, conservative interval ends, no data."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codehazard.hazards import (
    EvidenceRule,
    evaluate_rule,
    level_for_value,
    likelihood_rank,
    load_profile,
)
from codehazard.hazards._rules import (
    compared_end,
    default_otherwise,
    ordered_thresholds,
    threshold_problems,
)
from codehazard.metrics import Measurement, MetricInterval

P = load_profile()
LIVE = ["A", "B", "C", "D", "E"]


def _measure(value: float | None, low: float = 0.0, high: float = 1.0, n: int = 100):
    interval = (
        None
        if value is None
        else MetricInterval(low=low, high=high, confidence=0.95, method="wilson")
    )
    return Measurement(
        metric="suite.x.rate.failed",
        family="f",
        value=value,
        interval=interval,
        n=n if value is not None else 0,
        n_tasks=10,
    )


def _rule(**kw) -> EvidenceRule:
    kw.setdefault("metric", "suite.x.rate.failed")
    kw.setdefault("thresholds", {"A": 0.5, "B": 0.2, "C": 0.05, "D": 0.01})
    return EvidenceRule(**kw)


@st.composite
def threshold_sets(draw: st.DrawFn):
    levels = sorted(draw(st.sets(st.sampled_from(LIVE[:-1]), min_size=1)), key=LIVE.index)
    bounds = sorted(
        draw(
            st.lists(
                st.floats(0, 1, allow_nan=False),
                min_size=len(levels),
                max_size=len(levels),
                unique=True,
            )
        ),
        reverse=True,
    )
    direction = draw(st.sampled_from(["higher", "lower"]))
    if direction == "lower":
        bounds = bounds[::-1]
    return list(zip(levels, bounds, strict=True)), direction


@given(threshold_sets(), st.floats(0, 1, allow_nan=False))
def test_the_level_chosen_is_the_most_frequent_whose_bound_is_met(ts, value) -> None:
    pairs, direction = ts

    def meets(bound: float) -> bool:
        return value >= bound if direction == "higher" else value <= bound

    level = level_for_value(pairs, direction, value, "E")
    bounds = dict(pairs)
    if level == "E":
        assert not any(meets(b) for _, b in pairs)
    else:
        assert meets(bounds[level])
        assert not any(meets(b) for lvl, b in pairs if LIVE.index(lvl) < LIVE.index(level))


@given(threshold_sets())
def test_a_value_exactly_at_a_bound_falls_in_that_level(ts) -> None:
    pairs, direction = ts
    for level, bound in pairs:
        assert level_for_value(pairs, direction, bound, "E") == level


@given(threshold_sets(), st.floats(0, 1, allow_nan=False), st.floats(0, 1, allow_nan=False))
def test_level_is_monotone_in_the_value(ts, x, y) -> None:
    pairs, direction = ts
    lo, hi = min(x, y), max(x, y)
    a = likelihood_rank(P, level_for_value(pairs, direction, lo, "E"))
    b = likelihood_rank(P, level_for_value(pairs, direction, hi, "E"))
    assert (a <= b) if direction == "higher" else (a >= b)


def test_conservative_end_makes_the_hazard_likelier() -> None:
    assert compared_end("conservative", "higher") == "high"
    assert compared_end("conservative", "lower") == "low"
    assert compared_end("point", "higher") == "point"


def test_conservative_uses_the_upper_bound_by_default() -> None:
    m = _measure(0.15, low=0.1, high=0.25)
    out = evaluate_rule(P, _rule(), m)
    assert out.fired and out.level == "B" and out.compared == "high"
    assert out.compared_value == 0.25 and ">= 0.2" in out.reason
    assert evaluate_rule(P, _rule(interval="point"), m).level == "C"
    assert evaluate_rule(P, _rule(interval="low"), m).level == "C"


def test_lower_is_likelier_uses_the_lower_bound() -> None:
    rule = _rule(likelier_when="lower", thresholds={"A": 0.1, "B": 0.3, "C": 0.6})
    out = evaluate_rule(P, rule, _measure(0.4, low=0.28, high=0.5))
    assert out.level == "B" and out.compared == "low"


def test_no_bound_met_gives_otherwise() -> None:
    assert default_otherwise(P) == "E"
    assert evaluate_rule(P, _rule(), _measure(0.001, 0.0, 0.005)).level == "E"
    assert evaluate_rule(P, _rule(otherwise="D", thresholds={"A": 0.5}), _measure(0.1)).level == "A"
    out = evaluate_rule(P, _rule(otherwise="D", thresholds={"A": 0.5}), _measure(0.1, 0, 0.2))
    assert out.level == "D" and "otherwise" in out.reason


def test_missing_or_thin_evidence_does_not_fire() -> None:
    out = evaluate_rule(P, _rule(), None)
    assert not out.fired and "no evidence" in out.reason
    absent = Measurement(metric="m", family="f", value=None, note="nothing selected")
    assert "nothing selected" in evaluate_rule(P, _rule(), absent).reason
    thin = evaluate_rule(P, _rule(min_samples=500), _measure(0.5, n=100))
    assert not thin.fired and "insufficient" in thin.reason


def test_point_value_used_when_no_interval() -> None:
    m = Measurement(metric="m", family="f", value=0.3, n=5, n_tasks=1)
    out = evaluate_rule(P, _rule(), m)
    assert out.level == "B" and out.compared == "point" and "no interval" in out.reason


def test_thresholds_are_ordered_by_the_profile() -> None:
    rule = _rule(thresholds={"D": 0.01, "A": 0.5})
    assert ordered_thresholds(P, rule) == [("A", 0.5), ("D", 0.01)]


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"thresholds": {"A": 0.1, "B": 0.2}}, "strictly below"),
        ({"thresholds": {"A": 0.2, "B": 0.2}}, "strictly below"),
        ({"likelier_when": "lower", "thresholds": {"A": 0.3, "B": 0.2}}, "strictly above"),
        ({"thresholds": {"Z": 0.1}}, "unknown likelihood 'Z'"),
        ({"thresholds": {"F": 0.1}}, "cannot eliminate"),
        ({"thresholds": {"A": float("inf")}}, "finite"),
        ({"otherwise": "F"}, "cannot eliminate"),
        ({"otherwise": "A"}, "less frequent"),
        ({"otherwise": "Q"}, "unknown likelihood 'Q'"),
    ],
)
def test_threshold_problems(kwargs: dict, fragment: str) -> None:
    problems = threshold_problems(P, _rule(**kwargs))
    assert any(fragment in msg for _, msg in problems), problems


def test_valid_rule_has_no_problems() -> None:
    assert threshold_problems(P, _rule()) == []


@given(
    threshold_sets(),
    st.floats(0, 1, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
    st.floats(0, 1, allow_nan=False),
)
def test_conservative_is_never_less_frequent_than_the_point_value(ts, a, b, c) -> None:
    pairs, direction = ts
    low, value, high = sorted((a, b, c))
    rule = _rule(thresholds=dict(pairs), likelier_when=direction)
    m = _measure(value, low=low, high=high)
    levels = {
        end: evaluate_rule(P, rule.model_copy(update={"interval": end}), m).level
        for end in ("conservative", "point", "low", "high")
    }
    assert likelihood_rank(P, levels["conservative"]) >= likelihood_rank(P, levels["point"])
    assert levels["conservative"] == levels["high" if direction == "higher" else "low"]


@given(threshold_sets())
def test_a_measured_value_at_a_bound_fires_that_level(ts) -> None:
    pairs, direction = ts
    rule = _rule(thresholds=dict(pairs), likelier_when=direction)
    for level, bound in pairs:
        for interval in ("point", "conservative"):
            out = evaluate_rule(
                P,
                rule.model_copy(update={"interval": interval}),
                _measure(bound, low=bound, high=bound),
            )
            assert out.fired and out.level == level and out.compared_value == bound
