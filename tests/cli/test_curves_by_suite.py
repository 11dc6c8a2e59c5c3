"""Curves and metrics of any suite whose tasks carry ``suite``, ``level`` and ``dimension``, on a
real store whose verdicts name failure kinds (as the expressivity suites' checkers report them).

The run is written through the Store API (``record_fakes.add_run``): two suites no code of
codehazard knows by name, three levels each, verdicts with ``failure_kind`` on some failures
and none on others.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from record_fakes import add_run

from codehazard.cli import main
from codehazard.metrics import default_registry
from codehazard.store import Store

# suite -> level -> (dimension, per task: outcomes as (status, failure kind))
PASS = ("passed", None)
RACE = ("failed", "race")
DEADLOCK = ("timeout", "deadlock")
INVARIANT = ("failed", "invariant")
LIVENESS = ("failed", "liveness")
PLAIN = ("failed", None)
RUN = {
    "lockstep": {
        1: ("concurrency", [[PASS, PASS, PASS, RACE], [PASS, PASS, PASS, PASS]]),
        2: ("concurrency", [[PASS, RACE, RACE, PLAIN], [PASS, PASS, RACE, DEADLOCK]]),
        3: ("concurrency", [[RACE, RACE, DEADLOCK, DEADLOCK], [RACE, PLAIN, PLAIN, PASS]]),
    },
    "ticktock": {
        1: ("temporal-safety", [[PASS, PASS, PASS, PASS], [PASS, PASS, INVARIANT, PASS]]),
        2: ("temporal-liveness", [[PASS, LIVENESS, PASS, PASS], [PASS, PASS, PASS, PASS]]),
        3: ("temporal-safety", [[INVARIANT, INVARIANT, PASS, PASS], [PASS, PASS, PASS, PASS]]),
    },
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    db = tmp_path_factory.mktemp("kinds") / "store.sqlite"
    tasks = [
        (f"{suite}/L{level}-{t}", {"suite": suite, "level": level, "dimension": dim}, outcomes)
        for suite, levels in RUN.items()
        for level, (dim, per_task) in levels.items()
        for t, outcomes in enumerate(per_task)
    ]
    with Store(db) as store:
        run_id = add_run(store, tasks)
    return db, run_id


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["curves", *argv, "--json", "--boot", "50"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_curves_by_level_give_one_curve_per_suite_with_kinds(
    run: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, run_id = run
    data = _json(capsys, run_id, "--store", str(db), "--by", "level")
    assert data["run_id"] == run_id and data["key"] == "level"
    assert [c["suite"] for c in data["suites"]] == ["lockstep", "ticktock"]
    lockstep = data["suites"][0]
    assert [lv["level"] for lv in lockstep["levels"]] == [1, 2, 3]
    first, third = lockstep["levels"][0], lockstep["levels"][2]
    assert (first["n_tasks"], first["n_samples"]) == (2, 8)
    assert first["pass_at_1"] == pytest.approx(7 / 8)
    assert first["interval"]["low"] < 7 / 8 < first["interval"]["high"] <= 1
    assert first["failure_kinds"] == {"race": 1}
    assert third["failure_kinds"] == {"race": 3, "deadlock": 2}
    ticktock = data["suites"][1]
    assert ticktock["levels"][2]["failure_kinds"] == {"invariant": 2}
    assert ticktock["levels"][1]["failure_kinds"] == {"liveness": 1}


def test_curves_by_level_text_names_each_suite_and_its_kinds(
    run: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, run_id = run
    assert main(["curves", run_id, "--store", str(db), "--by", "level", "--boot", "50"]) == 0
    out = capsys.readouterr().out
    assert f"run {run_id}: suite lockstep: pass@1 by level" in out
    assert f"run {run_id}: suite ticktock: pass@1 by level" in out
    third = next(line for line in out.splitlines() if line.split()[:1] == ["3"])
    assert third.endswith("race 3, deadlock 2")
    assert "failure kinds: checked samples whose verdict names the kind" in out


def test_curves_by_dimension_are_categories_without_a_fit(
    run: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    db, run_id = run
    data = _json(capsys, run_id, "--store", str(db), "--by", "dimension")
    ticktock = data["suites"][1]
    assert [lv["level"] for lv in ticktock["levels"]] == ["temporal-liveness", "temporal-safety"]
    safety = ticktock["levels"][1]
    assert (safety["n_tasks"], safety["n_samples"]) == (4, 16)
    assert safety["pass_at_1"] == pytest.approx(13 / 16)
    assert safety["failure_kinds"] == {"invariant": 3}
    assert safety["fitted"] is None and safety["ratio_to_previous"] is None
    assert ticktock["fit"]["quality"] == "insufficient"
    assert "categories" in ticktock["fit"]["notes"][0]
    assert main(["curves", run_id, "--store", str(db), "--by", "dimension", "--boot", "50"]) == 0
    assert "decay fit: insufficient: the levels of 'dimension' are categories" in (
        capsys.readouterr().out
    )


def test_suite_metrics_of_any_suite_with_levels_and_failure_kinds(run: tuple[Path, str]) -> None:
    db, run_id = run
    registry = default_registry(plugins=False)
    with Store(db) as store:
        records = store.records(run_id)
    race = registry.measure("suite.lockstep.rate.kind.race", records)
    assert race.value == pytest.approx(7 / 24) and race.events == 7 and race.n == 24
    assert race.interval is not None and race.interval.method == "cluster-score"
    assert race.interval.low < race.value < race.interval.high
    deep = registry.measure("suite.lockstep.rate.kind.deadlock{level>=3}", records)
    assert deep.value == pytest.approx(2 / 8) and deep.n_tasks == 2
    assert registry.measure("suite.ticktock.rate.kind.race", records).value == 0.0
    assert registry.measure("suite.ticktock.pass@1{level>=2}", records).value == pytest.approx(
        (3 / 4 + 1 + 2 / 4 + 1) / 4
    )
    assert registry.measure("suite.lockstep.rate.timeout", records).value == pytest.approx(3 / 24)
    safety = registry.measure(
        'suite.ticktock.rate.kind.invariant{dimension="temporal-safety"}', records
    )
    assert safety.value == pytest.approx(3 / 16)
    # a suite the run does not hold: no evidence, not an error
    absent = registry.measure("suite.concurrency.rate.kind.race", records)
    assert absent.value is None and "no checked samples of suite 'concurrency'" in (
        absent.note or ""
    )


def test_the_facade_gives_one_suite_of_a_run(run: tuple[Path, str]) -> None:
    import codehazard as ch

    db, run_id = run
    curve = ch.curves(run_id, store=db, by="level", n_boot=50, suite="ticktock")
    assert curve.suite == "ticktock" and [p.level for p in curve.levels] == [1, 2, 3]
    assert curve.levels[0].failure_kinds == {"invariant": 1}
    assert sum(p.n_samples for p in curve.levels) == 24
