"""Group commits (``Store.batched``): what waits, when it is committed, and what a kill -9 of
the writing process keeps (everything committed, nothing half-written)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codehazard.errors import StoreError
from codehazard.samples import Sample
from codehazard.store import Score, Store
from codehazard.verdict import Verdict


def _sample(i: int) -> Sample:
    return Sample(f"t#{i}", "t", i, {"task_id": "t", "completion": str(i)}, "pass\n")


def _committed(path: Path, table: str) -> int:
    """Rows another connection sees: what is committed."""
    with sqlite3.connect(path) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_writes_wait_until_due_and_reads_see_them(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    run = store.create_run("evaluate", {})
    with store.batched(max_rows=1000, max_delay=3600):
        store.add_samples(run, [_sample(i) for i in range(3)])
        for i in range(3):
            store.record_verdict(run, f"t#{i}", Verdict(status="passed"))
        store.record_score(run, Score(key="t#0", scorer="other", value=1.0))
        assert _committed(path, "verdicts") == 0 and _committed(path, "samples") == 0
        # a read on the store itself commits first, so it sees its own writes
        assert store.status_counts(run) == {"passed": 3}
        assert _committed(path, "verdicts") == 3 and _committed(path, "scores") == 1
        store.record_verdict(run, "t#0", Verdict(status="failed"))
        assert _committed(path, "verdicts") == 3
        assert store.records(run)[0].status == "failed"
        store.record_verdict(run, "t#1", Verdict(status="failed"))
        store.set_run_status(run, "running")  # a write that is never buffered commits the rest
        assert store.status_counts(run) == {"passed": 1, "failed": 2}
        store.record_verdict(run, "t#2", Verdict(status="failed"))
    # the end of the block commits what waits
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, status, attempts FROM verdicts ORDER BY key").fetchall()
    assert rows == [("t#0", "failed", 2), ("t#1", "failed", 2), ("t#2", "failed", 2)]


def test_commits_when_full_or_old(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    run = store.create_run("evaluate", {})
    store.add_samples(run, [_sample(i) for i in range(10)])
    with store.batched(max_rows=4, max_delay=3600):
        for i in range(3):
            store.record_verdict(run, f"t#{i}", Verdict(status="passed"))
        assert _committed(path, "verdicts") == 0
        store.record_verdict(run, "t#3", Verdict(status="passed"))  # the fourth: full
        assert _committed(path, "verdicts") == 4
    with store.batched(max_rows=1000, max_delay=0.0):
        store.record_verdict(run, "t#4", Verdict(status="passed"))  # due at once
        assert _committed(path, "verdicts") == 5
    with store.batched(max_rows=1000, max_delay=3600):
        store.record_verdict(run, "t#5", Verdict(status="passed"))
        store.flush()  # what a caller's timer does
        assert _committed(path, "verdicts") == 6


def test_blocks_nest_and_a_failing_block_keeps_its_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    run = store.create_run("evaluate", {})
    store.add_samples(run, [_sample(i) for i in range(2)])
    with pytest.raises(RuntimeError, match="stop"), store.batched(max_delay=3600):
        with store.batched(max_delay=3600):
            store.record_verdict(run, "t#0", Verdict(status="passed"))
        assert _committed(path, "verdicts") == 0  # the inner block's end is not the batch's
        store.record_verdict(run, "t#1", Verdict(status="passed"))
        raise RuntimeError("stop")
    assert _committed(path, "verdicts") == 2  # judged before the error: kept


def test_one_bad_write_costs_no_other(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    run = store.create_run("evaluate", {})
    store.add_samples(run, [_sample(i) for i in range(3)])
    with pytest.raises(StoreError), store.batched(max_delay=3600):
        store.record_verdict(run, "t#0", Verdict(status="passed"))
        store.record_verdict(run, "no such sample", Verdict(status="passed"))  # foreign key
        store.record_verdict(run, "t#2", Verdict(status="passed"))
    with sqlite3.connect(path) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM verdicts ORDER BY key")]
    assert keys == ["t#0", "t#2"]


def test_samples_keep_their_order_through_group_commits(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    run = store.create_run("evaluate", {})
    store.add_samples(run, [_sample(i) for i in range(0, 3)])
    with store.batched(max_rows=2, max_delay=3600):
        store.add_samples(run, [_sample(i) for i in (7, 3, 3, 5)])  # one repeated: ignored
        store.add_samples(run, [_sample(1)])  # already stored: kept as it was
    store.add_samples(run, [_sample(9)])
    assert [s.key for s in store.samples(run)] == ["t#0", "t#1", "t#2", "t#7", "t#3", "t#5", "t#9"]


WRITER = """
import os, signal, sys
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.verdict import Verdict

store = Store(sys.argv[1])
run = store.create_run("evaluate", {})
store.add_samples(run, [Sample(f"t#{i}", "t", i, {}, "pass") for i in range(1000)])
with store.batched(max_rows=100, max_delay=3600):
    for i in range(750):  # 7 group commits of 100, and 50 verdicts waiting
        store.record_verdict(run, f"t#{i}", Verdict(status="passed", detail="x" * 2000))
    print(run, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_kill_9_keeps_every_committed_verdict(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    src = Path(__file__).resolve().parents[2] / "src"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WRITER), str(path)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    run = done.stdout.strip()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = Store(path)
    verdicts = [r for r in store.records(run) if r.verdict is not None]
    # the 700 committed are all there; the 50 that waited are pending, to be judged again
    assert [r.key for r in verdicts] == [f"t#{i}" for i in range(700)]
    assert all(r.verdict is not None and r.verdict.detail == "x" * 2000 for r in verdicts)
    assert len(store.samples(run, pending_only=True)) == 300
    assert store.status_counts(run) == {"passed": 700}
    store.close()
