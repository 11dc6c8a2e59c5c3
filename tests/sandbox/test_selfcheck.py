"""``codehazard sandbox check``: capability probes and the shipped attack set, for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.sandbox._selfcheck import GUARANTEES, capabilities, self_check
from codehazard.sandbox._selfcheck_attacks import ATTACKS
from tests.restricted_hosts import docker_default

SRC = Path(__file__).resolve().parents[2] / "src"


def test_every_guarantee_has_an_attack_or_probe() -> None:
    tested = {a.guarantee for a in ATTACKS} | {"dies_with_worker"}
    assert tested == set(GUARANTEES)


def test_capability_probes_answer_without_changing_this_process() -> None:
    before = os.readlink("/proc/self/ns/mnt"), os.readlink("/proc/self/ns/net")
    caps = capabilities()
    assert (os.readlink("/proc/self/ns/mnt"), os.readlink("/proc/self/ns/net")) == before
    assert {"user_namespace", "mount_namespace", "pid_namespace", "network_namespace"} <= set(caps)
    assert {"cgroup_memory", "cgroup_cpu", "seccomp", "parent_death_signal"} <= set(caps)
    assert caps["parent_death_signal"]["ok"] is True
    if "codehazard.sandbox._seccomp" not in sys.modules:
        try:
            import codehazard.sandbox._seccomp  # noqa: F401
        except ImportError:
            assert caps["seccomp"] == {"ok": False, "detail": "not available"}


@pytest.mark.slow
def test_check_json_on_this_host(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sandbox", "check", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == (0 if result["ok"] else 3)
    if result["level"] == "full":
        assert code == 0, result["guarantees"]
        assert all(g["promised"] and g["held"] for g in result["guarantees"].values())


@pytest.mark.slow
def test_the_attacks_reach_what_no_isolation_leaves_open() -> None:
    """Control: without isolation the same attacks get through, so "held" means something."""
    result = self_check("none")
    assert result["level"] == "none"
    for name in ("network", "host_files", "packages_data", "host_processes"):
        g = result["guarantees"][name]
        assert not g["promised"] and not g["held"], (name, g)
    assert result["guarantees"]["verdict"]["held"] and result["ok"]


@pytest.mark.slow
def test_check_fails_when_the_host_refuses_namespaces() -> None:
    prefix = docker_default()  # no CAP_SYS_ADMIN and no namespaces, user ones included
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [*prefix, sys.executable, "-m", "codehazard", "sandbox", "check"]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "NOT OK: isolation rlimits-only (required full)" in refused.stdout
    assert "no   mount namespace" in refused.stdout
    accepted = subprocess.run(
        [*command, "--isolation", "rlimits-only", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    result = json.loads(accepted.stdout)
    assert result["level"] == "rlimits-only" and result["ok"] is True
    assert result["guarantees"]["environment"]["held"]
