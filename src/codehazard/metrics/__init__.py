"""Metrics: one namespace of named, measured numbers that evidence rules can cite.

Names follow one grammar (see ``docs/metrics.md``), e.g. ``suite.humaneval.pass@1``,
``suite.building-blocks.rate.failed{components>=3}`` or ``probe.security.insecure_rate``.
Families of metrics register with a ``MetricRegistry`` (a ``Registry`` keyed by pattern: lazy
built-ins, entry points in ``codehazard.metrics``); suites and probes contribute their own
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
    task_mean_measurement,
)
from codehazard.metrics._names import (
    OPERATORS,
    MetricName,
    MetricNameError,
    Operator,
    Selector,
    UnknownMetricError,
    parse_metric,
)
from codehazard.metrics._registry import (
    ENTRY_POINT_GROUP,
    MetricFamily,
    MetricRegistry,
    default_registry,
    metric_family,
)

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
    "Selector",
    "UnknownMetricError",
    "absent",
    "default_registry",
    "metric_family",
    "parse_metric",
    "rate_measurement",
    "task_mean_measurement",
]
