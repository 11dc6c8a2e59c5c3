"""The SQLite store: runs, idempotent samples, committed verdicts, infra retried on resume."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from codehazard.errors import StoreError
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict

TASK = Task(
    task_id="t/1",
    prompt="def f():\n",
    entry_point="f",
    checker=TestChecker(test="def check(c): pass"),
    metadata={"level": 3},
)


def _samples(n: int) -> list[Sample]:
    return [
        Sample(f"L{i}", "t/1", i, {"task_id": "t/1", "completion": str(i)}, "p") for i in range(n)
    ]


def test_lifecycle_and_pending(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    run = store.create_run("evaluate", {"x": 1})
    store.add_tasks(run, [TASK])
    store.add_samples(run, _samples(3))
    store.add_samples(run, _samples(3))  # idempotent
    assert len(store.samples(run)) == 3
    store.record_verdict(run, "L0", Verdict(status="passed"))
    store.record_verdict(run, "L1", Verdict(status="infra", detail="sandbox broke"))
    assert [s.key for s in store.samples(run, pending_only=True)] == ["L1", "L2"]
    store.record_verdict(run, "L1", Verdict(status="failed"))
    assert store.status_counts(run) == {"passed": 1, "failed": 1}
    records = store.records(run)
    assert records[0].metadata == {"level": 3} and records[0].passed
    assert records[2].verdict is None
    assert store.tasks(run)["t/1"] == TASK
    store.set_run_status(run, "complete", {"n": 3})
    assert store.get_run(run).summary == {"n": 3}
    attempts = store.connection.execute("SELECT attempts FROM verdicts WHERE key='L1'").fetchone()[
        0
    ]
    assert attempts == 2
    store.close()
    reopened = Store(tmp_path / "s.sqlite")
    assert reopened.list_runs()[0].id == run


def test_unknown_run_and_bad_file(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    with pytest.raises(StoreError, match="runs list"):
        store.get_run("nope")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        Store(junk)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_numbering_a_new_sample_reads_an_index_not_the_run(tmp_path: Path) -> None:
    """Samples arrive one at a time (one transaction each); finding the run's last sequence
    number must not scan its samples, or recording n samples costs n^2 / 2 row reads."""
    store = Store(tmp_path / "s.sqlite")
    run = store.create_run("evaluate", {})
    store.add_samples(run, _samples(3))
    plan = store.connection.execute(
        "EXPLAIN QUERY PLAN SELECT COALESCE(MAX(seq), -1) + 1 FROM samples WHERE run_id=?", (run,)
    ).fetchall()
    assert any("samples_order" in str(row[-1]) for row in plan), plan
    assert [s.key for s in store.samples(run)] == ["L0", "L1", "L2"]
    store.close()
