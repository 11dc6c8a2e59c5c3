"""The minimum isolation policy: below the level asked for, evaluation refuses to start.

The refusal is tested for real: the CLI runs as a container under Docker's default profile
(root without CAP_SYS_ADMIN, and a seccomp filter refusing every namespace), and ``codehazard
evaluate`` must exit 3 saying what was refused and how to allow it, unless less is accepted
explicitly, which the summary then says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codehazard.errors import InputError, SandboxError
from codehazard.sandbox._policy import (
    IsolationRefused,
    parse_level,
    rank,
    record,
    refused_guarantees,
    require,
    resource_notes,
    worker_mode,
)
from tests.restricted_hosts import docker_default

FULL = {
    "level": "full",
    "network_namespace": True,
    "mount_namespace": True,
    "private_root": True,
    "pid_namespace_per_sample": True,
    "ipc_uts_namespaces": True,
    "unprivileged_uid": 123,
    "user_namespace": False,
    "errors": [],
}
SRC = Path(__file__).resolve().parents[2] / "src"


def test_levels_are_ordered_and_auto_means_full() -> None:
    assert [rank(x) for x in ("none", "rlimits-only", "partial", "full")] == [0, 1, 2, 3]
    assert parse_level("auto") == "full"
    assert worker_mode("none") == "none" and worker_mode("partial") == "auto"
    with pytest.raises(InputError, match=r"--isolation: unknown isolation level 'strict'.*full"):
        parse_level("strict", argument="--isolation")


def test_require_refuses_below_and_accepts_at_or_above() -> None:
    require(FULL, "full")
    partial = {**FULL, "level": "partial", "private_root": False, "errors": ["mount /x: EPERM"]}
    require(partial, "partial")
    require(partial, "rlimits-only")
    with pytest.raises(IsolationRefused) as info:
        require(partial, "full")
    message = str(info.value)
    assert isinstance(info.value, SandboxError)
    assert "'partial', below the required 'full'" in message
    assert "private read-only root" in message and "mount /x: EPERM" in message
    assert "kernel.unprivileged_userns_clone" in message and "`isolation=partial`" in message
    assert info.value.refused == refused_guarantees(partial)
    assert record(partial, "partial")["accepted_below_full"] is True
    kept = {k: v for k, v in record(FULL, "auto").items() if k != "resources"}
    assert kept == {**FULL, "required": "full", "accepted_below_full": False}
    assert record(FULL, "auto")["resources"] == resource_notes(FULL)


def _evaluate(prefix: list[str], tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    from tests.conftest import TOY_TASKS

    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps(TOY_TASKS[0]) + "\n")
    samples = tmp_path / "samples.jsonl"
    samples.write_text(
        json.dumps({"task_id": "toy/add", "completion": "    return a + b\n"}) + "\n"
    )
    command = [sys.executable, "-m", "codehazard", "evaluate", str(samples), "--tasks", str(tasks)]
    command += ["--store", str(tmp_path / "store.sqlite"), "--no-progress", *extra]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path
    )


@pytest.mark.slow
def test_evaluate_refuses_when_the_host_refuses_namespaces(tmp_path: Path) -> None:
    prefix = docker_default()
    refused = _evaluate(prefix, tmp_path)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    assert "below the required 'full'" in refused.stderr
    assert "no network" in refused.stderr and "Operation not permitted" in refused.stderr
    assert "--isolation rlimits-only" in refused.stderr
    accepted = _evaluate(prefix, tmp_path, "--isolation", "rlimits-only", "--json")
    assert accepted.returncode == 0, accepted.stderr
    summary = json.loads(accepted.stdout)
    assert summary["isolation"]["level"] == "rlimits-only"
    assert summary["isolation"]["required"] == "rlimits-only"
    assert summary["isolation"]["accepted_below_full"] is True
    text = _evaluate(prefix, tmp_path, "--isolation", "rlimits-only")
    assert "less than full isolation accepted: --isolation rlimits-only" in text.stdout


def test_resource_notes_say_what_bounds_each_resource_and_how_to_allow_what_is_missing() -> None:
    delegated = {
        **FULL,
        "memory_limit": "cgroup",
        "cpu_cgroup": True,
        "time_limit": "cpu-cgroup",
        "uid_range": {"note": "leased"},
    }
    memory, cpu, time, uid = resource_notes(delegated)
    assert "memory cgroup per sample" in memory and "one core" in cpu
    assert "from its cgroup" in time and "private uid 123" in uid and "leased" in uid
    undelegated = {**FULL, "memory_limit": "watched", "cpu_cgroup": False, "unprivileged_uid": None}
    undelegated |= {"user_namespace": True, "time_limit": "cpu-watched"}
    memory, cpu, time, uid = resource_notes(undelegated)
    assert "watched from outside" in memory and "Delegate=yes" in memory
    assert "unbounded" in cpu and "/proc" in time and "no private uid" in uid
    unleased = {**FULL, "uid_range": {"note": "unleased (no lock directory: EACCES)"}}
    assert "unleased (no lock directory" in resource_notes(unleased)[3]
    assert "wall-clock" in resource_notes({"level": "none"})[2]
