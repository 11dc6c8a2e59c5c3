"""Assessment: evidence sets likelihoods, expert levels stand without data, traceability."""

from __future__ import annotations

from pathlib import Path

import pytest
from hazard_fixtures import SMALL_LOG, add_run, humaneval_tasks

from codehazard.errors import InputError
from codehazard.hazards import (
    Assessment,
    HazardInputError,
    assess,
    assess_runs,
    load_assessment,
    parse_log,
    worst_risk,
)
from codehazard.metrics import default_registry
from codehazard.report import assessment_markdown, assessment_summary, matrix_cells
from codehazard.samples import Sample
from codehazard.store import Store

REGISTRY = default_registry(plugins=False)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite") as s:
        yield s


def _assess(store: Store, run_ids: list[str], log: str = SMALL_LOG) -> Assessment:
    loaded = parse_log(log, "small.yaml", registry=REGISTRY)
    return assess_runs(loaded, store, run_ids, registry=REGISTRY)


def _hazard(a: Assessment, hazard_id: str):
    return next(h for h in a.hazards if h.id == hazard_id)


def test_evidence_sets_the_likelihood_and_records_its_trail(store: Store) -> None:
    run = add_run(store, humaneval_tasks(0.6))
    a = _assess(store, [run])
    h = _hazard(a, "H-FAIL")
    assert h.likelihood_basis == "evidence"
    assert (h.expert_likelihood, h.likelihood, h.risk) == ("D", "A", "Serious")
    # expert credited mitigations with one level (D -> E): applied to the assessed level
    assert (h.residual_likelihood, h.residual_risk) == ("B", "Serious")
    [ev] = h.evidence
    assert ev.decisive and ev.outcome.fired and ev.outcome.level == "A"
    assert ev.value == pytest.approx(0.6) and ev.n == 100 and ev.n_tasks == 10
    assert ev.interval is not None and ev.interval.low < 0.6 < ev.interval.high
    assert ev.runs == [run]
    measured = a.measurements["suite.humaneval.rate.failed"]
    assert len(measured.samples[run]) == 100 and measured.samples[run][0] == "HumanEval/0#0"
    assert any("set by evidence" in n for n in h.notes)


def test_no_data_keeps_the_expert_likelihood_and_says_so(store: Store) -> None:
    run = add_run(store, humaneval_tasks(0.6))
    h = _hazard(_assess(store, [run]), "H-CAP")
    assert h.likelihood_basis == "no-data" and h.likelihood == "E" and h.risk == "Medium"
    assert h.evidence[0].value is None and not h.evidence[0].outcome.fired
    assert any("expert-set likelihood kept" in n and "abstraction" in n for n in h.notes)


def test_no_rules_keeps_the_expert_likelihood_and_says_so(store: Store) -> None:
    run = add_run(store, humaneval_tasks(0.0))
    h = _hazard(_assess(store, [run]), "H-ENV")
    assert h.likelihood_basis == "no-rules" and h.likelihood == "A"
    assert h.notes == ["no evidence rules: expert-set likelihood"]


def test_capability_evidence_raises_safety_critical_likelihood(store: Store) -> None:
    tasks = [
        (f"abs/{i}", {"suite": "abstraction", "level": 4}, ["passed"] * 9 + ["failed"])
        for i in range(20)
    ]
    run = add_run(store, tasks)
    h = _hazard(_assess(store, [run]), "H-CAP")
    assert h.likelihood == "A" and h.risk == "High"


def test_eliminated_by_design_is_absorbing(store: Store) -> None:
    run = add_run(store, humaneval_tasks(0.9))
    log = SMALL_LOG.replace("likelihood: D\n", "likelihood: F\n").replace(
        "    residual_likelihood: E\n", ""
    )
    h = _hazard(_assess(store, [run], log), "H-FAIL")
    assert h.likelihood_basis == "eliminated-by-design"
    assert (h.likelihood, h.risk, h.residual_risk) == ("F", "Eliminated", "Eliminated")
    assert h.evidence[0].outcome.fired  # recorded, not applied
    assert "not applied" in h.notes[0]


