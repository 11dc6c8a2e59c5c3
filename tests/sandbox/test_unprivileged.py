"""The sandbox as an ordinary user: user namespace, dropped capabilities, watched memory.

Runs a script as ``nobody`` when the test runs as root (``tests.restricted_hosts.as_nobody``,
which shows an interpreter under a private home to ``nobody`` in a private mount namespace).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SCRIPT = r"""
import json, sys
from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample
from codehazard.tasks import load_tasks

REMOUNT = '''
import ctypes
def add(a, b):
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.mount(None, b"/usr", None, 0x20 | 0x1000, None)  # MS_REMOUNT|MS_BIND: rw
'''
SPREAD = '''
import os, time
def add(a, b):
    for _ in range(4):
        if os.fork() == 0:
            blob = bytearray(120 * 1024 * 1024)
            for i in range(0, len(blob), 4096):
                blob[i] = 1
            time.sleep(30)
            os._exit(0)
    time.sleep(30)
'''
tasks = load_tasks(sys.argv[1])
out = {}
limits = Limits(timeout=10.0, memory_mb=300, max_processes=16)
with Evaluator(tasks, workers=1, limits=limits) as ev:
    def run(program):
        v = ev.submit(Sample("k", "toy/add", 0, {}, program)).result(timeout=60)
        return [v.status, v.detail]
    out["isolation"] = ev.isolation
    out["reference"] = run(tasks["toy/add"].reference_program)
    out["remount"] = run(REMOUNT)
    out["spread"] = run(SPREAD)
print(json.dumps(out))
"""


def _runner_for_nobody() -> list[str]:
    from tests.restricted_hosts import as_nobody

    return as_nobody()  # skips where root cannot become nobody with this interpreter


@pytest.mark.slow
def test_sandbox_as_an_ordinary_user() -> None:
    from tests.conftest import TOY_TASKS

    prefix = _runner_for_nobody()
    with tempfile.TemporaryDirectory(prefix="codehazard-nobody-") as where:
        tmp_path = Path(where)
        tmp_path.chmod(0o777)  # pytest's own temporary directories are private to root
        _run_as_nobody(prefix, tmp_path, TOY_TASKS)


def _run_as_nobody(prefix: list[str], tmp_path: Path, toy_tasks: list[dict[str, object]]) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text("".join(json.dumps(t) + "\n" for t in toy_tasks))
    tasks.chmod(0o644)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    env.update(PYTHONPATH=src, PYTHONDONTWRITEBYTECODE="1", CODEHAZARD_STORE=str(tmp_path / "s"))
    result = subprocess.run(
        [
            *prefix,
            "env",
            *(f"{k}={v}" for k, v in env.items()),
            sys.executable,
            "-c",
            SCRIPT,
            str(tasks),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    iso = out["isolation"]
    assert iso["user_namespace"] is True and iso["pid_namespace_per_sample"] is True
    assert iso["level"] == "full" and iso["memory_limit"] in ("cgroup", "watched")
    assert out["reference"][0] == "passed", out["reference"]
    assert out["remount"][0] == "failed" and "returned -1" in out["remount"][1], out["remount"]
    assert out["spread"][0] == "memory", out["spread"]
