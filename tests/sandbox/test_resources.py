"""A sample's resources: its own CPU share, its own CPU time, its own memory account.

Each test runs the real sandbox, most of them next to busy loops started here (each in its own
session, so each gets its own scheduler autogroup, as a hostile neighbour's processes would):
verdicts must not depend on what else the machine runs, and one sample must not be charged for
another's memory or slowed by another's processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample, build_program
from codehazard.sandbox._prepare import prepare_task
from codehazard.sandbox._worker import SandboxWorker
from codehazard.tasks import Task, load_tasks
from codehazard.verdict import Verdict

CORPUS = Path(__file__).resolve().parents[1] / "adversarial" / "corpus"
ADD = {
    "task_id": "res/add",
    "prompt": "def add(a, b):\n",
    "canonical_solution": "    return a + b\n",
    "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
    "entry_point": "add",
}
CORRECT_ADD = "def add(a, b):\n    return a + b\n"
SETSID_SPINNER = """
import os


def is_multiply_prime(a):
    for _ in range(30):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.setsid()  # a session, so a scheduler autogroup, of its own
            while True:
                pass
    while True:
        pass
"""


@contextlib.contextmanager
def cpu_hogs(count: int) -> Iterator[None]:
    """``count`` busy loops, each in its own session, for as long as the block runs."""
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(count)
    ]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.fixture(scope="module")
def add_tasks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Task]:
    path = tmp_path_factory.mktemp("res") / "tasks.jsonl"
    path.write_text(json.dumps(ADD) + "\n")
    return load_tasks(path)


@pytest.fixture(scope="module")
def humaneval(humaneval_path: Path) -> dict[str, Task]:
    return load_tasks(humaneval_path)


def _canonical(task: Task, index: int = 0) -> Sample:
    program = build_program(task.prompt, task.entry_point, task.canonical_solution, None)
    return Sample("canonical", task.task_id, index, {}, program)


def _submit(ev: Evaluator, task_id: str, program: str, index: int = 0) -> Verdict:
    return ev.submit(Sample("res", task_id, index, {}, program)).result(timeout=240)


# CPU isolation ----------------------------------------------------------------------------


@pytest.mark.slow  # 13 s of CPU spinners: CI runs it
def test_a_setsid_spinner_cannot_starve_another_workers_sample(
    humaneval: dict[str, Task],
) -> None:
    """A sample forking spinners in sessions of their own leaves the other worker its CPU."""
    task = humaneval["HumanEval/75"]  # 133 ms of CPU for the reference, unloaded
    with Evaluator({task.task_id: task}, workers=2, limits=Limits(timeout=3.0)) as ev:
        for round_ in range(4):
            hostile = ev.submit(Sample("spin", task.task_id, round_, {}, SETSID_SPINNER))
            time.sleep(0.5)  # the spinners are running on the other worker by now
            correct = ev.submit(_canonical(task, round_)).result(timeout=240)
            assert correct.status == "passed", (round_, correct.detail)
            spun = hostile.result(timeout=240)
            assert spun.status == "timeout", spun.detail
        assert isinstance(ev.isolation["cpu_cgroup"], bool)  # recorded, whatever the host gave


def test_cpu_spread_over_children_counts_in_full(add_tasks: dict[str, Task]) -> None:
    """CPU time of all the sample's processes is summed: forking does not multiply the limit."""
    program = (
        "import os, time\n"
        "def add(a, b):\n"
        "    kids = []\n"
        "    for _ in range(6):\n"
        "        pid = os.fork()\n"
        "        if pid == 0:\n"
        "            end = time.process_time() + 0.4\n"
        "            while time.process_time() < end:\n"
        "                pass\n"
        "            os._exit(0)\n"
        "        kids.append(pid)\n"
        "    for pid in kids:\n"
        "        os.waitpid(pid, 0)\n"
        "    return a + b\n"
    )
    with Evaluator(add_tasks, workers=1, limits=Limits(timeout=1.0)) as ev:
        verdict = _submit(ev, "res/add", program)
        assert verdict.status == "timeout", verdict.detail
        assert "of CPU time" in verdict.detail
        assert _submit(ev, "res/add", CORRECT_ADD).status == "passed"


