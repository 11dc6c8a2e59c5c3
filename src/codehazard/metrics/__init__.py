"""Metrics: one namespace of named, measured numbers that evidence rules can cite.

Names follow one grammar (see ``docs/metrics.md``), e.g. ``suite.humaneval.pass@1``,
``suite.building-blocks.rate.failed{components>=3}`` or ``probe.security.insecure_rate``.
Families of metrics register with a ``MetricRegistry``; suites and probes contribute their own
families, so the hazard engine never changes when one is added.
"""

from codehazard.metrics._measurement import (
    MEASUREMENT_SCHEMA_VERSION,
    IntervalMethod,
    Measurement,
    MetricInterval,
    MetricRecord,
    absent,
    rate_measurement,
    sample_keys,
    task_mean_measurement,
)
from codehazard.metrics._names import (
    OPERATORS,
    MetricName,
    MetricNameError,
    Operator,
    Selector,
    parse_metric,
)
from codehazard.metrics._registry import (
    ENTRY_POINT_GROUP,
    MetricFamily,
    MetricRegistry,
    Resolved,
    compile_pattern,
    default_registry,
    discover_provider_modules,
    metric_family,
)
from codehazard.metrics._suite import SuitePassAtK, SuiteScoreRate, SuiteStatusRate, suite_of

__all__ = [
    "ENTRY_POINT_GROUP",
    "MEASUREMENT_SCHEMA_VERSION",
    "OPERATORS",
    "IntervalMethod",
    "Measurement",
    "MetricFamily",
    "MetricInterval",
    "MetricName",
    "MetricNameError",
    "MetricRecord",
    "MetricRegistry",
    "Operator",
    "Resolved",
    "Selector",
    "SuitePassAtK",
    "SuiteScoreRate",
    "SuiteStatusRate",
    "absent",
    "compile_pattern",
    "default_registry",
    "discover_provider_modules",
    "metric_family",
    "parse_metric",
    "rate_measurement",
    "sample_keys",
    "suite_of",
    "task_mean_measurement",
]
