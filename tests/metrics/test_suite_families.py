"""The built-in suite families: pass@k and status rates, selectors, intervals, traceability."""

from __future__ import annotations

import pytest
from record_fakes import Rec, make_records

from codehazard.metrics import default_registry
from codehazard.scoring import rate_interval, suite_of, wilson_interval


@pytest.fixture(scope="module")
def registry():
    return default_registry(plugins=False)


def _humaneval() -> list[Rec]:
    return (
        make_records("HumanEval/0", ["passed", "passed", "failed", "timeout"])
        + make_records("HumanEval/1", ["failed", "failed", "infra", None])
        + make_records("Other/0", ["passed"] * 4)
    )


def test_suite_comes_from_metadata_else_the_task_id_prefix() -> None:
    assert suite_of(Rec("HumanEval/3", "passed")) == "humaneval"
    assert suite_of(Rec("x/3", "passed", {"suite": "Complexity"})) == "complexity"
    assert suite_of(Rec("plain-id", "passed")) is None


def test_pass_at_1_averages_over_tasks_and_excludes_pending_and_infra(registry) -> None:
    m = registry.measure("suite.humaneval.pass@1", _humaneval())
    # task 0: 2/4, task 1: 0/2 (infra and pending excluded)
    assert m.value == pytest.approx(0.25)
    assert (m.n, m.n_tasks, m.events) == (6, 2, 2)
    assert m.interval is not None and m.interval.method == "cluster-score"
    assert m.interval.low <= m.value <= m.interval.high
    assert m.samples == {
        "run-1": [
            "HumanEval/0#0",
            "HumanEval/0#1",
            "HumanEval/0#2",
            "HumanEval/0#3",
            "HumanEval/1#0",
            "HumanEval/1#1",
        ]
    }
    assert m.family == "suite.<suite>.pass@<k>"


def test_pass_at_k_uses_the_unbiased_estimator_and_is_undefined_when_short(registry) -> None:
    recs = make_records("S/0", ["passed", "failed", "failed"]) + make_records("S/1", ["failed"] * 3)
    m = registry.measure("suite.s.pass@2", recs)
    assert m.value == pytest.approx((1 - 1 / 3) / 2)
    short = registry.measure("suite.s.pass@4", recs)
    assert short.value is None and not short.available and "fewer than 4" in short.note


def test_status_rate_has_a_wilson_interval(registry) -> None:
    # both tasks fail half their samples: no sign of correlation within tasks, so the
    # cluster-score interval is plain Wilson on the samples
    recs = make_records("S/0", ["failed", "passed"] * 2) + make_records("S/1", ["passed", "failed"])
    m = registry.measure("suite.s.rate.failed", recs, confidence=0.9)
    assert m.value == pytest.approx(3 / 6)
    expected = wilson_interval(3, 6, 0.9)
    assert m.interval is not None and m.interval.method == "cluster-score"
    assert (m.interval.low, m.interval.high) == pytest.approx((expected.low, expected.high))
    assert m.interval.confidence == 0.9
    assert (m.n, m.events) == (6, 3)


def test_status_rate_widens_for_samples_correlated_within_tasks(registry) -> None:
    # every task either always fails or never does: 20 samples carry about 4 tasks' worth
    recs = [
        r for t in range(4) for r in make_records(f"S/{t}", ["failed" if t % 2 else "passed"] * 5)
    ]
    m = registry.measure("suite.s.rate.failed", recs)
    plain = wilson_interval(10, 20)
    assert m.value == pytest.approx(0.5) and (m.n, m.n_tasks, m.events) == (20, 4, 10)
    assert m.interval is not None and m.interval.method == "cluster-score"
    assert m.interval.low < plain.low and m.interval.high > plain.high
    assert "design effect 5.00" in m.note and "4.0 independent samples of 20" in m.note


def test_infra_rate_counts_over_every_checked_sample(registry) -> None:
    m = registry.measure("suite.humaneval.rate.infra", _humaneval())
    assert (m.events, m.n) == (1, 7)


def test_wildcard_suite_pools_every_suite(registry) -> None:
    m = registry.measure("suite.*.rate.passed", _humaneval())
    assert (m.events, m.n) == (6, 10)


def test_selectors_filter_on_task_metadata(registry) -> None:
    recs = (
        make_records("c/1", ["passed", "passed"], suite="complexity", components=1)
        + make_records("c/3", ["failed", "passed"], suite="complexity", components=3)
        + make_records("c/5", ["failed", "failed"], suite="complexity", components=5)
    )
    m = registry.measure("suite.complexity.pass@1{components>=3}", recs)
    assert m.value == pytest.approx(0.25) and m.n_tasks == 2
    exact = registry.measure("suite.complexity.rate.failed{components=5}", recs)
    assert exact.value == 1.0 and exact.n == 2


def test_nothing_selected_gives_an_absent_measurement(registry) -> None:
    m = registry.measure("suite.abstraction.pass@1{level>=4}", _humaneval())
    assert m.value is None and m.n == 0 and not m.available
    assert "suite 'abstraction' matching the selectors" in m.note


def test_samples_are_grouped_by_run(registry) -> None:
    recs = make_records("H/0", ["passed"], run_id="a") + make_records("H/0", ["failed"], run_id="b")
    m = registry.measure("suite.h.rate.failed", recs)
    assert m.runs == ["a", "b"] and m.samples == {"a": ["H/0#0"], "b": ["H/0#0"]}


def test_tasks_that_all_agree_get_a_wilson_interval_not_a_point(registry) -> None:
    # a bootstrap over 20 identical task values is the single point [1, 1]; a conservative
    # "lower is likelier" rule would then treat a pass rate of 1 as exact. Every one of the
    # 40 samples passes: Wilson's interval on the 40 samples
    recs = [r for i in range(20) for r in make_records(f"H/{i}", ["passed", "passed"])]
    m = registry.measure("suite.h.pass@1", recs)
    expected = rate_interval(1.0, 40)
    assert m.value == 1.0 and m.interval is not None and m.interval.method == "cluster-score"
    assert (m.interval.low, m.interval.high) == pytest.approx((expected.low, 1.0))
    assert m.interval.low < 0.95
    one = registry.measure("suite.h.pass@1", make_records("H/0", ["passed", "failed"]))
    assert one.interval is not None and one.interval.low < 0.2 and one.interval.high > 0.8


def test_task_mean_sits_exactly_on_a_bound(registry) -> None:
    # ten tasks at pass@1 0.1: a naive float sum gives 0.09999999999999999, below a 0.1 bound
    recs = [r for i in range(10) for r in make_records(f"H/{i}", ["passed"] + ["failed"] * 9)]
    m = registry.measure("suite.h.pass@1", recs)
    assert m.value == 0.1


def test_measurement_round_trips_through_json(registry) -> None:
    m = registry.measure("suite.humaneval.pass@1", _humaneval())
    assert type(m).model_validate_json(m.model_dump_json()) == m