# time is the sample's own CPU time --------------------------------------------------------


@pytest.mark.parametrize("mode", ["cpu-cgroup", "cpu-watched"])
def test_time_limit_is_cpu_time_with_a_wall_backstop(add_tasks: dict[str, Task], mode: str) -> None:
    """An infinite loop ends at its CPU limit; a sleeper when its slept time reaches the limit
    (before the wall-clock backstop)."""
    worker = SandboxWorker(index=5)
    if mode == "cpu-watched":
        worker._cgroup_error = "cgroups unavailable: disabled by the test"
    try:
        isolation = worker.start()
        if isolation["time_limit"] != mode:
            pytest.skip(f"this host gives {isolation['time_limit']!r}, not {mode!r}")
        task = prepare_task(add_tasks["res/add"])
        limits = Limits(timeout=1.0)
        loop = worker.check(task, "def add(a, b):\n    while True:\n        pass\n", limits)
        assert loop.status == "timeout", loop.detail
        starved = re.search(
            rf"backstop {limits.wall_timeout:g} s passed with ([0-9.]+) s of CPU time used",
            loop.detail,
        )
        if starved is None:  # the loop's own CPU time reached the limit
            assert "of CPU time, limit 1 s" in loop.detail
        else:  # a machine so loaded that the loop got under 1 s of CPU in the backstop's 4 s
            assert float(starved[1]) < limits.timeout, loop.detail
        sleeper = "import time\ndef add(a, b):\n    time.sleep(1000)\n"
        slept = worker.check(task, sleeper, limits)
        assert slept.status == "timeout", slept.detail
        # ended by its own slept time, before the backstop: the time measured says so
        own = re.search(
            r"used ([0-9.]+) s of CPU time and slept or blocked for ([0-9.]+) s", slept.detail
        )
        assert own is not None, slept.detail
        assert limits.timeout <= float(own[1]) + float(own[2]) < limits.wall_timeout, slept.detail
        assert worker.check(task, CORRECT_ADD, limits).status == "passed"
    finally:
        worker.close()


@pytest.mark.slow  # starts CPU hogs: CI runs it, alone
def test_fast_samples_under_load_never_time_out(add_tasks: dict[str, Task]) -> None:
    """The harness's set-up, slowed by load, never counts against a sample's time limit."""
    raising = "def add(a, b):\n    raise ValueError('nope')\n"
    with cpu_hogs(4), Evaluator(add_tasks, workers=2, limits=Limits(timeout=0.25)) as ev:
        futures = [
            ev.submit(Sample("res", "res/add", i, {}, raising if i % 2 else CORRECT_ADD))
            for i in range(40)
        ]
        verdicts = [f.result(timeout=240) for f in futures]
    statuses = Counter(v.status for v in verdicts)
    assert statuses == {"passed": 20, "error": 20}, [v.detail for v in verdicts][:5]


@pytest.mark.slow
def test_canonical_humaneval_under_cpu_load_never_times_out(humaneval: dict[str, Task]) -> None:
    """Ten copies of every canonical HumanEval solution next to 4 busy loops: no timeouts."""
    with cpu_hogs(4), Evaluator(humaneval, workers=2, limits=Limits(timeout=3.0)) as ev:
        futures = [ev.submit(_canonical(t, i)) for i in range(10) for t in humaneval.values()]
        verdicts = [f.result(timeout=600) for f in futures]
    bad = [(v.status, v.detail) for v in verdicts if v.status != "passed"]
    assert not [b for b in bad if b[0] == "timeout"], bad[:5]
    assert not bad, bad[:5]


