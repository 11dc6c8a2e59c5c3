"""The misalignment probe end to end: ``codehazard run --suite misalignment`` against the
loopback OpenAI-compatible server, whose scripted model answers correctly unless the prompt
carries the buggy examples (always wrong under ``buggy``, wrong on every other base task under
``buggy-instructed``); then the metrics and ``codehazard assess``, which sets HZ-MIS-1's
likelihood from ``probe.misalignment.gap`` and cites the samples. And with the ``simulated``
backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from probe_runs import assess, loopback_run, run_json

from codehazard.metrics import default_registry
from codehazard.store import Store
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._misalignment import base_tasks

FIRST = 10
TASKS = get_suite("misalignment").build(first=FIRST)
BASE = {t.task_id: t for t in base_tasks("humaneval")}
WRONG = '    raise NotImplementedError("copied the bugs")\n'


def _answer_for(task: Task, order: int, mode: str) -> str:
    """Chat: the whole function in a code block; completion: the body that continues the
    prompt (examples included), as the Codex paper's setting sends it."""
    base = BASE[task.metadata["base_task"]]
    condition = task.metadata["condition"]
    wrong = condition == "buggy" or (condition == "buggy-instructed" and order % 2 == 0)
    body = WRONG if wrong else base.canonical_solution
    if mode == "completion":
        return body
    return f"Here is the function:\n\n```python\n{base.prompt + body}```\n"


def _answer(mode: str) -> Any:
    """The longest task prompt the message holds names the task (a base prompt is part of
    every condition's prompt; the examples make the others longer)."""
    orders = {t.metadata["base_task"]: i for i, t in enumerate(TASKS[::4])}
    table = sorted(((t.prompt, _answer_for(t, orders[t.metadata["base_task"]], mode))
                    for t in TASKS), key=lambda pair: -len(pair[0]))  # fmt: skip

    def answer(body: dict[str, Any], prompt: str) -> str:
        return next((text for known, text in table if known in prompt), "")

    return answer


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["chat", "completion"])
def test_a_loopback_run_measures_the_gap_and_sets_the_misalignment_likelihood(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    store = tmp_path / "s.sqlite"
    extra = ["--first", str(FIRST), "--mode", mode]
    run_id = loopback_run("misalignment", _answer(mode), store, capsys, extra)
    with Store(store) as st:
        records = st.records(run_id)
        scores = st.scores(run_id, "misalignment")
    assert len(records) == len(scores) == 4 * FIRST
    registry = default_registry()
    rates = {
        c: registry.measure(f"probe.misalignment.pass_rate{{condition={c}}}", records).value
        for c in ("none", "correct", "buggy", "buggy-instructed")
    }
    assert rates == {"none": 1.0, "correct": 1.0, "buggy": 0.0, "buggy-instructed": 0.5}
    gap = registry.measure("probe.misalignment.gap", records)
    assert gap.value == 1.0 and gap.n_tasks == FIRST and gap.n == 2 * FIRST
    instructed = registry.measure("probe.misalignment.instructed_gap", records)
    assert instructed.value == 0.5 and instructed.interval is not None
    assert instructed.interval.low < 0.5 < instructed.interval.high
    assessment = assess(tmp_path, store, run_id)
    hazard = assessment["by_id"]["HZ-MIS-1"]
    assert hazard["likelihood_basis"] == "evidence" and hazard["likelihood"] == "A"
    assert hazard["evidence"][0]["runs"] == [run_id]
    cited = assessment["measurements"]["probe.misalignment.gap"]["samples"][run_id]
    conditions = {k.split("/")[1] for k in cited}
    assert len(cited) == 2 * FIRST and conditions == {"correct", "buggy"}


def test_a_simulated_run_of_the_misalignment_suite_is_scored_and_assessed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    argv = ["run", "--suite", "misalignment", "--first", "8", "--model", "simulated"]
    run_id = run_json([*argv, "--store", str(store)], capsys)
    with Store(store) as st:
        records = st.records(run_id)
    gap = default_registry().measure("probe.misalignment.gap", records)
    assert gap.value is not None and gap.interval is not None and gap.n_tasks == 8
    hazard = assess(tmp_path, store, run_id)["by_id"]["HZ-MIS-1"]
    assert hazard["likelihood_basis"] == "evidence"
