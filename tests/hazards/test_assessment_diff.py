"""Diff between assessments: risks that moved, the evidence that moved them, added/removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hazard_fixtures import SMALL_LOG, add_run, humaneval_tasks

from codehazard.hazards import Assessment, assess_runs, diff_assessments, parse_log
from codehazard.metrics import default_registry
from codehazard.report import assessment_diff_text
from codehazard.store import Store

REGISTRY = default_registry(plugins=False)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite") as s:
        yield s


def _assess(store: Store, fail_share: float, log: str = SMALL_LOG) -> Assessment:
    run = add_run(store, humaneval_tasks(fail_share))
    return assess_runs(
        parse_log(log, "log.yaml", registry=REGISTRY), store, [run], registry=REGISTRY
    )


def test_identical_assessments_have_no_changes(store: Store) -> None:
    a = _assess(store, 0.3)
    d = diff_assessments(a, a)
    assert not d.changed and not d.added and not d.removed
    assert sorted(d.unchanged) == ["H-CAP", "H-ENV", "H-FAIL"]
    assert not d.risk_increased()


def test_risk_movement_and_the_evidence_behind_it(store: Store) -> None:
    old, new = _assess(store, 0.0), _assess(store, 0.6)
    d = diff_assessments(old, new)
    [c] = d.changed
    assert c.id == "H-FAIL"
    # a zero failure rate over 100 samples still has a Wilson upper bound above 0.01: D
    assert (c.old_risk, c.new_risk, c.risk_direction) == ("Medium", "Serious", "up")
    assert (c.old_likelihood, c.new_likelihood) == ("D", "A")
    [e] = c.evidence
    assert e.metric == "suite.humaneval.rate.failed"
    assert (e.old_value, e.new_value) == (0.0, pytest.approx(0.6))
    assert (e.old_level, e.new_level) == ("D", "A")
    assert d.risk_increased()
    back = diff_assessments(new, old)
    assert back.changed[0].risk_direction == "down" and not back.risk_increased()


def test_added_and_removed_hazards(store: Store) -> None:
    extra = SMALL_LOG + (
        "  - id: H-NEW\n    title: New\n    source: privacy\n    severity: 2\n    likelihood: C\n"
    )
    old, new = _assess(store, 0.3), _assess(store, 0.3, extra)
    d = diff_assessments(old, new)
    assert [h.id for h in d.added] == ["H-NEW"] and d.added[0].risk == "Serious"
    assert d.risk_increased()
    assert [h.id for h in diff_assessments(new, old).removed] == ["H-NEW"]


def test_text_and_markdown_rendering(store: Store) -> None:
    d = diff_assessments(_assess(store, 0.0), _assess(store, 0.6))
    text = assessment_diff_text(d)
    assert "H-FAIL risk Medium -> Serious ↑" in text
    assert "suite.humaneval.rate.failed: 0 [" in text and "level D -> A" in text
    md = assessment_diff_text(d, markdown=True)
    assert md.startswith("# Assessment diff") and "- H-FAIL" in md
    assert type(d).model_validate_json(d.model_dump_json()) == d


def test_two_rules_on_one_metric_are_both_compared(store: Store) -> None:
    # keyed by metric alone, the second rule hid the first rule's move
    log = SMALL_LOG.replace(
        "        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}\n",
        "        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}\n"
        "      - metric: suite.humaneval.rate.failed\n"
        "        thresholds: {A: 0.9}\n",
        1,
    )
    d = diff_assessments(_assess(store, 0.0, log), _assess(store, 0.6, log))
    [c] = d.changed
    assert [(e.occurrence, e.old_level, e.new_level) for e in c.evidence] == [
        (1, "D", "A"),
        (2, "E", "E"),
    ]
    assert "(rule 2 on this metric)" in assessment_diff_text(d)


def test_expert_edits_and_rule_edits_are_changes(store: Store) -> None:
    old = _assess(store, 0.3)
    # the expert raises the likelihood (and keeps the mitigation credit); evidence still rules
    edited = SMALL_LOG.replace("likelihood: D\n", "likelihood: C\n", 1).replace(
        "residual_likelihood: E\n", "residual_likelihood: D\n"
    )
    d = diff_assessments(old, _assess(store, 0.3, edited))
    [c] = d.changed
    assert (c.old_expert_likelihood, c.new_expert_likelihood) == ("D", "C")
    assert c.risk_direction == "same" and not c.evidence
    assert "expert likelihood D -> C" in assessment_diff_text(d)
    retuned = SMALL_LOG.replace("{A: 0.5, B: 0.2, C: 0.05, D: 0.01}", "{A: 0.6, B: 0.2}")
    [c] = diff_assessments(old, _assess(store, 0.3, retuned)).changed
    assert [e.rule_changed for e in c.evidence] == [True]