def test_rules_combine_conservatively(store: Store) -> None:
    log = SMALL_LOG.replace(
        "        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}\n",
        "        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}\n"
        "      - metric: suite.humaneval.rate.timeout\n"
        "        thresholds: {A: 0.5}\n",
        1,
    )
    run = add_run(store, humaneval_tasks(0.3))
    h = _hazard(_assess(store, [run], log), "H-FAIL")
    assert [e.outcome.level for e in h.evidence] == ["B", "E"]
    assert h.likelihood == "B" and [e.decisive for e in h.evidence] == [True, False]


def test_hazards_are_sorted_worst_first_and_matrix_cells_hold_ids(store: Store) -> None:
    run = add_run(store, humaneval_tasks(0.6))
    a = _assess(store, [run])
    assert [h.id for h in a.hazards] == ["H-FAIL", "H-CAP", "H-ENV"]
    assert worst_risk(a) == "Serious"
    cells = matrix_cells(a.profile, a.hazards)
    assert cells[("3", "A")] == ["H-FAIL"] and cells[("1", "E")] == ["H-CAP"]
    assert len(cells) == 24
    assert a.risk_counts() == {"High": 0, "Serious": 1, "Medium": 2, "Low": 0, "Eliminated": 0}


def test_runs_from_different_models_are_flagged(store: Store) -> None:
    r1 = add_run(store, humaneval_tasks(0.2), {"model": "a"})
    r2 = add_run(store, humaneval_tasks(0.4), {"model": "b"})
    a = _assess(store, [r1, r2, r1])
    assert [r.id for r in a.runs] == [r1, r2]
    assert any("different models" in n for n in a.notes)
    ev = _hazard(a, "H-FAIL").evidence[0]
    assert ev.n == 200 and ev.runs == sorted([r1, r2])


def test_unknown_run_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError, match="no run 'missing'"):
        _assess(store, ["missing"])


def test_assess_without_runs_is_all_expert() -> None:
    a = assess(parse_log(SMALL_LOG, registry=REGISTRY), [], registry=REGISTRY)
    assert {h.likelihood_basis for h in a.hazards} == {"no-data", "no-rules"}
    assert any("no runs given" in n for n in a.notes)
    with pytest.raises(ValueError, match="confidence"):
        assess(parse_log(SMALL_LOG, registry=REGISTRY), [], registry=REGISTRY, confidence=1.0)


def test_json_round_trip_and_loading(store: Store, tmp_path: Path) -> None:
    run = add_run(store, humaneval_tasks(0.6))
    a = _assess(store, [run])
    path = tmp_path / "a.json"
    path.write_text(a.model_dump_json(indent=2))
    assert load_assessment(path) == a
    path.write_text('{"kind": "something-else"}')
    with pytest.raises(HazardInputError, match="not a codehazard assessment"):
        load_assessment(path)
    path.write_text("{broken")
    with pytest.raises(HazardInputError, match="not valid JSON"):
        load_assessment(path)
    path.write_text('{"kind": "codehazard.assessment", "schema_version": 9}')
    with pytest.raises(HazardInputError, match="newer"):
        load_assessment(path)


def test_markdown_and_summary(store: Store) -> None:
    run = add_run(store, humaneval_tasks(0.6))
    a = _assess(store, [run])
    md = assessment_markdown(a)
    table = md[md.index("## Hazards by risk") : md.index("## Risk matrix")]
    assert table.index("H-FAIL") < table.index("H-CAP") < table.index("H-ENV")
    assert "| **3 Marginal** | Serious: H-FAIL |" in md
    assert "## Residual risk matrix" in md and "Serious: H-FAIL" in md
    assert "`suite.humaneval.rate.failed` | 0.6 [" in md and "n=100 (10 tasks)" in md
    assert "expert-set likelihood kept" in md
    assert "95% confidence (cluster-score intervals: docs/metrics.md)" in md  # which method
    assert run in md
    summary = assessment_summary(a)
    assert summary.splitlines()[0].startswith("3 hazards: 1 Serious, 2 Medium")
    assert "H-FAIL" in summary and "(evidence)" in summary


