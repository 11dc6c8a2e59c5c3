"""Nothing outlives the evaluation: kill a worker mid-sample and nothing of it remains.

The candidate forks CPU spinners that each call ``setsid`` (their own session, out of any
process group we could signal) while the runner sleeps in the call. The test kills the trusted
worker process with SIGKILL, as a crash or the OOM killer would: the zygote, the runner and
every spinner must be gone within a few seconds (parent-death signals, the PID namespace's
init), and so must the worker's cgroups.
"""

from __future__ import annotations

import os
import secrets
import signal
import threading
import time
from pathlib import Path

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample
from codehazard.sandbox._cgroup import _own_groups
from codehazard.sandbox._prepare import prepare_task
from codehazard.sandbox._worker import SandboxWorker
from codehazard.tasks import task_from_dict

GRACE = 5.0
SPINNERS = 2

TASK = task_from_dict(
    {
        "task_id": "crash/add",
        "prompt": "def add(a, b):\n",
        "canonical_solution": "    return a + b\n",
        "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
        "entry_point": "add",
    }
)

SPINNER_PROGRAM = """
import os, sys, time
def add(a, b):
    for _ in range({n}):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, "-c", "while True: pass", "{marker}"])
            os._exit(0)
    time.sleep(60)
    return a + b
"""


def _alive(pid: int) -> bool:
    """Is ``pid`` a live process (a zombie waiting for its reaper counts as dead)?"""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] not in ("Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _descendants(pid: int) -> set[int]:
    seen: set[int] = set()
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _with_marker(marker: str) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def _groups_of(worker_pid: int) -> list[Path]:
    found = []
    for parent in _own_groups():
        try:
            found += [p for p in parent.iterdir() if p.name.startswith(f"codehazard-{worker_pid}-")]
        except OSError:
            continue
    return found


def _wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


@pytest.mark.slow
def test_killing_a_worker_mid_sample_leaves_nothing() -> None:
    marker = f"codehazard-spinner-{secrets.token_hex(6)}"
    program = SPINNER_PROGRAM.format(n=SPINNERS, marker=marker)
    limits = Limits(timeout=3.0, max_processes=1024)  # the uid may be shared on a host
    ev = Evaluator({TASK.task_id: TASK}, workers=1, limits=limits, retries=0)
    try:
        slot = ev._slots[0]
        assert slot.process is not None
        worker = slot.process.pid
        future = ev.submit(Sample("k", TASK.task_id, 0, {}, program))
        assert _wait_for(lambda: len(_with_marker(marker)) >= SPINNERS, 20.0), "no spinner"
        tree = _descendants(worker)  # the zygote, the runner, the spinners
        assert _with_marker(marker) <= tree, "a spinner is not a descendant of the worker"
        created = _groups_of(worker)
        os.kill(worker, signal.SIGKILL)
        gone = _wait_for(lambda: not any(_alive(p) for p in tree), GRACE)
        assert gone, f"still running {GRACE}s after the worker died: {sorted(filter(_alive, tree))}"
        assert not _with_marker(marker)
        verdict = future.result(timeout=60)
        assert verdict.status == "infra", verdict  # the harness's failure, never the model's
        assert _wait_for(lambda: not _groups_of(worker), GRACE), (created, _groups_of(worker))
    finally:
        ev.close()
    assert not _with_marker(marker)


def test_the_runner_dies_with_its_zygote() -> None:
    """Kill only the zygote: the runner, PID 1 of the sample's namespace, goes with it."""
    marker = f"codehazard-spinner-{secrets.token_hex(6)}"
    program = SPINNER_PROGRAM.format(n=1, marker=marker)
    worker = SandboxWorker(0)
    worker.start()
    left: list[list[int]] = []

    def kill_zygote() -> None:  # from a thread: the judge needs the main thread's signals
        if not _wait_for(lambda: _with_marker(marker), 20.0):
            left.append([-1])
            return
        assert worker._proc is not None
        tree = _descendants(worker._proc.pid)
        os.kill(worker._proc.pid, signal.SIGKILL)
        _wait_for(lambda: not any(_alive(p) for p in tree), GRACE)
        left.append(sorted(filter(_alive, tree)))

    killer = threading.Thread(target=kill_zygote, daemon=True)
    try:
        killer.start()
        verdict, retry = worker._check_once(
            prepare_task(TASK), program, Limits(timeout=20.0, max_processes=1024)
        )
        killer.join(timeout=30)
        assert left == [[]], f"alive {GRACE}s after the zygote died: {left}"
        assert verdict.status == "infra" and retry, verdict
    finally:
        worker.close()
    assert not _with_marker(marker)


def test_groups_of_a_worker_killed_with_its_whole_tree_are_removed_by_the_next(
    tmp_path: Path,
) -> None:
    """A SIGKILL to the whole process tree leaves nobody to remove a worker's cgroups: the next
    worker to start removes the empty groups of workers whose process is gone, and leaves a
    live worker's alone."""
    from codehazard.sandbox._cgroup import WorkerCgroups, _locate

    parents = sorted({p for p, _ in _locate().values() if os.access(p, os.W_OK)})
    if not parents:
        pytest.skip("no writable cgroup here")
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)  # a pid no process has now
    orphans = [p / f"codehazard-{pid}-0" for p in parents]
    live = [p / f"codehazard-{os.getpid()}-99" for p in parents]
    for path in orphans + live:
        (path / "s0").mkdir(parents=True)
    try:
        groups = WorkerCgroups.create(f"codehazard-{os.getpid()}-98")
        groups.remove()
        assert not [p for p in orphans if p.exists()]
        assert all(p.exists() for p in live)
    finally:
        for path in orphans + live:
            for sub in (path / "s0", path):
                if sub.exists():
                    sub.rmdir()
