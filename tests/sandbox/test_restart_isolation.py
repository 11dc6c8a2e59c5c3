"""A restarted sandbox that obtains less isolation than the run started with never judges.

Made for real: a worker is killed mid-run and the host then refuses what the first worker got
(its cgroup hierarchies made read-only, in a private mount namespace of the test's own), or a
zygote restarted inside a worker meets a seccomp filter refusing every namespace. The run must
stop with ``IsolationRefused`` (exit 3 at the command line) saying what was lost, and no verdict
may carry less than the isolation it records.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codehazard.sandbox._policy import IsolationRefused, lost_guarantees, require_kept
from tests.restricted_hosts import SRC

ROOT = SRC.parent
FULL = {
    "level": "full",
    "network_namespace": True,
    "mount_namespace": True,
    "private_root": True,
    "pid_namespace_per_sample": True,
    "ipc_uts_namespaces": True,
    "unprivileged_uid": 2147418200,
    "memory_cgroup": True,
    "cpu_cgroup": True,
    "private_dev_shm": True,
    "seccomp": "filter",
    "time_limit": "cpu-cgroup",
    "uid_range": {"note": "leased"},
    "errors": [],
}


def test_a_restart_that_keeps_everything_is_accepted_and_any_loss_is_named() -> None:
    require_kept(FULL, dict(FULL), "full")
    unleased = {**FULL, "uid_range": {"note": "unleased (no lock directory: EACCES)"}}
    no_cgroup = {**FULL, "memory_cgroup": False, "cpu_cgroup": False, "errors": ["EROFS"]}
    assert lost_guarantees(FULL, unleased) == [
        "a leased uid (now unleased (no lock directory: EACCES))"
    ]
    with pytest.raises(IsolationRefused) as info:
        require_kept(FULL, no_cgroup, "full")  # still "full": the bounds count too
    message = str(info.value)
    assert "less isolation than the run started with" in message
    assert "a memory cgroup per sample" in message and "EROFS" in message
    assert info.value.refused == [
        "a memory cgroup per sample",
        "a cpu cgroup per sample (one core)",
    ]
    with pytest.raises(IsolationRefused, match="below the required 'full'"):
        require_kept(FULL, {**FULL, "level": "rlimits-only"}, "full")


POOL_SCRIPT = r"""
import ctypes, json, os, signal, sys, time
from codehazard.runs import evaluate
from codehazard.sandbox import IsolationRefused, remove_worker_groups
from codehazard.store import Store

libc = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_REMOUNT, MS_BIND = 0x1, 0x20, 0x1000
out = {"isolations": []}


def children():
    kids = []
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/children") as fh:
            kids += [int(p) for p in fh.read().split()]
    return kids


def gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


def break_the_host(state):
    if state.done != 1 or "killed" in out:
        return
    for pid in children():  # the worker: kill it as the OOM killer would
        os.kill(pid, signal.SIGKILL)
        while not gone(pid):
            time.sleep(0.01)
        remove_worker_groups(pid)
        out["killed"] = pid
    if sys.argv[4] == "leases":  # then no uid can be leased: the lock directory is read-only
        os.makedirs("/run/codehazard", exist_ok=True)
        if libc.mount(b"tmpfs", b"/run/codehazard", b"tmpfs", MS_RDONLY, b"mode=755"):
            raise OSError(ctypes.get_errno(), "mount a read-only /run/codehazard")
        return
    with open("/proc/self/mountinfo") as fh:  # then no new cgroup can be made
        for line in fh:
            fields = line.split()
            if fields[fields.index("-") + 1] in ("cgroup", "cgroup2"):
                point = fields[4].encode()
                if libc.mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None):
                    raise OSError(ctypes.get_errno(), "remount read-only")


store = Store(sys.argv[3])
try:
    evaluate(sys.argv[1], sys.argv[2], store=store, workers=1, progress=break_the_host)
    out["refused"] = None
except IsolationRefused as exc:
    out["refused"] = str(exc)
    out["lost"] = exc.refused
