"""The run model: typed records, one key scheme, old stores migrated, nothing missing unsaid."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from codehazard.cli import main
from codehazard.evaluation import Evaluator
from codehazard.executors import executors
from codehazard.runs import (
    RunManifest,
    TaskFile,
    evaluate,
    load_run,
)
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.tasks import Task
from codehazard.verdict import Verdict

# the schema that codehazard wrote as store schema 1 (before per-sample scores)
V1_SCHEMA = """
CREATE TABLE runs (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL,
    kind TEXT NOT NULL, status TEXT NOT NULL, params TEXT NOT NULL, summary TEXT);
CREATE TABLE tasks (run_id TEXT NOT NULL REFERENCES runs(id), task_id TEXT NOT NULL,
    seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, task_id));
CREATE TABLE samples (run_id TEXT NOT NULL REFERENCES runs(id), key TEXT NOT NULL,
    seq INTEGER NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL, raw TEXT NOT NULL,
    program TEXT NOT NULL, meta TEXT NOT NULL, PRIMARY KEY (run_id, key));
CREATE TABLE verdicts (run_id TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL,
    verdict TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 1, recorded REAL NOT NULL,
    PRIMARY KEY (run_id, key), FOREIGN KEY (run_id, key) REFERENCES samples(run_id, key));
