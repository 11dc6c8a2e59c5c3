"""The registry: families found by pattern, unknown names detected, plug-ins loaded."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

import pytest

from codehazard.errors import UnknownNameError
from codehazard.metrics import (
    Measurement,
    MetricName,
    MetricNameError,
    MetricRecord,
    MetricRegistry,
    UnknownMetricError,
    default_registry,
    metric_family,
    rate_measurement,
)
from codehazard.metrics._registry import BUILTIN_FAMILIES, compile_pattern
from codehazard.metrics._suite import SuitePassAtK, SuiteStatusRate


@metric_family
class InsecureRate:
    """A stand-in for a future probe family: ``probe.standin.insecure_rate``."""

    pattern = "probe.standin.<rate>"
    description = "share of samples flagged insecure"

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
        return None if parts["rate"] == "insecure_rate" else "unknown security rate"

    def measure(
        self,
        metric: MetricName,
        parts: Mapping[str, str],
        records: Sequence[MetricRecord],
        confidence: float,
    ) -> Measurement:
        chosen = [r for r in records if r.metadata.get("probe") == "standin"]
        return rate_measurement(
            metric.text,
            self.pattern,
            chosen,
            lambda r: r.status == "failed",
            confidence=confidence,
        )


def test_default_registry_knows_the_suite_families() -> None:
    registry = default_registry(plugins=False)
    patterns = [f.pattern for f in registry.families]
    assert "suite.<suite>.pass@<k>" in patterns
    assert "suite.<suite>.rate.<status>" in patterns
    assert registry.knows("suite.humaneval.pass@1")
    assert registry.knows("suite.complexity.rate.timeout{components>=3}")
    assert registry.knows("suite.*.pass@10")


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("probe.nothing.insecure_rate", "no suite or probe defines"),
        ("suite.humaneval.pass_rate", "no suite or probe defines"),
        ("suite.humaneval.rate.slow", "unknown status"),
        ("suite.humaneval.pass@0", "positive integer"),
        ("suite.humaneval.pass@k", "positive integer"),
        ("nonsense", "malformed"),
    ],
)
def test_unknown_or_refused_names_are_detected(name: str, fragment: str) -> None:
    registry = default_registry(plugins=False)
    assert not registry.knows(name)
    problem = registry.problem(name)
    assert problem is not None and fragment in problem
    with pytest.raises(MetricNameError, match=fragment):
        registry.resolve(name)


def test_unknown_name_suggests_close_patterns() -> None:
    problem = default_registry(plugins=False).problem("suite.x.pas@1")
    assert problem is not None and "did you mean suite.<suite>.pass@<k>" in problem


def test_an_unknown_metric_is_an_unknown_name_listing_the_known_families() -> None:
    registry = default_registry(plugins=False)
    with pytest.raises(UnknownNameError, match=r"known families: .*suite\.<suite>\.rate\.<status>"):
        registry.resolve("widget.nothing.rate")
    with pytest.raises(UnknownMetricError):
        registry.measure("widget.nothing.rate", [])
    # looking a family up by a pattern nobody registered is the registry's own unknown name
    with pytest.raises(UnknownNameError, match=r"unknown metric family 'x\.<y>\.z'"):
        registry.family("x.<y>.z")


def test_built_in_families_are_lazy_entries_of_the_one_registry() -> None:
    registry = default_registry(plugins=False)
    assert set(BUILTIN_FAMILIES) <= set(registry.names())
    assert "lazy" in repr(registry) and repr(registry).count(" 0 loaded") == 1
    assert registry.knows("suite.humaneval.rate.timeout")
    assert " 0 loaded" not in repr(registry)
    # each call builds a new registry: nothing registered in one leaks into another
    other = default_registry(plugins=False)
    registry.add(InsecureRate)
    assert registry.knows("probe.standin.insecure_rate")
    assert not other.knows("probe.standin.insecure_rate")


def test_a_new_family_plugs_in_without_touching_anything() -> None:
    registry = MetricRegistry([SuitePassAtK, SuiteStatusRate])
    assert not registry.knows("probe.standin.insecure_rate")
    registry.add(InsecureRate)
    assert registry.knows("probe.standin.insecure_rate")
    assert "unknown security rate" in (registry.problem("probe.standin.other") or "")


def test_register_works_as_a_decorator_and_rejects_duplicates() -> None:
    registry = MetricRegistry()

    @registry.add
    class Family(InsecureRate):
        pattern = "probe.demo.<rate>"

    assert registry.knows("probe.demo.insecure_rate")
    registry.add(Family)  # the same family again is harmless, as in every registry

    class Other(InsecureRate):
        pattern = "probe.demo.<rate>"

    with pytest.raises(ValueError, match="already registered"):
        registry.add(Other)
    with pytest.raises(TypeError, match="not a metric family"):
        registry.add(object())
    with pytest.raises(ValueError, match="registered under its pattern"):
        registry.register("probe.demo2.<rate>", Other)


def test_metric_family_decorator_checks_the_shape() -> None:
    with pytest.raises(TypeError, match="lacks"):

        @metric_family
        class Broken:
            pattern = "probe.x.<y>"


def test_load_module_registers_marked_classes_only() -> None:
    registry = MetricRegistry()
    assert registry.load_module(sys.modules[__name__]) == 1
    assert [f.pattern for f in registry.families] == ["probe.standin.<rate>"]


def test_first_family_that_accepts_a_name_wins() -> None:
    class Specific(InsecureRate):
        pattern = "suite.complexity.pass@<k>"

        def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
            return None

    registry = MetricRegistry([Specific, SuitePassAtK])
    assert isinstance(registry.resolve("suite.complexity.pass@1").family, Specific)
    assert isinstance(registry.resolve("suite.humaneval.pass@1").family, SuitePassAtK)


def test_compile_pattern() -> None:
    regex = compile_pattern("suite.<suite>.rate.<status>")
    m = regex.match("suite.human-eval.rate.timeout")
    assert m is not None and m.groupdict() == {"suite": "human-eval", "status": "timeout"}
    assert regex.match("suite.a.b.rate.timeout") is None
    assert compile_pattern("suite.<suite>.pass@<k>").match("suite.*.pass@1")
    with pytest.raises(ValueError, match="repeats"):
        compile_pattern("suite.<a>.<a>")
    with pytest.raises(ValueError, match="literal namespace"):
        compile_pattern("<ns>.x.y")


def test_measure_validates_confidence() -> None:
    with pytest.raises(ValueError, match="confidence"):
        default_registry(plugins=False).measure("suite.x.pass@1", [], confidence=1.5)
