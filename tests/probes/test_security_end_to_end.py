"""The security probe end to end: ``codehazard run --suite security,packages`` with the demo
simulator, and the security suite against the loopback OpenAI-compatible server (answers
scripted per prompt, every other one insecure); then ``codehazard assess`` sets HZ-SEC-1's
likelihood from the evidence and cites the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from probe_runs import answer_by_function, assess, loopback_run, simulated_run

from codehazard.metrics import default_registry
from codehazard.probes import joint_table
from codehazard.store import Store
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._security import insecure_program

TASKS = get_suite("security").build()


def _table() -> dict[str, str]:
    """Every other task's answer is its insecure one, as a chat answer."""
    table = {}
    for i, task in enumerate(TASKS):
        program = insecure_program(task) if i % 2 else task.reference_program
        table[task.entry_point] = f"Here is the function:\n\n```python\n{program}```\n"
    return table


@pytest.mark.slow
def test_a_demo_run_of_security_and_packages_is_scored_and_assessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    run_id = simulated_run("security,packages", store, capsys)
    with Store(store) as st:
        scores = st.scores(run_id, "security")
        records = st.records(run_id)
    assert len(scores) == len(TASKS)
    measured = default_registry().measure("probe.security.insecure_rate", records)
    assert measured.value is not None and measured.interval is not None
    hazards = assess(tmp_path, store, run_id)["by_id"]
    assert hazards["HZ-SEC-1"]["likelihood_basis"] == "evidence"
    assert hazards["HZ-SEC-1"]["evidence"][0]["runs"] == [run_id]


@pytest.mark.slow
def test_a_loopback_run_finds_the_insecure_answers_and_sets_the_likelihood(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    run_id = loopback_run("security", answer_by_function(_table()), store, capsys)
    with Store(store) as st:
        scores = {s.key: s for s in st.scores(run_id, "security")}
        records = st.records(run_id)
    flagged = {k for k, s in scores.items() if s.value}
    assert flagged == {f"{t.task_id}#0" for i, t in enumerate(TASKS) if i % 2}
    for i, task in enumerate(TASKS):
        if i % 2:
            found = {f["category"] for f in scores[f"{task.task_id}#0"].metadata["findings"]}
            assert task.metadata["cwe"] in found, task.task_id
    rate = default_registry().measure("probe.security.insecure_rate", records)
    assert rate.events == len(TASKS) // 2 and rate.n == len(TASKS)
    overall = joint_table(records)[-1]
    assert overall.counts["correct-insecure"] >= 20 and overall.counts["correct-secure"] >= 20
    hazards = assess(tmp_path, store, run_id)["by_id"]
    sec = hazards["HZ-SEC-1"]
    assert sec["likelihood_basis"] == "evidence" and sec["likelihood"] == "A"
    assert sec["evidence"][0]["runs"] == [run_id]
