"""End to end on simulated samples with a known decay, through a real store and the CLI.

Samples are our own programs: the reference (a pass) or the reference with one injected fault
that the task's tests reject (a failure). Each task of length L passes with probability
``FIRST * RATIO ** (L - 1)``; the analysis must recover ``RATIO`` within its interval, show the
composition gap such a model has, and localise every injected fault to the right step.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from suite_fakes import failing_completion, passes_tests, run_trusted

from codehazard.analysis import localise_run, summarise_localisations
from codehazard.cli import main
from codehazard.errors import SandboxError
from codehazard.samples import load_samples
from codehazard.scoring import capability_curve
from codehazard.store import Store
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite
from codehazard.verdict import Verdict

FIRST, RATIO = 0.85, 0.55


def _simulate(
    tasks: list[Task], samples_for: Any, rate: Any, path: Path, seed: int
) -> tuple[Path, str, dict[str, dict[str, Any] | None]]:
    """Write a samples file, load it, and store tasks, samples and trusted verdicts."""
    rng = random.Random(seed)
    lines = []
    for task in tasks:
        for _ in range(samples_for(task)):
            injected = None
            completion = task.canonical_solution
            if rng.random() >= rate(task):
                made = failing_completion(task, rng)
                assert made is not None, task.task_id
                completion, fault = made
                injected = fault.as_dict()
            lines.append({"task_id": task.task_id, "completion": completion, "fault": injected})
    samples_path = path / "samples.jsonl"
    samples_path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    by_id = {t.task_id: t for t in tasks}
    loaded = load_samples(samples_path, by_id)
    assert not loaded.bad
    db = path / "store.sqlite"
    with Store(db) as store:
        run_id = store.create_run("evaluate", {"samples": str(samples_path)})
        store.add_tasks(run_id, tasks)
        store.add_samples(run_id, loaded.samples)
        for sample in loaded.samples:
            task = by_id[sample.task_id]
            ok = passes_tests(sample.program, task.checker.test, task.entry_point)
            store.record_verdict(run_id, sample.key, Verdict(status="passed" if ok else "failed"))
    return db, run_id, {s.key: s.raw["fault"] for s in loaded.samples}


@pytest.fixture(scope="module")
def decay_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, Any]]:
    tasks = get_suite("building-blocks").build(lengths="1-6", per_length=25, seed=11)
    return _simulate(
        tasks,
        samples_for=lambda t: 40 if t.metadata["length"] == 1 else 8,
        rate=lambda t: FIRST * RATIO ** (t.metadata["length"] - 1),
        path=tmp_path_factory.mktemp("decay"),
        seed=2024,
    )


def _true_rate(level: int) -> float:
    return FIRST * RATIO ** (level - 1)


@pytest.mark.slow
def test_the_decay_rate_is_recovered(decay_run: tuple[Path, str, dict[str, Any]]) -> None:
    db, run_id, _ = decay_run
    with Store(db) as store:
        curve = capability_curve(store.records(run_id), n_boot=500)
    fit = curve.fit
    assert fit.quality == "good", fit.notes
    assert fit.ratio_interval is not None
    assert fit.ratio_interval.low <= RATIO <= fit.ratio_interval.high
    assert fit.ratio == pytest.approx(RATIO, abs=0.1)
    covered = [p.interval.low <= _true_rate(p.level) <= p.interval.high for p in curve.levels]
    assert sum(covered) >= len(covered) - 1


def test_the_composition_gap_of_a_non_compositional_model(
    decay_run: tuple[Path, str, dict[str, Any]],
) -> None:
    """Single blocks pass at FIRST, so composing reliably would give FIRST ** L; the model
    gives FIRST * RATIO ** (L - 1): the gap is positive from length 2 on."""
    db, run_id, _ = decay_run
    with Store(db) as store:
        comp = capability_curve(store.records(run_id), n_boot=500).composition
    assert comp is not None
    assert len(comp.blocks) == 13
    assert all(abs(b.rate - FIRST) < 0.2 for b in comp.blocks.values())
    one = comp.level(1)
    assert one is not None and abs(one.gap_product) < 1e-9
    for level in range(2, 7):
        gap = comp.level(level)
        assert gap is not None and gap.n_uncovered == 0
        expected_gap = FIRST**level - _true_rate(level)
        assert gap.gap_interval.low > 0 or expected_gap < 0.05
        assert gap.gap_product == pytest.approx(expected_gap, abs=0.12)


@pytest.mark.slow
def test_injected_faults_are_localised_to_their_step(
    decay_run: tuple[Path, str, dict[str, Any]],
) -> None:
    db, run_id, faults = decay_run
    with Store(db) as store:
        found, skipped, failing = localise_run(store, run_id, collect=run_trusted)
    assert skipped == {}
    assert sum(failing.values()) == len(found)
    assert len(found) == sum(f is not None for f in faults.values())
    primary = 0
    for item in found:
        fault = faults[item.key]
        assert fault is not None
        loc = item.localisation
        assert loc.exact
        assert loc.explains(fault["kind"], fault["positions"]), (item.task_id, fault, loc)
        primary += (loc.kind, list(loc.positions)) == (fault["kind"], fault["positions"])
    assert primary >= 0.85 * len(found)
    summary = summarise_localisations(f.localisation for f in found)
    assert summary.total == len(found)
    assert set(summary.by_kind) <= {"skipped", "misapplied", "alternative-reading", "reordered"}
    assert "alternative-reading" in summary.by_kind
    assert len(summary.by_block) == 13
    certainty = summary.certainty
    assert certainty["partial"] == certainty["none"] == 0
    assert certainty["unique"] + certainty["tied"] == len(found)
    shares = sum(sum(cols.values()) for cols in summary.by_kind.values())
    assert shares == pytest.approx(len(found))


def test_variable_binding_failures_are_localised(tmp_path: Path) -> None:
    tasks = get_suite("variable-binding").build(
        variables="2-6", operations="1-5", per_level=1, seed=3
    )
    db, run_id, faults = _simulate(
        tasks, samples_for=lambda t: 4, rate=lambda t: 0.3, path=tmp_path, seed=5
    )
    with Store(db) as store:
        found, _, _ = localise_run(store, run_id, collect=run_trusted)
        curve = capability_curve(store.records(run_id), "variables", n_boot=100)
    assert [p.level for p in curve.levels] == [2, 3, 4, 5, 6]
    kinds = {f.localisation.kind for f in found}
    assert "wrong-variable" in kinds
    for item in found:
        fault = faults[item.key]
        assert fault is not None
        assert item.localisation.explains(fault["kind"], fault["positions"]), (item, fault)


def test_curves_cli_json(
    decay_run: tuple[Path, str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db, run_id, _ = decay_run
    assert main(["curves", run_id, "--store", str(db), "--json", "--boot", "300", "-k", "5"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object
    data = json.loads(out)
    assert data["run_id"] == run_id
    assert [lv["level"] for lv in data["levels"]] == [1, 2, 3, 4, 5, 6]
    first = data["levels"][0]
    assert first["n_tasks"] == 13 and first["n_samples"] == 13 * 40
    assert first["interval"]["low"] <= first["pass_at_1"] <= first["interval"]["high"]
    assert set(first["pass_at_k"]) == {"1", "5"}
    for level in data["levels"]:
        interval = level["pass_at_k_interval"]["5"]
        assert interval["low"] <= level["pass_at_k"]["5"] <= interval["high"]
        assert interval["high"] > interval["low"] or level["pass_at_k"]["5"] in (0, 1)
    assert data["levels"][2]["composed"]["gap_product"] > 0
    fit = data["fit"]
    assert fit["ratio_interval"]["low"] <= RATIO <= fit["ratio_interval"]["high"]
    assert fit["quality"] == "good"
    assert len(data["blocks"]) == 13


def test_curves_cli_table_plot_and_localisation(
    decay_run: tuple[Path, str, dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    db, run_id, _ = decay_run
    monkeypatch.setattr("codehazard.analysis._localise.sandbox_collect", lambda: run_trusted)
    plot = tmp_path / "curve.svg"
    argv = ["curves", run_id, "--store", str(db), "--plot", str(plot), "--localise"]
    assert main([*argv, "--boot", "200", "--localise-limit", "50", "-k", "5"]) == 0
    out = capsys.readouterr().out
    assert f"run {run_id}: pass@1 by components" in out
    header = next(line for line in out.splitlines() if "tasks" in line and "samples" in line)
    assert header.split()[3:7] == ["pass@1", "95%", "interval", "pass@5"]
    assert "decay fit: r = " in out
    assert "fit quality: good" in out
    assert "failure localisation: 50 failing sample(s) examined" in out
    assert "not examined: over-limit" in out
    # stratified: every length is examined, not only the shortest chains stored first
    examined = next(line for line in out.splitlines() if "examined per level" in line)
    assert [part.split(":")[0].strip() for part in examined.split(": ", 1)[1].split(", ")] == [
        str(level) for level in range(1, 7)
    ]
    assert "unique" in out and "tied" in out and "partial" in out
    assert f"plot written to {plot}" in out
    assert "<svg" in plot.read_text()


def test_curves_cli_errors(
    decay_run: tuple[Path, str, dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    db, run_id, _ = decay_run
    assert main(["curves", run_id, "--store", str(tmp_path / "none.sqlite")]) == 2
    assert "no results store here" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite").exists()
    assert main(["curves", "no-such-run", "--store", str(db)]) == 2
    assert "no run 'no-such-run'" in capsys.readouterr().err
    assert main(["curves", run_id, "--store", str(db), "--by", "colour"]) == 2
    assert "no task has an integer 'colour'" in capsys.readouterr().err
    assert main(["curves", run_id, "--store", str(db), "--confidence", "2"]) == 2
    assert main(["curves", run_id, "--store", str(db), "--plot", str(tmp_path / "x.gif")]) == 2
    assert "plot format" in capsys.readouterr().err


@pytest.mark.slow
def test_localisation_through_the_real_sandbox(
    decay_run: tuple[Path, str, dict[str, Any]],
) -> None:
    """A few failing samples rerun in the lead's sandbox give the same diagnosis."""
    db, run_id, _ = decay_run
    with Store(db) as store:
        trusted = localise_run(store, run_id, collect=run_trusted, limit=3).found
        try:
            sandboxed = localise_run(store, run_id, limit=3).found
        except SandboxError as exc:  # pragma: no cover - depends on the host
            pytest.skip(f"sandbox unavailable here: {exc}")
    assert [s.localisation for s in sandboxed] == [t.localisation for t in trusted]
