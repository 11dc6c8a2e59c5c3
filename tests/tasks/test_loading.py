"""Task and sample files: HumanEval format unchanged, chat output, and every kind of bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from codehazard.errors import TaskLoadError
from codehazard.samples import build_program, load_samples
from codehazard.tasks import DifferentialChecker, TestChecker, load_tasks, write_tasks


def test_humaneval_loads_unchanged(humaneval_path: Path) -> None:
    tasks = load_tasks(humaneval_path)
    assert len(tasks) == 164
    first = tasks["HumanEval/0"]
    assert isinstance(first.checker, TestChecker) and "def check" in first.checker.test
    assert first.entry_point == "has_close_elements"


def test_differential_and_metadata(toy_tasks_path: Path) -> None:
    tasks = load_tasks(toy_tasks_path)
    assert isinstance(tasks["toy/sorted"].checker, DifferentialChecker)
    assert tasks["toy/pair"].metadata == {"level": 2}


def test_round_trip_gzip(toy_tasks_path: Path, tmp_path: Path) -> None:
    tasks = load_tasks(toy_tasks_path)
    out = tmp_path / "again.jsonl.gz"
    write_tasks(tasks.values(), out)
    assert gzip.decompress(out.read_bytes()).startswith(b"{")
    assert load_tasks(out) == tasks


def test_bad_task_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = {
        "task_id": "a",
        "prompt": "def f():\n",
        "test": "def check(c): pass",
        "entry_point": "f",
    }
    path.write_text(
        json.dumps(good)
        + "\n{oops\n"
        + json.dumps({"task_id": "b"})
        + "\n"
        + json.dumps(good)
        + "\n"
    )
    with pytest.raises(TaskLoadError) as err:
        load_tasks(path)
    message = str(err.value)
    assert f"{path}:2: invalid JSON" in message
    assert f"{path}:3: missing field(s): prompt, entry_point, test (or checker)" in message
    assert f"{path}:4: duplicate task_id 'a'" in message


def test_missing_task_file() -> None:
    with pytest.raises(TaskLoadError, match="no such file"):
        load_tasks("/nonexistent/tasks.jsonl")


def test_samples_keep_valid_lines_and_report_bad_ones(toy_tasks_path: Path, tmp_path: Path) -> None:
    tasks = load_tasks(toy_tasks_path)
    path = tmp_path / "samples.jsonl"
    lines = [
        json.dumps({"task_id": "toy/add", "completion": "    return a + b\n"}),
        "not json",
        json.dumps({"task_id": "toy/unknown", "completion": ""}),
        json.dumps({"task_id": "toy/add"}),
        json.dumps({"task_id": "toy/add", "completion": 5}),
        json.dumps(["list"]),
        "",
        json.dumps({"task_id": "toy/add", "solution": "def add(a, b):\n    return a + b\n"}),
    ]
    path.write_text("\n".join(lines) + "\n")
    sf = load_samples(path, tasks)
    assert [s.key for s in sf.samples] == ["L1", "L8"]
    assert [s.index for s in sf.samples] == [0, 1]
    messages = [b.message for b in sf.bad]
    assert messages[0].startswith(f"{path}:2: invalid JSON")
    assert "unknown task_id 'toy/unknown'" in messages[1]
    assert "needs a 'completion' or a 'solution'" in messages[2]
    assert "'completion' must be a string" in messages[3]
    assert "expected a JSON object" in messages[4]


def test_fenced_chat_output_is_extracted() -> None:
    prompt = "from typing import List\n\ndef helper():\n    return 1\n\ndef f(xs: List[int]):\n"
    chat = (
        "Sure! Here is the code:\n\n```python\ndef f(xs: List[int]):\n    return helper()\n```\n"
        "And a test:\n```python\nprint(f([1]))\n```\n"
    )
    program = build_program(prompt, "f", chat, None)
    assert program.startswith("from typing import List")
    assert "print(f([1]))" not in program
    namespace: dict[str, object] = {}
    exec(program, namespace)
    assert namespace["f"]([1]) == 1  # type: ignore[operator]


def test_plain_completion_is_appended() -> None:
    assert build_program("def f():\n", "f", "    return 2\n", None) == "def f():\n    return 2\n"
    assert build_program("def f():\n", "f", None, "def f(): return 3") == "def f(): return 3"
