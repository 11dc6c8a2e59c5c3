"""The metric name grammar: parsing, canonical text, selector semantics, clear errors."""

from __future__ import annotations

import pytest

from codehazard.errors import InputError
from codehazard.metrics import MetricName, MetricNameError, Selector, parse_metric


def test_parses_base_parts() -> None:
    m = parse_metric("suite.humaneval.pass@1")
    assert (m.namespace, m.source, m.statistic, m.selectors) == ("suite", "humaneval", "pass@1", ())
    assert m.text == m.base == str(m) == "suite.humaneval.pass@1"


def test_statistic_may_have_dots_and_source_may_be_wildcard() -> None:
    m = parse_metric("suite.*.rate.timeout")
    assert m.source == "*" and m.statistic == "rate.timeout"


def test_selectors_parse_with_types_and_canonical_text() -> None:
    m = parse_metric('suite.x.pass@1{ level >= 5, dimension=concurrency, name="a b", ok==true }')
    assert m.selectors == (
        Selector("level", ">=", 5),
        Selector("dimension", "=", "concurrency"),
        Selector("name", "=", "a b"),
        Selector("ok", "==", True),
    )
    assert m.text == 'suite.x.pass@1{level>=5,dimension=concurrency,name="a b",ok=true}'
    assert parse_metric(m.text) == parse_metric(m.text.replace(",", " , "))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("suite.humaneval", "malformed"),
        ("suite..pass@1", "malformed"),
        ("suite.x.pass@1{", "unbalanced"),
        ("suite.x.pass@1{}", "empty selector"),
        ("suite.x.pass@1{level}", "key op value"),
        ("suite.x.pass@1{level>=high}", "non-number"),
        ("suite.x.pass@1{name=a b}", "needs quotes"),
        ("suite.x y.pass@1", "malformed"),
    ],
)
def test_malformed_names_say_what_is_expected(text: str, fragment: str) -> None:
    with pytest.raises(MetricNameError, match=fragment) as info:
        parse_metric(text)
    assert isinstance(info.value, InputError)


@pytest.mark.parametrize(
    "selector, metadata, expected",
    [
        ("level>=5", {"level": 5}, True),
        ("level>=5", {"level": 4}, False),
        ("level>=5", {"level": "6"}, True),
        ("level>5", {"level": 5}, False),
        ("level<5", {"level": 4.5}, True),
        ("level<=5", {"level": "high"}, False),
        ("level>=5", {}, False),
        ("components=3", {"components": 3}, True),
        ("components=3", {"components": "3"}, True),
        ("components!=3", {"components": 2}, True),
        ("components!=3", {}, False),
        ("dimension=concurrency", {"dimension": "concurrency"}, True),
        ("dimension=concurrency", {"dimension": "temporal"}, False),
        ("tags=fast", {"tags": ["slow", "fast"]}, True),
        ("tags!=fast", {"tags": ["slow", "fast"]}, False),
        ("tags>=1", {"tags": [1, 2]}, False),
        ("flag=true", {"flag": True}, True),
        ("flag=false", {"flag": True}, False),
    ],
)
def test_selector_semantics(selector: str, metadata: dict, expected: bool) -> None:
    metric = parse_metric("suite.x.pass@1{" + selector + "}")
    assert metric.selects(metadata) is expected


def test_metric_without_selectors_selects_everything() -> None:
    assert MetricName("suite", "x", "pass@1").selects({"anything": 1})
