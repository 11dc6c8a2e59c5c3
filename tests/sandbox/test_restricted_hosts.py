"""Restricted hosts, for real: what the sandbox obtains there, and that it says so.

* Root without CAP_SYS_ADMIN (a container that drops it, user namespaces still allowed): full
  isolation through a user namespace of the sandbox's own, the private uid kept.
* An ordinary user (``nobody``) without a delegated cgroup: full isolation, memory watched and
  the CPU share unbounded, both said in the check and the summary with how to allow them; with
  no namespaces at all, ``evaluate`` refuses (exit 3) saying what the host refused.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.restricted_hosts import SRC, as_nobody, without_setuid, without_sys_admin


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory ``nobody`` may write (pytest's own are private to root)."""
    with tempfile.TemporaryDirectory(prefix="codehazard-restricted-") as where:
        path = Path(where)
        path.chmod(0o777)
        yield path


def _run(prefix: list[str], args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "codehazard", *args]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=cwd)


def _evaluate(prefix: list[str], where: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    from tests.conftest import TOY_TASKS

    tasks = where / "tasks.jsonl"
    tasks.write_text(json.dumps(TOY_TASKS[0]) + "\n")
    samples = where / "samples.jsonl"
    samples.write_text(
        json.dumps({"task_id": "toy/add", "completion": "    return a + b\n"}) + "\n"
    )
    for path in (tasks, samples):
        path.chmod(0o666)
    args = ["evaluate", str(samples), "--tasks", str(tasks), "--store", str(where / "s.sqlite")]
    return _run(prefix, [*args, "--workers", "1", "--no-progress", *extra], where)


@pytest.mark.slow
def test_root_without_sys_admin_gets_full_isolation_in_a_user_namespace(shared_dir: Path) -> None:
    prefix = without_sys_admin()
    checked = _run(prefix, ["sandbox", "check", "--json"], shared_dir)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    result = json.loads(checked.stdout)
    iso = result["isolation"]
    assert result["ok"] and result["level"] == "full", result["refused"]
    assert iso["user_namespace"] is True and isinstance(iso["unprivileged_uid"], int)
    assert iso["uid_range"]["note"] == "leased"
    assert "in a user namespace of its own" in result["capabilities"]["mount_namespace"]["detail"]
    assert all(g["held"] for g in result["guarantees"].values()), result["guarantees"]
    summary = _evaluate(prefix, shared_dir, "--json")
    assert summary.returncode == 0, summary.stderr[-2000:]
    recorded = json.loads(summary.stdout)["isolation"]
    assert recorded["level"] == "full" and recorded["user_namespace"] is True


@pytest.mark.slow
def test_root_without_setuid_keeps_full_isolation_and_says_why_no_private_uid(
    shared_dir: Path,
) -> None:
    """Root that also lacks CAP_SETUID can map only itself into its user namespace: samples run
    as root without capabilities, every guarantee still holds, and the record and the
    resources say that no private uid could be had, why, and how to allow one."""
    prefix = without_setuid()
    checked = _run(prefix, ["sandbox", "check", "--json"], shared_dir)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    result = json.loads(checked.stdout)
    iso = result["isolation"]
    assert result["ok"] and result["level"] == "full", result["refused"]
    assert iso["user_namespace"] is True and iso["unprivileged_uid"] is None
    assert any("no CAP_SETUID" in error for error in iso["errors"]), iso["errors"]
    assert all(g["held"] for g in result["guarantees"].values()), result["guarantees"]
    notes = " ".join(result["resources"])
    assert "root without CAP_SETUID" in notes and "grant CAP_SETUID" in notes, notes
    summary = _evaluate(prefix, shared_dir, "--json")
    assert summary.returncode == 0, summary.stderr[-2000:]
    run = json.loads(summary.stdout)
    assert run["status_counts"] == {"passed": 1}
    assert run["isolation"]["level"] == "full" and run["isolation"]["unprivileged_uid"] is None


@pytest.mark.slow
def test_an_ordinary_user_without_cgroups_is_told_what_is_watched(shared_dir: Path) -> None:
    prefix = as_nobody()
    checked = _run(prefix, ["sandbox", "check", "--json"], shared_dir)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    result = json.loads(checked.stdout)
    iso = result["isolation"]
    assert result["ok"] and result["level"] == "full"
    assert iso["user_namespace"] is True and iso["unprivileged_uid"] is None
    assert iso["memory_cgroup"] is False and iso["memory_limit"] == "watched"
    assert iso["cpu_cgroup"] is False and iso["time_limit"] == "cpu-watched"
    notes = " ".join(result["resources"])
    assert "watched from outside (no memory cgroup" in notes and "Delegate=yes" in notes
    assert "CPU share: unbounded" in notes and "no private uid" in notes
    cpu = result["capabilities"]["cgroup_cpu"]
    assert not cpu["ok"] and ("not delegated" in cpu["detail"] or "no cpu" in cpu["detail"])
    text = _run(prefix, ["sandbox", "check"], shared_dir)
    assert "resources:" in text.stdout and "CPU share: unbounded" in text.stdout
    summary = _evaluate(prefix, shared_dir, "--json")
    assert summary.returncode == 0, summary.stderr[-2000:]
    run = json.loads(summary.stdout)
    assert run["status_counts"] == {"passed": 1}
    assert run["isolation"]["memory_limit"] == "watched"
    assert any("no memory cgroup" in note for note in run["isolation"]["resources"])
    shown = _evaluate(prefix, shared_dir)
    assert "memory: watched from outside" in shown.stdout, shown.stdout


@pytest.mark.slow
def test_an_ordinary_user_without_namespaces_is_refused(shared_dir: Path) -> None:
    prefix = as_nobody(deny_namespaces=True)
    refused = _evaluate(prefix, shared_dir)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
    assert "below the required 'full'" in refused.stderr
    assert "user namespace" in refused.stderr and "Operation not permitted" in refused.stderr
    assert "kernel.unprivileged_userns_clone" in refused.stderr
    assert "--isolation rlimits-only" in refused.stderr
    checked = _run(prefix, ["sandbox", "check", "--json"], shared_dir)
    assert checked.returncode == 3
    assert json.loads(checked.stdout)["level"] == "rlimits-only"


@pytest.mark.slow
def test_no_cgroups_and_no_uid_lease_are_recorded_and_said(shared_dir: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare for a private mount namespace")
    script = (  # no cgroup hierarchy at all, and a lock directory others could write
        "set -e; umount -R -l /sys/fs/cgroup 2>/dev/null || true; mkdir -p /run/codehazard; "
        'mount -t tmpfs -o mode=777 tmpfs /run/codehazard; exec "$@"'
    )
    prefix = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"]
    checked = _run(prefix, ["sandbox", "check", "--json"], shared_dir)
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    result = json.loads(checked.stdout)
    iso = result["isolation"]
    assert result["level"] == "full" and iso["memory_limit"] == "watched"
    assert iso["cpu_cgroup"] is False and not result["capabilities"]["cgroup_memory"]["ok"]
    assert "no memory or cpu cgroup controller" in result["capabilities"]["cgroup_memory"]["detail"]
    assert iso["uid_range"]["note"].startswith("unleased (no lock directory")
    notes = " ".join(result["resources"])
    assert "no memory cgroup" in notes and "unleased" in notes
