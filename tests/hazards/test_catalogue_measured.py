"""Every hazard of the default catalogue is measured by a rule whose metric exists, or says why
no evaluation run can measure it (`unmeasured`, never beside rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codehazard.hazards import HazardInputError, assess, default_catalogue_text, parse_log
from codehazard.metrics import default_registry


def test_every_default_hazard_has_evidence_or_says_why_not() -> None:
    log = parse_log(default_catalogue_text(), registry=default_registry()).log
    unexplained = [h.id for h in log.hazards if not h.evidence and not h.unmeasured.strip()]
    assert unexplained == []
    unmeasured = {h.id for h in log.hazards if h.unmeasured}
    assert unmeasured == {"HZ-ECO-1", "HZ-LEG-1", "HZ-PRV-1", "HZ-ENV-1"}


def test_a_hazard_cannot_both_have_evidence_and_say_it_is_unmeasured(tmp_path: Path) -> None:
    text = default_catalogue_text().replace(
        "    unmeasured: >-\n      Energy",
        "    evidence:\n      - metric: suite.*.rate.failed\n"
        "        thresholds: {A: 0.5}\n    unmeasured: >-\n      Energy",
        1,
    )
    with pytest.raises(HazardInputError) as info:
        parse_log(text, "log.yaml", registry=default_registry())
    assert "HZ-ENV-1" in str(info.value) and "remove its unmeasured field" in str(info.value)


def test_the_assessment_says_why_a_hazard_is_unmeasured(tmp_path: Path) -> None:
    log = parse_log(default_catalogue_text(), registry=default_registry())
    assessment = assess(log, [], registry=default_registry())
    env = next(h for h in assessment.hazards if h.id == "HZ-ENV-1")
    assert env.likelihood_basis == "no-rules"
    assert any("not measurable here: Energy and emissions" in n for n in env.notes)
