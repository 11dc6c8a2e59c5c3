"""``evaluate`` at a few thousand samples, end to end: the samples file is spooled, the results
file written a page at a time and the summary computed from counts; each must still say
exactly what every sample's verdict says, line by line, in the file's order."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from codehazard.runs import evaluate
from codehazard.store import Store
from codehazard.tasks import load_tasks

pytestmark = pytest.mark.slow

N = 1500
WRONG = {
    "toy/add": "    return a - b\n",
    "toy/pair": "    return (\n",
    "toy/sorted": "    return xs\n",
}
WRONG_STATUS = {"toy/add": "failed", "toy/pair": "syntax", "toy/sorted": "failed"}


def test_results_file_and_summary_at_a_few_thousand(toy_tasks_path: Path, tmp_path: Path) -> None:
    rng = random.Random(3)
    tasks = load_tasks(toy_tasks_path)
    ids = sorted(tasks)
    lines, expected = [], []
    for i in range(N):
        tid = rng.choice(ids)
        wrong = rng.random() < (ids.index(tid) + 1) / 5  # each task its own pass rate
        completion = WRONG[tid] if wrong else tasks[tid].canonical_solution
        lines.append({"task_id": tid, "completion": completion, "line": i})
        expected.append(WRONG_STATUS[tid] if wrong else "passed")
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with Store(tmp_path / "st.sqlite") as store:
        run = evaluate(samples, toy_tasks_path, store=store, ks=(1, 10), workers=2)
        records = {r.key: r for r in store.records(run.run_id)}
    assert run.status == "complete" and run.results_path is not None
    results = [json.loads(line) for line in run.results_path.read_text().splitlines()]
    assert [r["line"] for r in results] == list(range(N))  # every line once, in file order
    assert [r["status"] for r in results] == expected
    assert [r["passed"] for r in results] == [s == "passed" for s in expected]
    summary = run.summary
    assert summary.n_samples == N and summary.n_tasks == len(ids)
    assert summary.status_counts == {s: expected.count(s) for s in set(expected)}
    per_task: dict[str, list[bool]] = {}
    for line, status in zip(lines, expected, strict=True):
        per_task.setdefault(line["task_id"], []).append(status == "passed")
    pass1 = sum(sum(v) / len(v) for v in per_task.values()) / len(per_task)
    assert summary.pass_at_k["1"] == pytest.approx(pass1, abs=1e-12)
    assert len(records) == N and all(r.verdict is not None for r in records.values())