run = store.list_runs()[0]
out["status"] = store.get_run(run.id).status
out["verdicts"] = [
    [r.verdict.status, r.verdict.isolation.get("memory_limit")]
    for r in store.records(run.id) if r.verdict is not None
]
print(json.dumps(out))
"""


def _toy_files(where: Path) -> tuple[Path, Path]:
    from tests.conftest import TOY_TASKS

    tasks = where / "tasks.jsonl"
    tasks.write_text(json.dumps(TOY_TASKS[0]) + "\n")
    samples = where / "samples.jsonl"
    line = json.dumps({"task_id": "toy/add", "completion": "    return a + b\n"})
    samples.write_text((line + "\n") * 4)
    return tasks, samples


@pytest.mark.slow
def test_a_worker_restarted_without_cgroups_stops_the_run(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a private mount namespace")
    if not Path("/proc/self/cgroup").exists():
        pytest.skip("no cgroups here")
    tasks, samples = _toy_files(tmp_path)
    command = ["unshare", "-m", "--propagation", "private", sys.executable, "-c", POOL_SCRIPT]
    command += [str(samples), str(tasks), str(tmp_path / "store.sqlite"), "cgroups"]
    out = _run_pool_script(command)
    if out.get("killed") is None:
        pytest.skip("the first worker had no cgroup to lose here")
    assert out["refused"], out
    assert "less isolation than the run started with" in out["refused"]
    assert "a memory cgroup per sample" in out["lost"], out
    assert out["status"] != "complete"
    # what was judged, was judged with what the run started with: a memory cgroup
    assert out["verdicts"] and all(v == ["passed", "cgroup"] for v in out["verdicts"]), out


def _run_pool_script(command: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": f"{SRC}:{ROOT}"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_a_worker_that_cannot_lease_a_uid_on_restart_stops_the_run(tmp_path: Path) -> None:
    """A worker restarted after a crash that cannot start at all (no uid can be leased: here
    the lease directory is read-only, as when every lease is taken) stops the run with a
    refusal saying why, instead of ending each remaining sample as ``infra`` after retries."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root (uid leases) and unshare for a private mount namespace")
    tasks, samples = _toy_files(tmp_path)
    command = ["unshare", "-m", "--propagation", "private", sys.executable, "-c", POOL_SCRIPT]
    command += [str(samples), str(tasks), str(tmp_path / "store.sqlite"), "leases"]
    out = _run_pool_script(command)
    assert out.get("killed"), out
    assert out["refused"], out
    assert "no private uid could be leased" in out["refused"], out
    assert "Read-only file system" in out["refused"], out
    assert out["lost"] == ["a private unprivileged uid"], out
    assert out["status"] != "complete"
    # judged before the crash, with the run's isolation; nothing judged after, nothing infra
    assert out["verdicts"] and all(v[0] == "passed" for v in out["verdicts"]), out


ZYGOTE_SCRIPT = r"""
import json, sys
from codehazard.sandbox import IsolationRefused, Limits
from codehazard.sandbox._prepare import prepare_task
from codehazard.sandbox._worker import SandboxWorker
from codehazard.tasks import task_from_dict
from tests.conftest import TOY_TASKS
from tests.restricted_hosts import _install_denial

task = prepare_task(task_from_dict(TOY_TASKS[0]))
program = TOY_TASKS[0]["prompt"] + TOY_TASKS[0]["canonical_solution"]
worker = SandboxWorker(0)
out = {"first": worker.start()["level"]}
out["before"] = worker.check(task, program, Limits()).status
_install_denial()  # from now on no process of ours can make a namespace
worker.close_zygote()  # as if it crashed: the next sample restarts it
try:
    verdict = worker.check(task, program, Limits())
    out["after"] = [verdict.status, verdict.isolation["level"]]
except IsolationRefused as exc:
    out["refused"] = str(exc)
    out["isolation"] = worker.isolation["level"]
finally:
    worker.close()
print(json.dumps(out))
"""


@pytest.mark.slow
def test_a_zygote_restarted_without_namespaces_judges_nothing() -> None:
    env = {**os.environ, "PYTHONPATH": f"{SRC}:{ROOT}"}
    command = [sys.executable, "-c", ZYGOTE_SCRIPT]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if out["first"] != "full":
        pytest.skip(f"the sandbox starts at {out['first']} here: nothing to lose")
    assert out["before"] == "passed"
    assert "after" not in out, out  # never a verdict judged at the lower level
    assert "less isolation than the run started with" in out["refused"]
    assert "no network" in out["refused"] and out["isolation"] == "rlimits-only"
