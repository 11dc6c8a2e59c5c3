"""The public surface of ``codehazard.hazards`` and ``codehazard.metrics`` is deliberate."""

from __future__ import annotations

import codehazard.hazards as hazards
import codehazard.metrics as metrics


def test_every_exported_name_exists_once() -> None:
    for module in (hazards, metrics):
        assert len(set(module.__all__)) == len(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


def test_core_names_are_exported() -> None:
    assert {
        "HazardLog",
        "Profile",
        "Assessment",
        "AssessmentDiff",
        "assess",
        "assess_runs",
        "diff_assessments",
        "evaluate_rule",
        "load_log",
        "load_profile",
        "risk",
    } <= set(hazards.__all__)
    assert {
        "Measurement",
        "MetricFamily",
        "MetricRegistry",
        "default_registry",
        "metric_family",
        "parse_metric",
        "rate_measurement",
    } <= set(metrics.__all__)
