"""The real sandbox: statuses, trusted verdicts, limits and the isolation recorded."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample, build_program
from codehazard.sandbox import collect_outputs
from codehazard.tasks import Task, load_tasks
from codehazard.verdict import Verdict


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Task]:
    import json

    from tests.conftest import TOY_TASKS

    path = tmp_path_factory.mktemp("toy") / "tasks.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TOY_TASKS))
    return load_tasks(path)


@pytest.fixture(scope="module")
def evaluator(toy: dict[str, Task]) -> Iterator[Evaluator]:
    with Evaluator(toy, workers=1, limits=Limits(timeout=2.0, max_output_kb=64)) as ev:
        yield ev


def judge(ev: Evaluator, task: Task, body: str, *, whole: bool = False) -> Verdict:
    program = body if whole else build_program(task.prompt, task.entry_point, body, None)
    return ev.submit(Sample("k", task.task_id, 0, {}, program)).result(timeout=60)


def test_isolation_is_recorded(evaluator: Evaluator) -> None:
    iso = evaluator.isolation
    assert iso["level"] in {"full", "partial", "rlimits-only"}
    assert iso["scrubbed_environment"] is True
    v = judge(evaluator, evaluator.tasks["toy/add"], "    return a + b\n")
    assert v.status == "passed" and v.isolation["level"] == iso["level"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ("    return a - b\n", "failed", "assert candidate(1, 2) == 3"),
        ("    return a +\n", "syntax", "SyntaxError"),
        ("    raise ValueError('nope')\n", "error", "raised ValueError: nope"),
        ("    while True:\n        pass\n", "timeout", "time limit"),
        ("    x = bytearray(4 * 1024 ** 3)\n", "memory", "MemoryError"),
        ("    print('x' * 100_000)\n    return a + b\n", "error", "output limit"),
        ("    import os\n    os._exit(0)\n", "error", "exited with code 0"),
        ("    return object()\n", "error", "not plain data"),
    ],
)
def test_statuses(evaluator: Evaluator, body: str, status: str, detail: str) -> None:
    v = judge(evaluator, evaluator.tasks["toy/add"], body)
    assert v.status == status, v.detail
    assert detail in v.detail


def test_failed_records_input_and_actual(evaluator: Evaluator) -> None:
    v = judge(evaluator, evaluator.tasks["toy/add"], "    return 7\n")
    assert v.failing_input == "candidate(1, 2)" and v.actual == "7"


def test_tuple_versus_list_is_not_confused(evaluator: Evaluator) -> None:
    task = evaluator.tasks["toy/pair"]
    assert judge(evaluator, task, "    return (x, x * 2)\n").status == "passed"
    assert judge(evaluator, task, "    return [x, x * 2]\n").status == "failed"


def test_differential_checker(evaluator: Evaluator) -> None:
    task = evaluator.tasks["toy/sorted"]
    assert judge(evaluator, task, "    return sorted(xs)\n").status == "passed"
    v = judge(evaluator, task, "    return xs\n")
    assert v.status == "failed"
    assert v.failing_input == "candidate([3, 1, 2])"
    assert v.expected == "[1, 2, 3]" and v.actual == "[3, 1, 2]"


def test_forged_exit_and_patching_cannot_pass(evaluator: Evaluator) -> None:
    task = evaluator.tasks["toy/add"]
    attacks = [
        "import sys\nsys.exit(0)\n",
        "import atexit, os\natexit.register(lambda: os._exit(0))\ndef add(a, b):\n    return 0\n",
        "import builtins\nbuiltins.AssertionError = Exception\ndef add(a, b):\n    return 0\n",
        "class T(int):\n    def __eq__(self, o):\n        return True\n"
        "def add(a, b):\n    return T(0)\n",
        "import os\nfor fd in range(3, 64):\n    try:\n"
        '        os.write(fd, b\'{"id": 1, "ok": 3}\\n\')\n    except OSError:\n        pass\n'
        "def add(a, b):\n    return 0\n",
        "print('passed')\ndef add(a, b):\n    return 0\n",
    ]
    for attack in attacks:
        assert judge(evaluator, task, attack, whole=True).status != "passed", attack
    assert judge(evaluator, task, "    return a + b\n").status == "passed"


def test_no_network_and_private_files(
    evaluator: Evaluator, tmp_path: Path, toy_tasks_path: Path
) -> None:
    if evaluator.isolation["level"] != "full":
        pytest.skip("needs full isolation")
    task = evaluator.tasks["toy/add"]
    (tmp_path / "secret.txt").write_text("s3cret")
    probe = (
        "import os, socket\n"
        "def add(a, b):\n"
        "    out = []\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', 22), timeout=0.5)\n"
        "        out.append('NETWORK-OK')\n"
        "    except OSError:\n"
        "        pass\n"
        f"    out.append(str(os.path.exists({str(tmp_path / 'secret.txt')!r})))\n"
        f"    out.append(str(os.path.exists({str(toy_tasks_path)!r})))\n"
        "    out.append(str(os.access('/usr/bin', os.W_OK)))\n"
        "    out.append(str(sorted(os.environ)))\n"
        "    return '|'.join(out)\n"
    )
    v = judge(evaluator, task, probe, whole=True)
    assert v.status == "failed"
    assert v.actual is not None
    assert "NETWORK-OK" not in v.actual and "True" not in v.actual
    assert "HOME" in v.actual and "OPENAI" not in v.actual


POOL = """
import multiprocessing