def test_pooling_runs_that_name_no_model_is_flagged(store: Store) -> None:
    # `codehazard evaluate` runs of samples files record no model: pooling them is a guess
    r1 = add_run(store, humaneval_tasks(0.2), {"samples_path": "a.jsonl"})
    r2 = add_run(store, humaneval_tasks(0.4), {"samples_path": "b.jsonl"})
    pooled = _assess(store, [r1, r2])
    assert any("do not record which model" in n and r1 in n and r2 in n for n in pooled.notes)
    assert not any("model" in n for n in _assess(store, [r1]).notes)
    same = [add_run(store, humaneval_tasks(0.2), {"model": "m"}) for _ in range(2)]
    assert not any("model" in n for n in _assess(store, same).notes)


def test_simulated_duplicated_and_unfinished_runs_are_noted(store: Store) -> None:
    demo = add_run(
        store, humaneval_tasks(0.2), {"model": "simulated", "backend": {"simulated": True}}
    )
    twice = [add_run(store, humaneval_tasks(0.2), {"samples_digest": "abc"}) for _ in range(2)]
    partial = add_run(store, humaneval_tasks(0.2), {"model": "simulated"})
    store.set_run_status(partial, "interrupted")
    notes = " | ".join(_assess(store, [demo, *twice, partial]).notes)
    assert f"run(s) {demo} come from the simulator" in notes
    assert f"runs {twice[0]}, {twice[1]} checked the same samples file" in notes
    assert f"run {partial} is interrupted" in notes


def test_pending_samples_are_left_out_and_noted(store: Store) -> None:
    run = add_run(store, humaneval_tasks(0.5))
    store.add_samples(
        run, [Sample("HumanEval/0#99", "HumanEval/0", 99, {"completion": ""}, "def f(): pass\n")]
    )
    a = _assess(store, [run])
    assert _hazard(a, "H-FAIL").evidence[0].n == 100
    assert any("1 sample(s) unchecked and left out" in n for n in a.notes)


def test_unanimous_tasks_do_not_make_conservative_rules_exact(store: Store) -> None:
    # every sample of 20 tasks passes: the bootstrap over tasks is the point [1, 1], so a
    # "lower pass rate is likelier" rule compared 1.0 and gave the least frequent level;
    # 100 passes in 100 samples put the low end at Wilson's 0.963, under C's 0.97
    log = SMALL_LOG.replace(
        "      - metric: suite.abstraction.pass@1{level>=4}\n"
        "        thresholds: {A: 0.8, B: 0.6, C: 0.4, D: 0.2}\n",
        "      - metric: suite.humaneval.pass@1\n"
        "        likelier_when: lower\n"
        "        thresholds: {A: 0.1, B: 0.5, C: 0.97}\n",
    )
    run = add_run(store, humaneval_tasks(0.0, n_tasks=20, per_task=5))
    ev = _hazard(_assess(store, [run], log), "H-CAP").evidence[0]
    assert ev.value == 1.0 and ev.interval is not None and ev.interval.low < 0.97
    assert ev.outcome.compared == "low" and ev.outcome.level == "C"


def test_rationale_is_carried_into_the_report(store: Store) -> None:
    log = SMALL_LOG.replace(
        "    title: Energy use\n", "    title: Energy use\n    rationale: Every request costs.\n"
    )
    a = _assess(store, [add_run(store, humaneval_tasks(0.1))], log)
    assert _hazard(a, "H-ENV").rationale == "Every request costs."
    assert "- Rationale: Every request costs." in assessment_markdown(a)
