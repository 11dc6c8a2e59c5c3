"""Checker kinds are registry entries: a new kind is one module (here, this test module alone).

The ``returns-constant`` kind below is defined, registered and judged without editing any list
in codehazard: its model, its trusted ``prepare`` and its judge live here, and a task of that
kind runs end to end through ``codehazard evaluate`` (real workers, real sandbox, real store).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import Field

from codehazard.cli import main
from codehazard.errors import TaskLoadError
from codehazard.sandbox import Channel, Outcome, PreparedTask, reference_code
from codehazard.tasks import (
    CheckerSpec,
    DifferentialChecker,
    Task,
    TestChecker,
    checker_kind,
    checker_registry,
    load_tasks,
    task_from_dict,
)


def _judge_constant(prepared: PreparedTask, ch: Channel) -> Outcome:
    """Pass when the candidate, called with the task's arguments, returns the constant."""
    args, value = prepared.data
    actual = ch.call(tuple(args), {})
    if type(actual) is type(value) and actual == value:
        return {"status": "passed", "detail": ""}
    return {"status": "failed", "detail": f"returned {actual!r}, expected {value!r}"}


def _prepare_constant(task: Task, checker: ConstantChecker, timeout: float) -> PreparedTask:
    return PreparedTask(
        task.task_id,
        task.entry_point,
        reference_code(task),
        run=_judge_constant,
        data=(checker.args, checker.value),
    )


@checker_kind(prepare=_prepare_constant, help="the candidate returns one constant")
class ConstantChecker(CheckerSpec):
    """The candidate called with ``args`` must return exactly ``value``."""

    kind: Literal["returns-constant"] = "returns-constant"
    args: list[Any] = Field(default_factory=list)
    value: Any


CONSTANT_TASK = {
    "task_id": "const/answer",
    "prompt": "def answer(x):\n",
    "canonical_solution": "    return 42\n",
    "entry_point": "answer",
    "checker": {"kind": "returns-constant", "args": [7], "value": 42},
}


def test_the_kind_is_registered_and_round_trips() -> None:
    assert {"test", "differential", "returns-constant"} <= set(checker_registry.names())
    task = task_from_dict(CONSTANT_TASK)
    assert isinstance(task.checker, ConstantChecker) and task.checker.value == 42
    again = Task.model_validate_json(task.model_dump_json())
    assert again == task and isinstance(again.checker, ConstantChecker)
    assert task.to_humaneval()["checker"] == {
        "kind": "returns-constant",
        "args": [7],
        "value": 42,
    }


def test_a_task_of_the_new_kind_runs_through_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps(CONSTANT_TASK) + "\n")
    samples = tmp_path / "samples.jsonl"
    bodies = ["    return 42\n", "    return 41\n", "    return 42.0\n", "    raise ValueError\n"]
    samples.write_text(
        "".join(json.dumps({"task_id": "const/answer", "completion": b}) + "\n" for b in bodies)
    )
    store = tmp_path / "store.sqlite"
    code = main(
        [
            "evaluate",
            str(samples),
            "--tasks",
            str(tasks),
            "--workers",
            "1",
            "--timeout",
            "3",
            "--store",
            str(store),
            "--json",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    summary = json.loads(out.out)
    assert summary["status_counts"] == {"passed": 1, "failed": 2, "error": 1}
    assert summary["pass_at_k"]["1"] == 0.25


def test_an_unknown_kind_names_the_file_line_and_the_known_kinds(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps({**CONSTANT_TASK, "checker": {"kind": "fuzzing", "n": 3}}) + "\n")
    with pytest.raises(TaskLoadError) as info:
        load_tasks(path)
    message = str(info.value)
    assert f"{path}:1:" in message and "'fuzzing'" in message
    assert "differential" in message and "returns-constant" in message and "test" in message


def test_a_newer_version_of_a_kind_is_refused_and_version_one_is_not_written() -> None:
    with pytest.raises(ValueError, match="version 2 is not known"):
        task_from_dict({**CONSTANT_TASK, "checker": {**CONSTANT_TASK["checker"], "version": 2}})
    dumped = DifferentialChecker(inputs=[[1]]).model_dump()
    assert "version" not in dumped and dumped["kind"] == "differential"


def test_a_misspelt_checker_field_is_an_error_not_ignored() -> None:
    checker = {"kind": "differential", "inputs": [], "orcale": "float"}
    with pytest.raises(ValueError, match="orcale"):
        task_from_dict({**CONSTANT_TASK, "checker": checker})
    assert isinstance(task_from_dict({**CONSTANT_TASK, "test": "x"}).checker, TestChecker) is False


def test_the_help_lists_the_registered_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["evaluate", "--help"], ["run", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        # argparse may wrap a hyphenated name after its hyphen: join it again
        help_text = re.sub(r"-\s+", "-", " ".join(capsys.readouterr().out.split()))
        found = re.search(r"registered kind: ([\w-]+(?:, [\w-]+)*)", help_text)
        assert found, argv
        kinds = found.group(1).split(", ")
        assert {"differential", "returns-constant", "statistical", "test"} <= set(kinds), argv
        assert kinds == sorted(kinds), argv
    assert main(["suites", "list"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("checker kinds") and "returns-constant" in last
