"""Hazard log loading: the default catalogue is valid; every problem is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from hazard_fixtures import FIVE_BY_FIVE, SMALL_LOG, write

from codehazard.errors import InputError
from codehazard.hazards import (
    KNOWN_SOURCES,
    HazardInputError,
    HazardLog,
    default_catalogue_text,
    load_log,
    load_profile,
    parse_log,
)
from codehazard.metrics import default_registry

REGISTRY = default_registry(plugins=False)


def _problems(text: str, **kw) -> list[str]:
    with pytest.raises(HazardInputError) as info:
        parse_log(text, "log.yaml", registry=REGISTRY, **kw)
    assert isinstance(info.value, InputError)
    return [str(p) for p in info.value.problems]


def test_default_catalogue_is_valid_and_covers_every_source() -> None:
    loaded = parse_log(default_catalogue_text(), registry=REGISTRY)
    log = loaded.log
    assert len(log.hazards) >= 10
    assert {h.source for h in log.hazards} == set(KNOWN_SOURCES)
    assert all(h.rationale for h in log.hazards)
    assert any(h.evidence for h in log.hazards)
    assert loaded.profile.name.startswith("MIL-STD-882E")
    assert len(loaded.sha256) == 64


def test_small_log_loads_with_integer_severities_as_ids() -> None:
    log = parse_log(SMALL_LOG, registry=REGISTRY).log
    assert [h.severity for h in log.hazards] == ["3", "1", "4"]
    assert log.hazard("H-FAIL").residual_likelihood_id == "E"
    assert log.hazard("H-ENV").residual_likelihood_id == "A"
    with pytest.raises(KeyError):
        log.hazard("nope")


BROKEN = """\
schema_version: 1
hazards:
  - id: H1
    title: One
    source: security
    severity: 7
    likelihood: B
  - id: H2
    title: Two
    source: securty
    severity: 2
    likelihood: Q
    severty: 2
  - id: H1
    title: Three
    source: custom:supply-chain
    severity: 2
    likelihood: C
    evidence:
      - metric: probe.nothing.insecure_rate
        thresholds: {A: 0.3}
      - metric: suite.humaneval.pass@1
        thresholds: {A: 0.1, B: 0.2}
  - id: H4
    title: Four
    source: misuse
    severity: 3
    likelihood: C
    residual_likelihood: A
    residual_severity: 1
"""


def test_every_problem_is_reported_with_hazard_field_and_line() -> None:
    problems = _problems(BROKEN)
    expected = [
        "log.yaml:6: hazard H1: field severity: unknown severity '7'",
        "log.yaml:10: hazard H2: field source: unknown source 'securty'",
        "log.yaml:13: hazard H2: field severty: unknown field",
        "log.yaml:14: hazard H1: field id: duplicate id (first used by hazard #1)",
        "log.yaml:20: hazard H1: field evidence[0].metric: no suite or probe defines metric "
        "'probe.nothing.insecure_rate'",
        "log.yaml:23: hazard H1: field evidence[1].thresholds.B: bound 0.2 must be strictly "
        "below 0.1",
        "log.yaml:29: hazard H4: field residual_likelihood: is more frequent",
        "log.yaml:30: hazard H4: field residual_severity: is more severe",
    ]
    for fragment in expected:
        assert any(p.startswith(fragment) for p in problems), (fragment, problems)


def test_unknown_likelihood_is_named_once_the_structure_is_valid() -> None:
    text = SMALL_LOG.replace("likelihood: D\n", "likelihood: X\n", 1)
    problems = _problems(text)
    assert problems == [
        "log.yaml:9: hazard H-FAIL: field likelihood: unknown likelihood 'X'; profile "
        "'MIL-STD-882E structure, code-model definitions' has A, B, C, D, E, F"
    ]


def test_bad_yaml_reports_its_line() -> None:
    problems = _problems("schema_version: 1\nhazards:\n  - id: H1\n   title: [unclosed\n")
    assert len(problems) == 1 and problems[0].startswith("log.yaml:4: not valid YAML")


def test_duplicate_yaml_keys_are_problems() -> None:
    text = SMALL_LOG.replace("    severity: 4\n", "    severity: 4\n    severity: 3\n")
    assert any("key appears twice" in p and "hazards[2].severity" in p for p in _problems(text))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "empty"),
        ("- a\n- b\n", "must be a YAML mapping"),
        ("hazards: {id: H1}\n", "must be a list of hazards"),
        ("schema_version: 99\nhazards: []\n", "newer than this codehazard"),
        ("profile: nope\nhazards: []\n", "no built-in profile"),
        ("hazards:\n  - just text\n", "hazard #1"),
    ],
)
def test_malformed_logs(text: str, fragment: str) -> None:
    assert any(fragment in p for p in _problems(text)), _problems(text)


def test_log_can_name_a_profile_file_relative_to_itself(tmp_path: Path) -> None:
    write(tmp_path / "iso.yaml", FIVE_BY_FIVE)
    log = write(
        tmp_path / "log.yaml",
        "profile: iso.yaml\nhazards:\n"
        "  - {id: H1, title: t, source: privacy, severity: S4, likelihood: P2}\n",
    )
    loaded = load_log(log, registry=REGISTRY)
    assert loaded.profile.name == "ISO 14971-style 5x5"


def test_profile_override_checks_ids_against_the_other_scale(tmp_path: Path) -> None:
    iso = load_profile(write(tmp_path / "iso.yaml", FIVE_BY_FIVE))
    problems = _problems(SMALL_LOG, profile=iso)
    assert any("unknown severity '3'" in p and "S5, S4" in p for p in problems)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HazardInputError, match="cannot read the hazard log"):
        load_log(tmp_path / "none.yaml")


def test_log_json_schema_is_versioned_and_closed() -> None:
    schema = HazardLog.model_json_schema()
    assert "schema_version" in schema["properties"]
    hazard = schema["$defs"]["Hazard"]
    assert hazard["additionalProperties"] is False
    assert {"id", "severity", "likelihood", "evidence", "mitigations"} <= set(hazard["properties"])


def test_a_structural_error_does_not_hide_the_hazards_other_problems() -> None:
    text = """\
hazards:
  - id: H1
    title: One
    source: security
    severty: 3
    likelihood: Q
    evidence:
      - metric: suite.x.rate.failedd
        thresholds: {A: 0.1}
      - metric: suite.x.rate.failed
        thresholds: {A: 0.1, B: 0.5}
      - metric: suite.x.rate.typo
        thresholds: not-a-mapping
  - id: H2
    title: Two
    source: nonsense
    severity: 7
    likelihood: B
"""
    problems = _problems(text)
    expected = [
        "log.yaml:2: hazard H1: field severity: required field is missing",
        "log.yaml:5: hazard H1: field severty: unknown field",
        "log.yaml:6: hazard H1: field likelihood: unknown likelihood 'Q'",
        "log.yaml:8: hazard H1: field evidence[0].metric: metric 'suite.x.rate.failedd'",
        "log.yaml:11: hazard H1: field evidence[1].thresholds.B: bound 0.5 must be strictly",
        "log.yaml:12: hazard H1: field evidence[2].metric: metric 'suite.x.rate.typo'",
        "log.yaml:13: hazard H1: field evidence[2].thresholds:",
        "log.yaml:16: hazard H2: field source: unknown source 'nonsense'",
        "log.yaml:17: hazard H2: field severity: unknown severity '7'",
    ]
    for fragment in expected:
        assert any(p.startswith(fragment) for p in problems), (fragment, problems)
    assert len(problems) == len(expected), problems