PRAGMA user_version=1;
"""


def _write_samples(path: Path, lines: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def _v1_store(path: Path, samples: Path, tasks_path: Path) -> None:
    """A store as schema 1 left it: an interrupted `evaluate` run keyed by line, and a `run`."""
    from codehazard.tasks import load_tasks

    add = load_tasks(tasks_path)["toy/add"]
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    params = {
        "samples_path": str(samples),
        "tasks_path": str(tasks_path),
        "samples_digest": _digest(samples, tasks_path),
        "ks": [1],
        "workers": 1,
        "limits": {"timeout": 5.0, "memory_mb": 512, "max_processes": 64, "max_output_kb": 256},
        "code_version": "0.1.0",
        "host": {"python": "3.11"},
        "isolation": {"level": "full"},
    }
    db.execute(
        "INSERT INTO runs VALUES ('20250101-000000-aaaaaa', 1, 1, 'evaluate', 'interrupted', ?, "
        "NULL)",
        (json.dumps(params),),
    )
    db.execute(
        "INSERT INTO tasks VALUES ('20250101-000000-aaaaaa', 'toy/add', 0, ?)",
        (add.model_dump_json(),),
    )
    for seq, line in enumerate(samples.read_text().splitlines()):
        raw = json.loads(line)
        db.execute(
            "INSERT INTO samples VALUES ('20250101-000000-aaaaaa', ?, ?, 'toy/add', ?, ?, ?, '{}')",
            (f"L{seq + 1}", seq, seq, line, add.prompt + raw["completion"]),
        )
    verdict = Verdict(status="passed").model_dump_json()
    db.execute(
        "INSERT INTO verdicts VALUES ('20250101-000000-aaaaaa', 'L1', 'passed', ?, 1, 1)",
        (verdict,),
    )
    run_params = {
        "kind": "run",
        "model": "simulated",
        "config": {
            "model": "simulated",
            "tasks_source": {"suite": "building-blocks", "params": {}},
        },
        "backend": {"name": "simulated", "simulated": True},
        "simulated": True,
        "tasks_digest": "x",
        "sessions": [{"started": 1.0, "wall_s": 2.0, "status": "complete"}],
    }
    db.execute(
        "INSERT INTO runs VALUES ('20250101-000001-bbbbbb', 2, 2, 'run', 'complete', ?, ?)",
        (json.dumps(run_params), json.dumps({"run_id": "x", "n_samples": 0, "pass_at_k": {}})),
    )
    db.commit()
    db.close()


def _digest(samples: Path, tasks_path: Path) -> str:
    from codehazard.samples import load_samples
    from codehazard.tasks import load_tasks

    return load_samples(samples, load_tasks(tasks_path)).digest


def test_a_schema_1_store_is_migrated_in_place_and_resumes(
    toy_tasks_path: Path, tmp_path: Path
) -> None:
    samples = tmp_path / "s.jsonl"
    _write_samples(samples, [{"task_id": "toy/add", "completion": "    return a + b\n"}] * 3)
    path = tmp_path / "v1.sqlite"
    _v1_store(path, samples, toy_tasks_path)
    with Store(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == 2
        keys = [s.key for s in store.samples("20250101-000000-aaaaaa")]
        assert keys == ["toy/add#0", "toy/add#1", "toy/add#2"]
        assert store.status_counts("20250101-000000-aaaaaa") == {"passed": 1}
        old = load_run(store, "20250101-000000-a")  # a unique prefix
        assert old.kind == "evaluate" and old.manifest.model is None
        assert old.manifest.samples_path == str(samples)
        assert isinstance(old.manifest.source, TaskFile)
        assert old.manifest.config.limits["timeout"] == 5.0
        generated = load_run(store, "20250101-000001-bbbbbb").manifest
        assert generated.suite == "building-blocks" and generated.sessions[0].wall_s == 2.0
        result = evaluate(samples, toy_tasks_path, store=store, workers=1, resume=True)
        assert result.run_id == "20250101-000000-aaaaaa"
        assert result.summary.status_counts == {"passed": 3}
        attempts = store.connection.execute("SELECT MAX(attempts) FROM verdicts").fetchone()[0]
        assert attempts == 1  # the verdict judged before the migration was kept, not redone


def test_one_key_scheme_and_a_typed_manifest(toy_tasks_path: Path, tmp_path: Path) -> None:
    samples = tmp_path / "s.jsonl"
    _write_samples(
        samples,
        [
            {"task_id": "toy/pair", "completion": "    return (x, x * 2)\n"},
            {"task_id": "toy/add", "completion": "    return a + b\n"},
            {"task_id": "toy/pair", "completion": "    return None\n"},
        ],
    )
    with Store(tmp_path / "st.sqlite") as store:
        result = evaluate(samples, toy_tasks_path, store=store, ks=(1,), workers=1)
        keys = [r.key for r in store.records(result.run_id)]
        assert sorted(keys) == ["toy/add#0", "toy/pair#0", "toy/pair#1"]
        record = load_run(store, result.run_id)
        manifest = record.manifest
        assert isinstance(manifest, RunManifest) and manifest.kind == "evaluate"
        assert manifest.config.model == f"samples:{samples}" and manifest.model is None
        assert manifest.samples_digest and manifest.code_version and manifest.host
        assert manifest.isolation_required == "auto" and manifest.isolation
        assert record.summary is not None and record.summary.n_samples == 3
    lines = [json.loads(x) for x in result.results_path.read_text().splitlines()]  # type: ignore[union-attr]
    assert [line["task_id"] for line in lines] == ["toy/pair", "toy/add", "toy/pair"]  # file order
    assert [line["passed"] for line in lines] == [True, True, False]


def test_tasks_without_samples_are_listed_and_can_be_required(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "s.jsonl"
    _write_samples(samples, [{"task_id": "toy/add", "completion": "    return a + b\n"}])
    argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--workers", "1"]
    argv += ["--store", str(tmp_path / "st.sqlite")]
    assert main([*argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pass_at_k"]["1"] == 1.0 and out["pass_at_k_tasks"] == 1
    assert out["tasks_without_samples"] == ["toy/pair", "toy/sorted"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "pass@k over 1 of 3 tasks" in text
    assert "tasks without samples (2, left out of pass@k): toy/pair, toy/sorted" in text
    assert main([*argv, "--require-all-tasks"]) == 2
    err = capsys.readouterr().err
    assert "2 task(s) have no samples (toy/pair, toy/sorted)" in err and "Traceback" not in err


class _FlakyHarness:
    """An executor whose harness fails on samples that ask for it: the local pool otherwise."""

    def __init__(self, tasks: Mapping[str, Task], **options: Any) -> None:
        self._pool = Evaluator(tasks, **options)

    @property
    def isolation(self) -> dict[str, Any]:
        return self._pool.isolation

    def submit(self, sample: Sample) -> Future[Verdict]:
        if "harness-breaks" in sample.program:
            future: Future[Verdict] = Future()
            future.set_result(Verdict(status="infra", detail="worker lost"))
            return future
        return self._pool.submit(sample)

    def evaluate(self, samples: Any) -> Iterator[tuple[Sample, Verdict]]:
        for sample in samples:
            yield sample, self.submit(sample).result()

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> _FlakyHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.fixture
def flaky_executor() -> Iterator[str]:
    executors.register("flaky-harness", _FlakyHarness)
    yield "flaky-harness"
    executors.unregister("flaky-harness")


def test_an_infra_rate_above_the_limit_fails_loudly(
    toy_tasks_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flaky_executor: str,
) -> None:
    samples = tmp_path / "s.jsonl"
    good = {"task_id": "toy/add", "completion": "    return a + b\n"}
    broken = {"task_id": "toy/add", "completion": "    return a + b  # harness-breaks\n"}
    _write_samples(samples, [good] * 19 + [broken])
    argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--workers", "1"]
    argv += ["--store", str(tmp_path / "st.sqlite"), "--executor", flaky_executor]
    assert main(argv) == 3
    captured = capsys.readouterr()
    assert "infra rate: 5.00% (1 of 20 samples" in captured.out
    assert "INFRA RATE 5.00% (1 of 20 samples) IS ABOVE 1.00%" in captured.err
    assert "--resume" in captured.err
    assert main([*argv, "--max-infra-rate", "0.1", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["infra_rate"] == pytest.approx(0.05)
    assert "within --max-infra-rate" in captured.err
    assert main([*argv, "--max-infra-rate", "2"]) == 2  # a bad option: one line, exit 2
    assert "--max-infra-rate: expected a share between 0 and 1" in capsys.readouterr().err