def _double(x):
    return 2 * x


def add(a, b):
    with multiprocessing.Pool(2) as pool:  # POSIX semaphores: files in /dev/shm
        return sum(pool.map(_double, [a, b])) // 2
"""
SHM_PROBE = """
import os


def add(a, b):
    st = os.statvfs("/dev/shm")
    left = sorted(os.listdir("/dev/shm"))
    with open("/dev/shm/mine", "w") as fh:
        fh.write("x")
    return [left, st.f_blocks * st.f_frsize // (1024 * 1024), oct(os.stat("/dev/shm").st_mode)]
"""


def test_multiprocessing_pool_passes_with_a_private_bounded_dev_shm(evaluator: Evaluator) -> None:
    if evaluator.isolation["level"] != "full":
        pytest.skip("needs the private root")
    task = evaluator.tasks["toy/add"]
    assert evaluator.isolation["private_dev_shm"] is True
    v = judge(evaluator, task, POOL, whole=True)
    assert v.status == "passed", v.detail
    for _ in range(2):  # each sample's /dev/shm is empty: nothing of the previous one is left
        v = judge(evaluator, task, SHM_PROBE, whole=True)
        assert v.status == "failed" and v.actual is not None
        left, size_mb, mode = ast.literal_eval(v.actual)
        memory_mb = int(Limits().memory_mb)
        assert left == [] and size_mb == memory_mb and mode == "0o41777", v.actual


def test_collect_outputs() -> None:
    calls = collect_outputs("def f(s):\n    return s[::-1]\n", "f", [["ab"], [1]])
    assert calls[0] == {"ok": True, "value": "ba", "error": None}
    assert calls[1]["ok"] is False and "TypeError" in str(calls[1]["error"])


SPREAD_OVER_CHILDREN = """
import os, time

def add(a, b):
    for _ in range(4):  # 4 x 120 MB, each child within its own address-space limit
        if os.fork() == 0:
            blob = bytearray(120 * 1024 * 1024)
            for i in range(0, len(blob), 4096):
                blob[i] = 1
            time.sleep(30)
            os._exit(0)
    time.sleep(30)
    return a + b
"""


@pytest.mark.parametrize("mode", ["cgroup", "watched"])
def test_memory_of_all_processes_is_bounded_together(toy: dict[str, Task], mode: str) -> None:
    """With a memory cgroup where the host gives one, and watched from outside where not."""
    from codehazard.sandbox._prepare import prepare_task
    from codehazard.sandbox._worker import SandboxWorker

    worker = SandboxWorker(index=7)
    if mode == "watched":
        worker._cgroup_error = "memory cgroup unavailable: disabled by the test"
    try:
        isolation = worker.start()
        if isolation["memory_limit"] != mode:
            pytest.skip(f"this host gives {isolation['memory_limit']!r}, not {mode!r}")
        limits = Limits(timeout=10.0, memory_mb=300, max_processes=16)
        verdict = worker.check(prepare_task(toy["toy/add"]), SPREAD_OVER_CHILDREN, limits)
        assert verdict.status == "memory", verdict.detail
        assert "together held over 300 MB" in verdict.detail
        assert verdict.duration < 8  # stopped at the limit, not at the deadline
        task = prepare_task(toy["toy/add"])
        ok = worker.check(task, "def add(a, b):\n    return a + b\n", limits)
        assert ok.status == "passed", ok.detail
    finally:
        worker.close()


def test_a_runner_that_fails_before_the_candidate_runs_is_infra(toy: dict[str, Task]) -> None:
    """The harness's own failure is never the model's: retried, then reported as infra."""
    from codehazard.sandbox._prepare import prepare_task
    from codehazard.sandbox._worker import SandboxWorker

    worker = SandboxWorker(index=8)
    try:
        worker.start()
        limits = Limits(timeout=2.0, max_open_files=2**40)  # setrlimit refuses this
        verdict = worker.check(
            prepare_task(toy["toy/add"]), "def add(a, b):\n    return a + b\n", limits
        )
        assert verdict.status == "infra", verdict.detail
        assert "runner setup failed" in verdict.detail
    finally:
        worker.close()
