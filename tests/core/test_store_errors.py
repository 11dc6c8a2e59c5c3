"""A damaged store file is one line naming the file, through the library and the CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from codehazard.errors import StoreError
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker

TASK = Task(
    task_id="t/1",
    prompt="def f():\n",
    entry_point="f",
    checker=TestChecker(test="def check(c): pass"),
)


def _damaged_store(tmp_path: Path) -> Path:
    """A real store with one run whose ``runs`` table page is overwritten on disk (the header
    page intact, so the file still opens as SQLite)."""
    path = tmp_path / "damaged.sqlite"
    with Store(path) as store:
        store.add_tasks(store.create_run("evaluate", {"x": 1}), [TASK])
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    db.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xff" * page)
    return path


def test_reading_a_damaged_store_raises_store_error(tmp_path: Path) -> None:
    path = _damaged_store(tmp_path)
    with Store(path) as store, pytest.raises(StoreError, match=r"damaged\.sqlite: cannot read"):
        store.list_runs()


def test_the_cli_prints_one_line_for_a_damaged_store(tmp_path: Path) -> None:
    path = _damaged_store(tmp_path)
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    done = subprocess.run(
        [sys.executable, "-m", "codehazard", "runs", "list", "--store", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "damaged.sqlite: cannot read the store" in lines[0]