# memory is accounted afresh for each sample -----------------------------------------------


def _memory_bomb(limit_mb: int) -> str:
    return (CORPUS / "memory_bomb_children.py").read_text().replace("{MEMORY_MB}", str(limit_mb))


@pytest.mark.parametrize("hogs", [0, pytest.param(4, marks=pytest.mark.slow)])  # hogs: CI
def test_memory_of_one_sample_never_counts_against_the_next(
    add_tasks: dict[str, Task], hogs: int
) -> None:
    """With ``--workers 1 --memory-mb 300``: two correct samples after a memory-hungry one."""
    limits = Limits(timeout=3.0, memory_mb=300, max_processes=16)
    with cpu_hogs(hogs), Evaluator(add_tasks, workers=1, limits=limits) as ev:
        for round_ in range(3):
            hungry = _submit(ev, "res/add", _memory_bomb(300), index=3 * round_)
            assert hungry.status in {"memory", "failed", "error", "timeout"}, hungry.detail
            for k in (1, 2):
                after = _submit(ev, "res/add", CORRECT_ADD, index=3 * round_ + k)
                assert after.status == "passed", (round_, k, hungry.detail, after.detail)


TMPFS_AND_HEAP = """
def add(a, b):
    with open("fill", "wb") as fh:  # tmpfs pages of the working directory
        for _ in range(48):
            fh.write(b"x" * (1 << 20))
    blob = bytearray(200 * 1024 * 1024)
    for i in range(0, len(blob), 4096):
        blob[i] = 1
    return a + b
"""


@pytest.mark.parametrize("mode", ["cgroup", "watched"])
def test_memory_bounds_hold_under_cpu_load(add_tasks: dict[str, Task], mode: str) -> None:
    """The sum of a sample's processes is bounded, and the next sample starts clean, under load."""
    worker = SandboxWorker(index=6, disk_mb=64)
    if mode == "watched":
        worker._cgroup_error = "cgroups unavailable: disabled by the test"
    try:
        isolation = worker.start()
        if isolation["memory_limit"] != mode:
            pytest.skip(f"this host gives {isolation['memory_limit']!r}, not {mode!r}")
        task = prepare_task(add_tasks["res/add"])
        limits = Limits(timeout=10.0, memory_mb=300, max_processes=16, max_file_mb=64)
        with cpu_hogs(4):
            for _ in range(2):
                bomb = worker.check(task, _memory_bomb(300), limits)
                assert bomb.status == "memory", bomb.detail
                assert "together held over 300 MB" in bomb.detail
                held = worker.check(task, TMPFS_AND_HEAP, limits)  # 248 MB of 300: fits alone
                assert held.status == "passed", held.detail
                for _ in range(2):
                    ok = worker.check(task, CORRECT_ADD, limits)
                    assert ok.status == "passed", ok.detail
    finally:
        worker.close()


SHM_AND_HEAP = """
import os, time

def add(a, b):
    chunk = b"s" * (1 << 20)
    for n in range(3):  # 150 MB in files of /dev/shm that no process maps
        with open(f"/dev/shm/held-{n}", "wb") as fh:
            for _ in range(50):
                fh.write(chunk)
    heap = b"h" * (100 << 20)  # and 100 MB in the process: 250 MB of 200
    time.sleep(3)
    return a + b + len(heap) * 0
"""
MAPPED_SHM = """
import time
from multiprocessing import shared_memory

def add(a, b):
    block = shared_memory.SharedMemory(create=True, size=120 << 20)
    chunk = b"m" * (1 << 20)
    for at in range(0, block.size, 1 << 20):  # 120 MB in /dev/shm, mapped and touched
        block.buf[at : at + (1 << 20)] = chunk
    time.sleep(1)
    block.close()
    block.unlink()
    return a + b
"""


