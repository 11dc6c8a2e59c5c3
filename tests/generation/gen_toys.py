"""Toy tasks and scripted answers shared by the generation tests and the kill/resume test.

Task ``toy/<i>`` asks for ``add_<i>(a, b) = a + b + i``. The server's answer to sample ``j``
is ``ANSWERS[j % 4]``: a correct fenced function, a wrong one, garbage, and an empty reply,
so every run mixes passed, failed and syntax verdicts deterministically.
"""

from __future__ import annotations

import json
from pathlib import Path

from codehazard.tasks import Task, TestChecker, write_tasks


def toy_task(i: int) -> Task:
    """``add_<i>``: completion form, instruction form, reference and a test checker."""
    prompt = f'def add_{i}(a: int, b: int) -> int:\n    """Return a + b + {i}."""\n'
    return Task(
        task_id=f"toy/{i}",
        prompt=prompt,
        entry_point=f"add_{i}",
        canonical_solution=f"    return a + b + {i}\n",
        checker=TestChecker(
            test=f"def check(candidate):\n    assert candidate(1, 2) == {3 + i}\n"
            f"    assert candidate(0, 0) == {i}\n"
        ),
        instruction=f"Write a Python function add_{i}(a, b) that returns a + b + {i}.",
        metadata={"suite": "toy", "level": 1 + i % 3, "components": 1 + i % 3},
    )


def toy_tasks(count: int) -> list[Task]:
    """``count`` toy tasks."""
    return [toy_task(i) for i in range(count)]


def chat_answers(i: int) -> list[str]:
    """The four scripted chat answers for ``add_<i>``, selected by ``seed % 4``."""
    return [
        f"Sure:\n```python\ndef add_{i}(a, b):\n    return a + b + {i}\n```\n",
        f"```python\ndef add_{i}(a, b):\n    return a - b\n```",
        "I cannot help with that )(",
        "",
    ]


def answers_table(count: int) -> dict[str, list[str]]:
    """Markers (``add_<i>(``) to answers, for ``table_answer`` or the server's ``--answers``."""
    return {f"add_{i}(": chat_answers(i) for i in range(count)}


def expected_status(index: int) -> str:
    """The verdict status sample ``index`` gets with ``--seed 0`` (seed = index)."""
    return ("passed", "failed", "syntax", "failed")[index % 4]


def write_fixture_files(directory: Path, count: int) -> tuple[Path, Path]:
    """Write the tasks file and the answers file for subprocess runs."""
    tasks_path = directory / "toy.jsonl"
    write_tasks(toy_tasks(count), tasks_path)
    answers_path = directory / "answers.json"
    answers_path.write_text(json.dumps(answers_table(count)))
    return tasks_path, answers_path
