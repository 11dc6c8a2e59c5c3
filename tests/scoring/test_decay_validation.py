"""The decay fit's calibration, by simulation (a reduced run of ``decay_validation.py``).

A true log-linear decay with tasks that differ in difficulty must be called ``poor`` rarely
(nominal 5%) and its ratio covered by the 95% interval in about 95% of runs. Before the fit
modelled task variation, the poor-fit flag fired in 14 of these 100 runs of the first scenario
(so this test fails on that code), and the interval covered the ratio in 90-93% of codex-like
runs (too close to 95% to tell apart in 100 runs: the script measures it with more).
"""

from __future__ import annotations

import pytest
from decay_validation import SCENARIOS, Scenario, validate

RUNS = 100


def _scenario(name: str) -> Scenario:
    return next(s for s in SCENARIOS if s.name == name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["strong model, beta rho 0.3", "codex-like, beta rho 0.3"])
def test_poor_fit_false_alarms_and_interval_coverage(name: str) -> None:
    result = validate(_scenario(name), RUNS, boot=200, seed=1)
    assert result.false_alarm <= 0.11, result
    assert result.coverage >= 0.89, result