@pytest.mark.parametrize("mode", ["cgroup", "watched"])
def test_dev_shm_counts_in_the_memory_of_a_sample_once(
    add_tasks: dict[str, Task], mode: str
) -> None:
    """Files a sample leaves in its /dev/shm hold memory no process maps: they count against its
    limit whether a cgroup or the watch bounds it, and pages it maps count once, not twice."""
    worker = SandboxWorker(index=7, disk_mb=64)
    if mode == "watched":
        worker._cgroup_error = "cgroups unavailable: disabled by the test"
    try:
        isolation = worker.start()
        if isolation["memory_limit"] != mode or not isolation.get("private_dev_shm"):
            pytest.skip(f"this host gives {isolation['memory_limit']!r} memory, not {mode!r}")
        task = prepare_task(add_tasks["res/add"])
        limits = Limits(timeout=10.0, memory_mb=200, max_processes=16, max_file_mb=128)
        held = worker.check(task, SHM_AND_HEAP, limits)
        assert held.status == "memory", held.detail
        mapped = worker.check(task, MAPPED_SHM, limits)  # 120 MB mapped, plus the interpreter
        assert mapped.status == "passed", mapped.detail
        assert worker.check(task, CORRECT_ADD, limits).status == "passed"
    finally:
        worker.close()


SLEEPY_ADD = "import time\n\ndef add(a, b):\n    time.sleep(1.0)\n    return a + b\n"


def test_the_watch_sees_the_running_sample_not_the_next_runner(add_tasks: dict[str, Task]) -> None:
    """While a sample runs, the next sample's runner already waits under the zygote; the watch
    (memory, time, the kill at a limit) counts the running sample's runner only."""
    import threading

    from codehazard.sandbox._memwatch import children, sample_runner

    worker = SandboxWorker(index=7)
    seen: list[tuple[list[int], list[int]]] = []
    try:
        worker.start()
        assert worker._watch is not None
        zygote = worker._watch.zygote
        task = prepare_task(add_tasks["res/add"])
        limits = Limits(timeout=5.0)
        assert worker.check(task, CORRECT_ADD, limits).status == "passed"

        def look() -> None:
            time.sleep(0.6)  # the sleepy sample is in its call by now
            seen.append((children(zygote), sample_runner(zygote)))

        looker = threading.Thread(target=look)
        looker.start()
        verdict = worker.check(task, SLEEPY_ADD, limits)
        looker.join()
    finally:
        worker.close()
    assert verdict.status == "passed", verdict.detail
    [(runners, current)] = seen
    assert len(runners) == 2, runners  # the sample's runner and the next one, waiting
    assert len(current) == 1 and current[0] in runners


def test_a_group_made_ahead_is_fresh_and_used_only_for_the_same_limits() -> None:
    """The next sample's cgroup is made while the current sample starts; it is used only when
    the next sample's limits are the ones it was made with, and ended groups are removed."""
    from codehazard.sandbox._cgroup import WorkerCgroups

    try:
        groups = WorkerCgroups.create(f"codehazard-test-{os.getpid()}-ahead")
    except OSError as exc:
        pytest.skip(f"no writable cgroup here: {exc}")
    try:
        first = groups.new_sample(300)
        groups.prepare(300)
        ahead = groups._ready
        assert ahead is not None and all(p.is_dir() for p in ahead[0].dirs)
        groups.finish(first)
        assert groups.new_sample(300) is ahead[0]  # the same limits: the group made ahead
        groups.prepare(300)
        made = groups._ready
        assert made is not None
        other = groups.new_sample(200)  # other limits: a group made now, the other removed
        assert other is not made[0] and all(p.is_dir() for p in other.dirs)
        groups.prepare(200)
        assert not any(p.exists() for p in made[0].dirs)
        assert not any(p.exists() for p in first.dirs)
        if other.memory is not None and other.memory[1] == 1:
            limit = (other.memory[0] / "memory.limit_in_bytes").read_text()
            assert int(limit) == 200 * 1024 * 1024
    finally:
        groups.remove()
