"""The registry: families found by pattern, unknown names detected, providers discovered."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from codehazard.metrics import (
    Measurement,
    MetricName,
    MetricNameError,
    MetricRecord,
    MetricRegistry,
    default_registry,
    metric_family,
    rate_measurement,
)
from codehazard.metrics._registry import compile_pattern, discover_provider_modules
from codehazard.metrics._suite import SuitePassAtK, SuiteStatusRate


@metric_family
class InsecureRate:
    """A stand-in for a future probe family: ``probe.security.insecure_rate``."""

    pattern = "probe.security.<rate>"
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
        chosen = [r for r in records if r.metadata.get("probe") == "security"]
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
        ("probe.security.insecure_rate", "no suite or probe defines"),
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


def test_a_new_family_plugs_in_without_touching_anything() -> None:
    registry = MetricRegistry([SuitePassAtK, SuiteStatusRate])
    assert not registry.knows("probe.security.insecure_rate")
    registry.register(InsecureRate)
    assert registry.knows("probe.security.insecure_rate")
    assert "unknown security rate" in (registry.problem("probe.security.other") or "")


def test_register_works_as_a_decorator_and_rejects_duplicates() -> None:
    registry = MetricRegistry()

    @registry.register
    class Family(InsecureRate):
        pattern = "probe.demo.<rate>"

    assert registry.knows("probe.demo.insecure_rate")
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Family)
    with pytest.raises(TypeError, match="not a metric family"):
        registry.register(object())


def test_metric_family_decorator_checks_the_shape() -> None:
    with pytest.raises(TypeError, match="lacks"):

        @metric_family
        class Broken:
            pattern = "probe.x.<y>"


def test_load_module_registers_marked_classes_only() -> None:
    registry = MetricRegistry()
    assert registry.load_module(sys.modules[__name__]) == 1
    assert [f.pattern for f in registry.families] == ["probe.security.<rate>"]


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


def test_discovery_finds_provider_modules_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "fakepkg_metrics_discovery"
    (pkg / "probes" / "security").mkdir(parents=True)
    (pkg / "__pycache__").mkdir()
    for d in (pkg, pkg / "probes", pkg / "probes" / "security"):
        (d / "__init__.py").write_text("")
    (pkg / "probes" / "security" / "_metric_families.py").write_text(
        textwrap.dedent(
            """
            from codehazard.metrics import absent, metric_family

            @metric_family
            class Security:
                pattern = "probe.security.<rate>"
                description = "demo"

                def check(self, metric, parts):
                    return None

                def measure(self, metric, parts, records, confidence):
                    return absent(metric.text, self.pattern, "demo")
            """
        )
    )
    (pkg / "other.py").write_text("raise RuntimeError('never imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = discover_provider_modules("fakepkg_metrics_discovery")
    assert found == ["fakepkg_metrics_discovery.probes.security._metric_families"]
    registry = MetricRegistry()
    assert registry.load_module(found[0]) == 1
    assert registry.knows("probe.security.insecure_rate")
