"""The summary is computed from counts (one query), not from a list of every record: at a few
thousand samples it must say exactly what scoring every record says."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from codehazard.evaluation import summarize
from codehazard.samples import Sample
from codehazard.scoring import breakdown, score
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict

TASKS = 40
N = 4000


def _task(i: int) -> Task:
    return Task(
        task_id=f"t/{i}",
        prompt="def f():\n",
        entry_point="f",
        checker=TestChecker(test="def check(c): pass"),
        metadata={"level": i % 5, **({"domain": "a" if i % 2 else "b"} if i % 3 else {})},
    )


@pytest.fixture
def run(tmp_path: Path) -> tuple[Store, str]:
    rng = random.Random(7)
    store = Store(tmp_path / "s.sqlite")
    run_id = store.create_run("evaluate", {"isolation": {"level": "full"}})
    store.add_tasks(run_id, [_task(i) for i in range(TASKS + 2)])  # two without samples
    seen = [0] * TASKS
    with store.batched():
        for _ in range(N):
            t = rng.randrange(TASKS)
            sample = Sample(f"t/{t}#{seen[t]}", f"t/{t}", seen[t], {}, "")
            seen[t] += 1
            store.add_samples(run_id, [sample])
            # each task its own pass rate; some infra and some not judged yet
            roll = rng.random()
            if roll < 0.03:
                continue
            status = "infra" if roll < 0.05 else "passed" if roll < (t + 1) / TASKS else "failed"
            store.record_verdict(run_id, sample.key, Verdict(status=status))
    return store, run_id


def _bounds(interval: dict[str, float] | None) -> tuple[float, float] | None:
    return None if interval is None else (interval["low"], interval["high"])


def test_summary_is_what_scoring_every_record_says(run: tuple[Store, str]) -> None:
    store, run_id = run
    records = store.records(run_id)
    ks = (1, 10, 100)
    summary = summarize(store, run_id, ks, ("level", "domain"))
    expected = score(records, ks)
    assert summary["n_samples"] == len(records) == N
    assert summary["n_tasks"] == TASKS
    assert summary["pass_at_k"] == {str(k): v for k, v in expected.defined_pass_at_k().items()}
    assert summary["pass_at_k_undefined"] == [k for k, v in expected.pass_at_k.items() if v is None]
    assert summary["pass_at_k_tasks"] == expected.n_tasks
    assert expected.pass1_interval is not None
    assert _bounds(summary["pass_at_1_interval"]) == _bounds(expected.pass1_interval.as_dict())
    assert summary["pending"] == sum(1 for r in records if r.verdict is None) > 0
    infra = sum(1 for r in records if r.status == "infra")
    assert infra > 0 and summary["infra_rate"] == infra / N
    assert summary["tasks_without_samples"] == [f"t/{TASKS}", f"t/{TASKS + 1}"]
    for key in ("level", "domain"):
        groups = breakdown(records, key)
        got = summary["breakdown"][key]
        assert set(got) == {str(v) for v in groups}
        for value, scores in groups.items():
            row = got[str(value)]
            assert row["n_samples"] == scores.n_samples and row["n_tasks"] == scores.n_tasks
            assert row["pass@1"] == scores.pass_at_k[1]
            iv = scores.pass1_interval
            assert _bounds(row["interval"]) == _bounds(None if iv is None else iv.as_dict())
