"""The probe machinery on a small real probe: registration, the scorer a run attaches by
itself, findings stored as Score metadata, and the ``probe.<name>.<statistic>`` metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from codehazard.errors import RegistrationTypeError
from codehazard.metrics import MetricNameError, default_registry
from codehazard.probes import (
    Analysis,
    Finding,
    Probe,
    ProbeMetric,
    flagged,
    get_probe,
    probe_registry,
    probe_scorer_names,
)
from codehazard.runs import evaluate, load_run
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker


class EvalFinder:
    """Flags every line that calls ``eval``; no code at all is ``no-code``."""

    name = "eval-finder"

    def analyse(self, text: str, *, context: Mapping[str, Any] | None = None) -> Analysis:
        if "def " not in text and "return" not in text:
            return Analysis(status="no-code")
        found = [
            Finding(analyser=self.name, rule="EV1", category="CWE-95", message="eval", line=i)
            for i, line in enumerate(text.splitlines(), 1)
            if "eval(" in line
        ]
        return Analysis(status="analysed", findings=tuple(found))


TOY = Probe(
    name="evals",
    description="calls of eval",
    suite="toy",
    analyser=EvalFinder,
    categories=("CWE-95",),
    metrics=(ProbeMetric("eval_rate", "share of analysed samples calling eval", event=flagged()),),
)


@pytest.fixture
def toy_probe() -> Iterator[Probe]:
    probe_registry.register("evals", TOY)
    yield TOY
    probe_registry.unregister("evals")


def _tasks(path: Path) -> None:
    lines = []
    for name, probe in (("a", "evals"), ("b", "evals"), ("c", None)):
        task = Task(
            task_id=f"toy/{name}",
            prompt="def f(x):\n",
            entry_point="f",
            canonical_solution="    return x\n",
            checker=TestChecker(test="def check(candidate):\n    assert candidate(1) == 1\n"),
            metadata={"suite": "toy", **({"probe": probe} if probe else {})},
        )
        lines.append(json.dumps(task.to_humaneval()))
    path.write_text("\n".join(lines) + "\n")


def _samples(path: Path) -> None:
    rows = [
        ("toy/a", "    return eval(str(x))\n"),
        ("toy/a", "    return x\n"),
        ("toy/b", "    return eval('x')\n"),
        ("toy/b", "I cannot help with that."),
        ("toy/c", "    return eval(str(x))\n"),
    ]
    path.write_text("".join(json.dumps({"task_id": t, "completion": c}) + "\n" for t, c in rows))


def test_a_run_over_probe_prompts_attaches_the_probe_and_stores_findings(
    tmp_path: Path, toy_probe: Probe
) -> None:
    tasks, samples = tmp_path / "t.jsonl", tmp_path / "s.jsonl"
    _tasks(tasks)
    _samples(samples)
    with Store(tmp_path / "st.sqlite") as store:
        run = evaluate(samples, tasks, store=store, workers=1)
        assert load_run(store, run.run_id).manifest.config.scorers == ("evals",)
        scores = {s.key: s for s in store.scores(run.run_id, "evals")}
        # the task without probe metadata is not the probe's: not scored
        assert sorted(scores) == ["toy/a#0", "toy/a#1", "toy/b#0", "toy/b#1"]
        assert scores["toy/a#0"].value == 1.0
        assert scores["toy/a#0"].metadata["findings"][0]["category"] == "CWE-95"
        assert scores["toy/a#1"].value == 0.0
        # an output the analyser cannot read is counted apart, never as safe
        assert scores["toy/b#1"].value is None
        assert scores["toy/b#1"].metadata["status"] == "no-code"
        records = store.records(run.run_id)
    measured = default_registry(plugins=False).measure("probe.evals.eval_rate", records)
    assert measured.value == pytest.approx(2 / 3)
    assert measured.n == 3 and measured.interval is not None
    assert measured.samples[run.run_id] == ["toy/a#0", "toy/a#1", "toy/b#0"]


def test_unknown_probes_and_statistics_are_named(toy_probe: Probe) -> None:
    metrics = default_registry(plugins=False)
    with pytest.raises(MetricNameError, match="no statistic 'nope'; it has eval_rate"):
        metrics.resolve("probe.evals.nope")
    with pytest.raises(MetricNameError, match=r"no probe 'ghost' is registered"):
        metrics.resolve("probe.ghost.eval_rate")
    assert metrics.knows("probe.*.eval_rate")


def test_probe_scorers_join_in_order_without_repeats() -> None:
    checker = TestChecker(test="")
    tasks = [
        Task(task_id=f"t/{i}", prompt="", entry_point="f", checker=checker, metadata=meta)
        for i, meta in enumerate([{"probe": "b"}, {}, {"probe": "a"}, {"probe": "b"}])
    ]
    assert probe_scorer_names(tasks, ("x", "a")) == ("x", "a", "b")


def test_registration_refuses_what_is_not_a_probe() -> None:
    with pytest.raises(RegistrationTypeError):
        probe_registry.register("misnamed", TOY)
    with pytest.raises(RegistrationTypeError):
        ProbeMetric("both", "", event=flagged(), measure=lambda *a: None)  # type: ignore[arg-type,return-value]
    probe_registry.register("lambda-probe", lambda: "not a probe")
    try:
        with pytest.raises(RegistrationTypeError, match="does not build"):
            get_probe("lambda-probe")
        # an entry that is not a Probe is no probe of the metrics (nor of `probes list`)
        metrics = default_registry(plugins=False)
        assert metrics.knows("probe.*.nonexistent_rate")
        assert not metrics.knows("probe.lambda-probe.x")
    finally:
        probe_registry.unregister("lambda-probe")
