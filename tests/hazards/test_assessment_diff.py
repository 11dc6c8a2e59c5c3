"""Diff between assessments: risks that moved, the evidence that moved them, added/removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hazard_fixtures import SMALL_LOG, add_run, humaneval_tasks

from codehazard.hazards import Assessment, assess_runs, diff_assessments, diff_text, parse_log
from codehazard.metrics import default_registry
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
    text = diff_text(d)
    assert "H-FAIL risk Medium -> Serious ↑" in text
    assert "suite.humaneval.rate.failed: 0 [" in text and "level D -> A" in text
    md = diff_text(d, markdown=True)
    assert md.startswith("# Assessment diff") and "- H-FAIL" in md
    assert type(d).model_validate_json(d.model_dump_json()) == d
