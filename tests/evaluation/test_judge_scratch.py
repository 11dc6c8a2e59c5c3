"""A task's trusted module code runs in the judge too (the reference program defines helpers
the test may call); files it writes by relative path must land in the worker's scratch
directory, never in the directory the user runs codehazard from."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from codehazard.cli import main

PROMPT = (
    "from pathlib import Path\n"
    "Path('fixture-data').mkdir(exist_ok=True)\n"
    "Path('fixture-data/settings.yaml').write_text('debug: false\\n')\n\n"
    "def read_setting() -> str:\n"
    '    """Return the contents of fixture-data/settings.yaml."""\n'
)
TASK = {
    "task_id": "scratch/fixture",
    "prompt": PROMPT,
    "canonical_solution": "    return Path('fixture-data/settings.yaml').read_text()\n",
    "test": "def check(candidate):\n    assert candidate() == 'debug: false\\n'\n",
    "entry_point": "read_setting",
}


def test_module_code_of_a_task_writes_nothing_where_the_user_runs_codehazard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    tasks = work / "tasks.jsonl"
    tasks.write_text(json.dumps(TASK) + "\n")
    samples = work / "samples.jsonl"
    samples.write_text(
        json.dumps({"task_id": TASK["task_id"], "completion": TASK["canonical_solution"]}) + "\n"
    )
    monkeypatch.chdir(work)
    before = set(os.listdir(work))
    argv = ["evaluate", str(samples), "--tasks", str(tasks), "--workers", "1"]
    assert main([*argv, "--store", str(tmp_path / "s.sqlite"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["pass_at_k"]["1"] == 1.0  # the fixture ran where the candidate runs
    created = set(os.listdir(work)) - before - {"samples.jsonl_results.jsonl"}
    assert created == set(), f"the judge wrote {sorted(created)} into the user's directory"
