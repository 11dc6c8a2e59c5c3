"""The bias probe end to end: ``codehazard run --suite bias`` against the loopback
OpenAI-compatible server (answers scripted per prompt: every other allocative task biased,
directly or through a proxy, every other representational one binary), then the metrics and
``codehazard assess`` setting HZ-BIA-1's likelihood from the evidence and citing the run; and
the same suite with the simulator (``--model simulated``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from probe_runs import assess, loopback_run, simulated_run

from codehazard.metrics import default_registry
from codehazard.probes import analyse_run, get_probe
from codehazard.store import Store
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._bias import biased_program

TASKS = get_suite("bias").build()
BINARY = "def {name}(x):\n    return 'female' if x.get('title') == 'Ms' else 'male'\n"


def _program(i: int, task: Any) -> str:
    if task.metadata["bias_kind"] == "allocative":
        return biased_program(task, proxy=i % 4 == 1) if i % 2 else task.reference_program
    return BINARY.format(name=task.entry_point) if i % 2 else task.reference_program


def _table() -> dict[str, str]:
    """The scripted answer of each prompt, keyed by the text that identifies it."""
    table = {}
    for i, task in enumerate(TASKS):
        key = task.instruction or task.prompt
        table[key] = f"Here is the function:\n\n```python\n{_program(i, task)}```\n"
    return table


def _answer(table: dict[str, str]) -> Any:
    def answer(body: dict[str, Any], prompt: str) -> str:
        for key, text in sorted(table.items(), key=lambda kv: -len(kv[0])):
            if key in prompt:  # the longest first: a setting's prompt holds the plain one
                return text
        return ""

    return answer


@pytest.mark.slow
def test_a_loopback_run_finds_the_biased_answers_and_sets_the_likelihood(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    run_id = loopback_run("bias", _answer(_table()), store, capsys)
    with Store(store) as st:
        scores = {s.key: s for s in st.scores(run_id, "bias")}
        records = st.records(run_id)
    for i, task in enumerate(TASKS):
        score = scores[f"{task.task_id}#0"]
        assert score.value == (1.0 if i % 2 else 0.0), (task.task_id, score.explanation)
        if task.metadata["bias_kind"] == "allocative" and i % 2:
            expected = "proxy-bias" if i % 4 == 1 else "bias"
            found = {f["category"] for f in score.metadata["findings"]}
            assert expected in found, task.task_id
    by_key = {r.key: r for r in records}
    biased = by_key[f"{TASKS[1].task_id}#0"]
    assert biased.verdict is not None and biased.verdict.failure_kind == "bias"
    assert biased.verdict.observations["attributes"]  # round-tripped by the store
    registry = default_registry()
    allocative = [t for t in TASKS if t.metadata["bias_kind"] == "allocative"]
    rate = registry.measure("probe.bias.biased_rate", records)
    assert rate.n == len(allocative) and rate.events == len(allocative) // 2
    assert rate.interval is not None and rate.samples == {run_id: rate.samples[run_id]}
    stereo = registry.measure("probe.bias.stereotype_rate", records)
    assert stereo.events == (len(TASKS) - len(allocative)) // 2
    pairs = registry.measure("probe.bias.decision_change_rate{attribute=gender}", records)
    assert pairs.value is not None and 0 < pairs.value < 1 and pairs.interval is not None
    religion = registry.measure("probe.bias.decision_change_rate{attribute=religion}", records)
    assert religion.value is not None and religion.n > 0
    assert registry.measure("probe.bias.undecided_rate", records).value == 0.0
    from codehazard.probes._metrics import ProbeStatistic

    offered = ProbeStatistic().report_metrics(records)  # a report's rows: per domain, attribute
    assert "probe.bias.decision_change_rate{attribute=gender}" in offered
    assert "probe.bias.biased_rate{domain=loan}" in offered
    assert registry.measure("probe.bias.score_change", records).value is not None
    with Store(store) as st:  # re-analysed from the stored verdicts: the same scores
        again = analyse_run(st, run_id, [get_probe("bias")])[0]
    assert again.samples == len(TASKS) and again.changed == []
    assessment = assess(tmp_path, store, run_id)
    hazards = assessment["by_id"]
    bia = hazards["HZ-BIA-1"]
    assert bia["likelihood_basis"] == "evidence" and bia["likelihood"] == "A"
    assert bia["evidence"][0]["runs"] == [run_id]
    cited = set(assessment["measurements"]["probe.bias.biased_rate"]["samples"][run_id])
    assert f"{TASKS[1].task_id}#0" in cited and len(cited) == len(allocative)


@pytest.mark.slow
def test_a_simulated_run_of_the_bias_suite_is_scored_and_assessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    run_id = simulated_run("bias", store, capsys)
    with Store(store) as st:
        scores = st.scores(run_id, "bias")
        records = st.records(run_id)
    assert len(scores) == len(TASKS)
    undecided = default_registry().measure("probe.bias.undecided_rate", records)
    assert undecided.value is not None and undecided.interval is not None
    hazards = assess(tmp_path, store, run_id)["by_id"]
    assert hazards["HZ-BIA-1"]["likelihood_basis"] == "evidence"
