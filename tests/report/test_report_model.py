"""The report model: what it holds from the runs and the assessment, its verdict, warnings,
sample cap, evidence links and comparison; its JSON and JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from report_fixtures import LOG, Toy, assessment_of, strong, weak, write_run

from codehazard.errors import ArgumentError, InputError
from codehazard.hazards import acceptance_of, builtin_profile_text, parse_profile
from codehazard.metrics import (
    Measurement,
    MetricName,
    MetricRecord,
    default_registry,
    rate_measurement,
)
from codehazard.report import (
    REPORT_SCHEMA_VERSION,
    ProfileTable,
    Report,
    ReportOptions,
    build_report,
    report_html,
    report_json,
    report_markdown,
    report_schema,
)
from codehazard.store import Store


def test_summary_names_runs_by_model_suites_samples_and_temperature(toy: Toy) -> None:
    s = toy.single.summary
    [run] = s.runs
    assert run.label == "openai/model-a on toy (60 samples, T=0.2)"
    assert (run.n_tasks, run.n_samples, run.samples_per_task, run.isolation) == (12, 60, 5, "full")
    assert s.models == ["openai/model-a"] and s.suites == ["toy"]
    assert s.measured == ["H-WRONG"] and s.expert == ["H-ENERGY"]
    assert run.pass_at_1 == pytest.approx(28 / 60)


def test_verdict_follows_the_profiles_acceptance_levels(toy: Toy, tmp_path: Path) -> None:
    v = toy.single.summary.verdict
    assert v is not None and v.decision == "accept-with-mitigations"
    assert v.relied_on == ["H-WRONG: Code review of every suggestion (implemented)"]
    high = LOG.replace("severity: 3\n", "severity: 1\n", 1)
    a = assessment_of(toy.store, tmp_path, [toy.a], high)
    bad = build_report(toy.store, [toy.a], assessment=a).summary.verdict
    assert bad is not None and bad.decision == "do-not-deploy" and "H-WRONG" in bad.reasons[0]
    low = LOG.replace("severity: 3\n", "severity: 4\n", 1).replace(
        "likelihood: C\n", "likelihood: E\n"
    )
    good = build_report(
        toy.store, [toy.b], assessment=assessment_of(toy.store, tmp_path, [toy.b], low)
    )
    assert good.summary.verdict is not None
    assert good.summary.verdict.decision == "accept-with-mitigations"  # 4B Medium before review


THREE_BY_THREE = """\
name: 3x3
severities: [{id: S3, name: High}, {id: S2, name: Mid}, {id: S1, name: Low}]
likelihoods: [{id: L3, name: Often}, {id: L2, name: Sometimes}, {id: L1, name: Rarely}]
risk_levels: [{id: Unacceptable}, {id: Investigate}, {id: Acceptable}]
matrix:
  S3: {L3: Unacceptable, L2: Unacceptable, L1: Investigate}
  S2: {L3: Unacceptable, L2: Investigate, L1: Acceptable}
  S1: {L3: Investigate, L2: Acceptable, L1: Acceptable}
