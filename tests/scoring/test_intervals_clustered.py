"""The design effect and the clustered Wilson interval for rates over correlated samples."""

from __future__ import annotations

import numpy as np
import pytest

from codehazard.scoring import clustered_wilson_interval, design_effect, wilson_interval


def test_no_correlation_or_no_clusters_means_no_correction() -> None:
    assert design_effect([(2, 4), (2, 4), (2, 4)]) == 1.0  # equal rates: between < within
    assert design_effect([(1, 1), (0, 1), (1, 1)]) == 1.0  # one sample a task
    assert design_effect([(3, 5)]) == 1.0  # one task: rho cannot be estimated
    assert design_effect([]) == 1.0
    interval, deff = clustered_wilson_interval([(1, 1), (0, 1)])
    assert deff == 1.0 and interval == wilson_interval(1, 2)


def test_perfectly_clustered_samples_count_as_one_each_task() -> None:
    assert design_effect([(5, 5), (0, 5), (5, 5), (0, 5)]) == pytest.approx(5.0)
    interval, _ = clustered_wilson_interval([(5, 5), (0, 5), (5, 5), (0, 5)])
    expected = wilson_interval(2, 4)
    assert (interval.low, interval.high) == pytest.approx((expected.low, expected.high))


def test_unequal_cluster_sizes_use_the_sample_weighted_mean_size() -> None:
    deff = design_effect([(10, 10), (0, 10), (1, 1), (0, 1)])
    assert 1.0 < deff <= sum(n * n for n in (10, 10, 1, 1)) / 22


@pytest.mark.slow
def test_clustered_interval_keeps_its_coverage_where_plain_wilson_does_not() -> None:
    """Beta-binomial tasks (30 tasks, 5 samples, rho 0.4, rate 0.3): 95% nominal."""
    rng = np.random.default_rng(1)
    mu, rho, tasks, samples, reps = 0.3, 0.4, 30, 5, 600
    a, b = mu * (1 / rho - 1), (1 - mu) * (1 / rho - 1)
    plain = clustered = 0
    for _ in range(reps):
        p = rng.beta(a, b, tasks)
        events = rng.binomial(samples, p)
        counts = [(int(c), samples) for c in events]
        w = wilson_interval(int(events.sum()), tasks * samples)
        c, _ = clustered_wilson_interval(counts)
        plain += w.low <= mu <= w.high
        clustered += c.low <= mu <= c.high
    assert clustered / reps >= 0.92
    assert plain / reps <= 0.85
