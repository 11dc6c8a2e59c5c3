"""Per-sample scores: scorers registered by name, committed beside the verdict, measured."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from codehazard.cli import main
from codehazard.errors import UnknownNameError
from codehazard.metrics import default_registry, parse_metric
from codehazard.runs import evaluate, load_run, scorers
from codehazard.samples import Sample
from codehazard.store import Score, Store
from codehazard.tasks import Task
from codehazard.verdict import Verdict


class LoopsScorer:
    """A real (if tiny) static probe: does the program contain a loop?"""

    name = "has-loop"

    def score(self, task: Task, sample: Sample, verdict: Verdict) -> Score | None:
        found = "for " in sample.program or "while " in sample.program
        return Score(
            key=sample.key,
            scorer=self.name,
            value=float(found),
            explanation="a loop" if found else "no loop",
            metadata={"verdict": verdict.status},
        )


class BrokenScorer:
    name = "broken"

    def score(self, task: Task, sample: Sample, verdict: Verdict) -> Score | None:
        raise RuntimeError("probe bug")


@pytest.fixture
def registered() -> Iterator[None]:
    scorers.register("has-loop", LoopsScorer)
    scorers.register("broken", BrokenScorer)
    yield
    scorers.unregister("has-loop")
    scorers.unregister("broken")


def _samples(path: Path) -> None:
    bodies = [
        "    return a + b\n",
        "    total = a\n    for _ in range(b):\n        total += 1\n    return total\n",
        "    return a - b\n",
    ]
    path.write_text(
        "".join(json.dumps({"task_id": "toy/add", "completion": b}) + "\n" for b in bodies)
    )


def test_scores_are_committed_beside_the_verdict(
    toy_tasks_path: Path, tmp_path: Path, registered: None
) -> None:
    samples = tmp_path / "s.jsonl"
    _samples(samples)
    with Store(tmp_path / "st.sqlite") as store:
        result = evaluate(
            samples, toy_tasks_path, store=store, workers=1, scorers=["has-loop", "broken"]
        )
        assert load_run(store, result.run_id).manifest.config.scorers == ("has-loop", "broken")
        by_scorer: dict[str, list[Score]] = {}
        for score in store.scores(result.run_id):
            by_scorer.setdefault(score.scorer, []).append(score)
        # the sandbox is the first scorer, derived from the verdicts (one source of truth)
        assert [s.value for s in by_scorer["sandbox"]] == [1.0, 1.0, 0.0]
        assert by_scorer["sandbox"][2].explanation.startswith("failed")
        loops = {s.key: s for s in by_scorer["has-loop"]}
        assert loops["toy/add#1"].value == 1.0 and loops["toy/add#0"].value == 0.0
        assert loops["toy/add#2"].metadata == {"verdict": "failed"}
        assert all(s.value is None and "probe bug" in s.explanation for s in by_scorer["broken"])
        records = store.records(result.run_id)
        assert [r.scores["has-loop"] for r in records] == [0.0, 1.0, 0.0]
        # metrics select on scores as on verdicts
        registry = default_registry()
        assert registry.resolve(parse_metric("suite.toy.score.has-loop")).family.pattern == (
            "suite.<suite>.score.<scorer>"
        )
        measured = registry.measure("suite.toy.score.has-loop", records)
        assert measured.value == pytest.approx(1 / 3) and measured.n == 3
        assert registry.measure("suite.toy.score.sandbox", records).value == pytest.approx(2 / 3)
        with pytest.raises(UnknownNameError, match="unknown scorer 'nosuch'"):
            evaluate(samples, toy_tasks_path, store=store, workers=1, scorers=["nosuch"])


def test_the_sandbox_scores_are_not_stored_twice(tmp_path: Path, registered: None) -> None:
    from codehazard.errors import StoreError

    with Store(tmp_path / "st.sqlite") as store:
        run = store.create_run("evaluate", {})
        with pytest.raises(StoreError, match="record a verdict"):
            store.record_score(run, Score(key="k", scorer="sandbox", value=1.0))


def test_cli_scorer_option_and_export(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], registered: None
) -> None:
    samples = tmp_path / "s.jsonl"
    _samples(samples)
    store = str(tmp_path / "st.sqlite")
    argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--workers", "1"]
    assert main([*argv, "--store", store, "--scorer", "has-loop", "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["runs", "export", run_id[:12], "--store", store]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["scores"] for x in lines] == [
        {"sandbox": 1.0, "has-loop": 0.0},
        {"sandbox": 1.0, "has-loop": 1.0},
        {"sandbox": 0.0, "has-loop": 0.0},
    ]


class CountingLoops(LoopsScorer):
    """``has-loop`` that counts its calls, by sample key."""

    name = "counting-loops"
    calls: ClassVar[list[str]] = []

    def score(self, task: Task, sample: Sample, verdict: Verdict) -> Score | None:
        CountingLoops.calls.append(sample.key)
        return super().score(task, sample, verdict)


def test_scorers_given_on_resume_score_the_samples_judged_before(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scorers.register("counting-loops", CountingLoops)
    CountingLoops.calls = []
    samples = tmp_path / "s.jsonl"
    _samples(samples)
    path = tmp_path / "st.sqlite"

    def stop_after_two(state: object) -> None:
        if getattr(state, "done", 0) == 2:
            raise KeyboardInterrupt

    try:
        with Store(path) as store, pytest.raises(KeyboardInterrupt):
            evaluate(samples, toy_tasks_path, store=store, workers=1, progress=stop_after_two)
        with Store(path) as store:
            [run_id] = [r.id for r in store.list_runs()]
            assert store.scores(run_id, "counting-loops") == []
        argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--store", str(path)]
        assert main([*argv, "--workers", "1", "--resume", "--scorer", "counting-loops"]) == 0
        keys = ["toy/add#0", "toy/add#1", "toy/add#2"]
        assert sorted(CountingLoops.calls) == keys, "each sample scored once"
        with Store(path) as store:
            assert [s.value for s in store.scores(run_id, "counting-loops")] == [0.0, 1.0, 0.0]
            assert load_run(store, run_id).manifest.config.scorers == ("counting-loops",)
            # a kill between a verdict and its score leaves the score missing: resume fills it
            store.connection.execute("DELETE FROM scores WHERE key = 'toy/add#1'")
        CountingLoops.calls = []
        assert main([*argv, "--resume", run_id]) == 0  # the run's own scorers, recorded
        assert CountingLoops.calls == ["toy/add#1"]
        assert main([*argv, "--resume", run_id]) == 0
        assert CountingLoops.calls == ["toy/add#1"], "nothing scored twice"
        with Store(path) as store:
            assert [s.value for s in store.scores(run_id, "counting-loops")] == [0.0, 1.0, 0.0]
    finally:
        scorers.unregister("counting-loops")