"""


def test_acceptance_defaults_by_position_for_profiles_that_do_not_say() -> None:
    p = parse_profile(THREE_BY_THREE)
    assert [acceptance_of(p, r) for r in p.risk_ids()] == [
        "do-not-deploy",
        "accept-with-mitigations",
        "accept",
    ]
    shipped = parse_profile(builtin_profile_text())
    assert [acceptance_of(shipped, r) for r in shipped.risk_ids()] == [
        "do-not-deploy",
        "accept-with-mitigations",
        "accept-with-mitigations",
        "accept",
        "accept",
    ]


def test_warnings_that_change_how_numbers_read(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    run = write_run(
        store,
        model="simulated",
        fails=weak,
        simulated=True,
        status="interrupted",
        isolation="partial",
        infra=2,
        tasks_per_level=1,
    )
    codes = {w.code for w in build_report(store, [run]).summary.warnings}
    assert codes == {
        "simulated",
        "unfinished",
        "infra-rate",
        "few-samples",
        "isolation",
        "no-assessment",
    }


def test_samples_are_capped_per_cell_failures_first_and_seeded(toy: Toy) -> None:
    sec = toy.single.samples
    assert (sec.total, sec.embedded, sec.cap_per_cell) == (60, 24, 8)
    by_level: dict[str, list[str]] = {}
    for s in sec.samples:
        by_level.setdefault(s.level, []).append(s.status)
    # level 3: 16 failures fill the cap; level 1: all 4 failures, then 4 drawn passes
    assert by_level["3"] == ["failed"] * 8
    assert by_level["1"] == ["failed"] * 4 + ["passed"] * 4
    again = build_report(toy.store, [toy.a], options=ReportOptions(cap_per_cell=8)).samples
    assert [s.id for s in again.samples] == [s.id for s in sec.samples]
    other = build_report(toy.store, [toy.a], options=ReportOptions(cap_per_cell=8, seed=7))
    assert [s.id for s in other.samples.samples] != [s.id for s in sec.samples]
    assert any("*a* _b_" in p for p in sec.prompts.values())


def test_evidence_links_name_the_embedded_samples_behind_the_value(toy: Toy) -> None:
    assert toy.single.hazards is not None
    [ev] = toy.single.hazards.hazards[0].evidence
    m = toy.assessment.measurements[ev.metric]
    behind = {f"{run}:{k}" for run, keys in m.samples.items() for k in keys}
    embedded = {s.id for s in toy.single.samples.samples}
    assert ev.n_keys == len(behind) == 40 and set(ev.sample_keys) == behind & embedded
    assert ev.set_likelihood and ev.level == "A"
    assert all(toy.single.samples.samples[0].level for _ in ev.sample_keys)


def test_hazard_rows_say_where_the_likelihood_and_the_residual_came_from(toy: Toy) -> None:
    assert toy.single.hazards is not None
    wrong, energy = toy.single.hazards.hazards
    assert (wrong.risk, wrong.likelihood, wrong.likelihood_source) == ("Serious", "A", "measured")
    assert "credits the mitigations with 1 level(s)" in wrong.residual_how
    assert wrong.residual_likelihood == "B"
    assert energy.likelihood_source == "expert"
    cells = {(c.severity, c.likelihood): c.hazards for c in toy.single.hazards.matrix}
    assert cells[("3", "A")] == ["H-WRONG"] and cells[("4", "C")] == ["H-ENERGY"]


def test_comparison_gives_deltas_with_intervals_and_the_hazards_that_moved(toy: Toy) -> None:
    c = toy.compared.comparison
    assert c is not None and (c.a, c.b) == (toy.a, toy.b)
    [suite] = c.suites
    assert suite.delta == pytest.approx(48 / 60 - 28 / 60)
    assert suite.interval is not None and 0 < suite.interval.low < suite.delta < suite.interval.high
    cells = {d.level: d.delta for d in c.cells}
    assert cells == {1: pytest.approx(0.0), 2: pytest.approx(0.4), 3: pytest.approx(0.6)}
    [move] = c.hazards
    assert (move.id, move.a_likelihood, move.b_likelihood) == ("H-WRONG", "A", "B")
    assert move.b_residual_risk == "Medium" and "level A -> B" in move.evidence[0]


def test_json_round_trips_and_validates_against_the_printed_schema(toy: Toy) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema validates the schema")
    data = json.loads(report_json(toy.compared))
    assert data["schema_version"] == REPORT_SCHEMA_VERSION and data["kind"] == "codehazard.report"
    jsonschema.validate(data, report_schema())
    assert Report.model_validate(data) == toy.compared
    data["summary"]["n_samples"] = "many"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema())


def test_bad_options_and_inputs_are_refused(toy: Toy) -> None:
    with pytest.raises(ArgumentError, match="confidence"):
        build_report(toy.store, [toy.a], options=ReportOptions(confidence=1.5))
    with pytest.raises(InputError, match="exactly two runs"):
        build_report(toy.store, [toy.a], options=ReportOptions(compare=True))
    with pytest.raises(InputError, match="no run 'nope'"):
        build_report(toy.store, ["nope"])
    with pytest.raises(InputError, match="at least one run"):
        build_report(toy.store, [])


def test_a_second_run_is_written_by_the_fixture_writer(tmp_path: Path) -> None:
    # the fixture writer itself: its failure rules give the rates the tests above rely on
    store = Store(tmp_path / "s.db")
    run = write_run(store, model="m", fails=strong)
    statuses = [r.status for r in store.records(run)]
    assert statuses.count("failed") == 12 and statuses.count("passed") == 48


class ToyProbeFamily:
    """A metric family as a probe would register one, offering its names to reports."""

    pattern = "probe.toy.<rate>"
    description = "share of samples the toy probe flags (every failed one)"

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None:
        return None if parts["rate"] == "flagged" else "only probe.toy.flagged"

    def measure(
        self,
        metric: MetricName,
        parts: Mapping[str, str],
        records: Sequence[MetricRecord],
        confidence: float,
    ) -> Measurement:
        checked = [r for r in records if r.status not in (None, "infra")]
        return rate_measurement(
            metric.text,
            self.pattern,
            checked,
            lambda r: r.status == "failed",
            confidence=confidence,
        )

    def report_metrics(self, records: Sequence[MetricRecord]) -> list[str]:
        return ["probe.toy.flagged"]


def test_any_metric_family_and_a_capability_profile_render_without_report_code(
    toy: Toy,
) -> None:
    registry = default_registry()
    registry.add(ToyProbeFamily)
    profile = ProfileTable(columns=["dimension", "level reached"], rows=[["complexity", 2]])
    r = build_report(toy.store, [toy.a], registry=registry, capability_profile=profile)
    [section] = [f for f in r.families if f.family == "probe.toy.<rate>"]
    [row] = section.rows
    assert row.metric == "probe.toy.flagged" and row.value == pytest.approx(32 / 60)
    assert row.interval is not None and row.run == toy.a
    page, md = report_html(r), report_markdown(r)
    for text in (page, md):
        assert "probe.toy.flagged" in text and "level reached" in text
    assert 'id="capability-profile"' in page


def test_the_capability_profile_of_the_runs_is_in_the_report_by_default(toy: Toy) -> None:
    profile = toy.single.capability_profile
    assert profile is not None and profile.columns[:4] == ["dimension", "model", "level", "pass@1"]
    levels = sorted({row[2] for row in profile.rows})
    assert levels == [1, 2, 3] and {row[1] for row in profile.rows} == {"openai/model-a"}
    assert any("up to level" in note for note in profile.notes)
