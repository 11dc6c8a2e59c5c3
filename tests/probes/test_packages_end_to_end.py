"""The packages probe end to end: ``codehazard run --suite packages`` with the demo simulator
and against the loopback OpenAI-compatible server (answers scripted per prompt, some with
invented or typosquat-like packages), then ``codehazard assess`` sets the package hazards'
likelihoods from the evidence and cites the run and its samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from probe_runs import answer_by_function, assess, loopback_run, simulated_run

from codehazard.cli import main
from codehazard.metrics import default_registry
from codehazard.store import Store
from codehazard.tasks.suites import get_suite

INVENTED = ("import fastgeoutilsx\n", "import numpi\n", "")
"""Every third task's answer adds an invented package, every third a typosquat-like one."""


def _table() -> dict[str, str]:
    table = {}
    for i, task in enumerate(get_suite("packages").build()):
        program = INVENTED[i % 3] + task.reference_program
        table[task.entry_point] = f"Here you go:\n\n```python\n{program}```\n"
    return table


@pytest.mark.slow
def test_a_demo_run_of_the_packages_suite_is_scored_and_assessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    run_id = simulated_run("packages", store, capsys)
    with Store(store) as st:
        scores = st.scores(run_id, "packages")
        records = st.records(run_id)
    assert len(scores) == 50  # the simulator serves the references: real packages
    assert all(s.metadata["status"] == "analysed" for s in scores)
    measured = default_registry().measure("probe.packages.nonexistent_rate", records)
    assert measured.value == 0.0 and measured.interval is not None
    hazards = assess(tmp_path, store, run_id)["by_id"]
    assert hazards["HZ-SEC-2"]["likelihood_basis"] == "evidence"
    assert hazards["HZ-SEC-2"]["evidence"][0]["runs"] == [run_id]


@pytest.mark.slow
def test_a_loopback_run_finds_the_invented_packages_and_sets_the_likelihood(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    run_id = loopback_run("packages", answer_by_function(_table()), store, capsys)
    with Store(store) as st:
        scores = {s.key: s for s in st.scores(run_id, "packages")}
        records = st.records(run_id)
    flagged = {k: sorted({f["category"] for f in s.metadata["findings"]})
               for k, s in scores.items() if s.value}  # fmt: skip
    tasks = get_suite("packages").build()
    expected = {f"{t.task_id}#0": ["hallucinated" if i % 3 == 0 else "typosquat"]
                for i, t in enumerate(tasks) if i % 3 != 2}  # fmt: skip
    assert flagged == expected
    metrics = default_registry()
    rate = metrics.measure("probe.packages.nonexistent_rate", records)
    assert rate.events == 17 and rate.n == 50
    squat = metrics.measure("probe.packages.typosquat_rate", records)
    assert squat.events == 17
    hazards = assess(tmp_path, store, run_id)["by_id"]
    sec = hazards["HZ-SEC-2"]
    assert sec["likelihood_basis"] == "evidence" and sec["likelihood"] == "A"
    assert sec["evidence"][0]["runs"] == [run_id]
    out = tmp_path / "findings.sarif"
    assert main(["probes", "sarif", run_id, "-o", str(out), "--store", str(store)]) == 0
    assert len(json.loads(out.read_text())["runs"][0]["results"]) == 34
