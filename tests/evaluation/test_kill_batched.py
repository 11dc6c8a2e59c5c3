"""kill -9 of ``codehazard evaluate`` while verdicts wait for their group commit, several times,
then resume: every sample ends with exactly one verdict, judged once, and every verdict that
was committed before a kill is still there, untouched, at the end."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codehazard.tasks import load_tasks

pytestmark = pytest.mark.slow

COPIES = 80


def _committed(store: Path) -> dict[str, float]:
    """Each committed verdict's key and the time it was recorded (what another connection,
    reading after a kill, finds)."""
    if not store.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as db:
            return dict(db.execute("SELECT key, recorded FROM verdicts"))
    except sqlite3.Error:  # not created yet
        return {}


def _kill_after(argv: list[str], store: Path, at_least: int) -> None:
    """Run ``argv`` and kill -9 its process group once ``at_least`` verdicts are committed."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 180
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if len(_committed(store)) >= at_least:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its sandbox workers
        proc.communicate(timeout=60)


def test_kill_9_while_commits_are_grouped(toy_tasks_path: Path, tmp_path: Path) -> None:
    tasks = load_tasks(toy_tasks_path)
    samples = tmp_path / "s.jsonl"
    lines = [
        {"task_id": tid, "completion": task.canonical_solution}
        for _ in range(COPIES)
        for tid, task in tasks.items()
    ]
    samples.write_text("".join(json.dumps(line) + "\n" for line in lines))
    total = len(lines)
    store = tmp_path / "st.sqlite"
    argv = [
        sys.executable, "-m", "codehazard", "evaluate", str(samples), "--tasks",
        str(toy_tasks_path), "--workers", "2", "--store", str(store), "--json", "--no-progress",
    ]  # fmt: skip
    kept: dict[str, float] = {}
    for at_least, resume in ((30, []), (90, ["--resume"]), (170, ["--resume"])):
        _kill_after([*argv, *resume], store, at_least)
        committed = _committed(store)
        assert at_least <= len(committed) < total
        assert all(committed[key] == when for key, when in kept.items())  # none lost or redone
        kept = committed
    done = subprocess.run([*argv, "--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "complete" and summary["status_counts"] == {"passed": total}
    final = _committed(store)
    assert all(final[key] == when for key, when in kept.items())
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT COUNT(*), COUNT(DISTINCT key), MAX(attempts) FROM verdicts")
        assert rows.fetchone() == (total, total, 1)
        assert db.execute("SELECT COUNT(*) FROM samples").fetchone() == (total,)
    results = (tmp_path / "s.jsonl_results.jsonl").read_text().splitlines()
    assert [json.loads(r)["task_id"] for r in results] == [line["task_id"] for line in lines]
    assert {json.loads(r)["status"] for r in results} == {"passed"}
