"""How a sample's end becomes its verdict's status: the limits over the checker's outcome.

The judge's outcome says what the test saw; the zygote's report and the worker's watch say how
the sample's processes ended. A limit the sample passed (output, memory, its own time) decides
the status whatever the checker saw; a runner that vanished is explained from the zygote's
account. Also here: the isolation record, which names the level a zygote obtained and says how
memory and time are bounded.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

from codehazard.sandbox._cgroup import WorkerCgroups
from codehazard.sandbox._limits import Limits, cpu_detail, idle_detail, wall_detail

_SIGNAL_NAMES = {s.value: s.name for s in signal.Signals}


@dataclass(frozen=True)
class Ending:
    """What the worker knows of a sample's end besides the judge's outcome."""

    out_bytes: int  # what the sample wrote on stdout and stderr
    killed: bool  # the runner ended by SIGKILL
    oom_killed: bool  # the memory cgroup's OOM killer struck during the sample
    memory_cgroup: bool  # memory is bounded by a cgroup (else watched from outside)
    tripped: str | None  # the limit the watch killed the sample for: memory, cpu, idle
    expired: str  # which of the judge's clocks ran out: "wall", "cpu" or ""
    cpu_used: float | None  # the sample's CPU seconds, when known
    idle: float  # seconds the sample slept or blocked by itself
    wall_timeout: float  # the wall-clock limit that applied


def decide(
    outcome: dict[str, Any], report: dict[str, Any], limits: Limits, end: Ending
) -> tuple[str, str, bool]:
    """Status and detail of the verdict, and whether a limit overrode the checker's outcome."""
    status, detail = outcome["status"], outcome.get("detail", "")
    overridden = True
    if end.out_bytes > limits.max_output_kb * 1024:
        status = "error"
        detail = f"output limit exceeded: wrote more than {limits.max_output_kb} KiB"
    elif end.tripped == "memory" or (end.oom_killed and (status != "passed" or end.killed)):
        how = "" if end.memory_cgroup else " (measured from outside: no memory cgroup)"
        status = "memory"
        detail = (
            "memory limit exceeded: the sample's processes together held over "
            f"{limits.memory_mb:g} MB{how}"
        )
    elif end.tripped == "cpu" and status != "passed":
        status, detail = "timeout", cpu_detail(limits, end.cpu_used, detail)
    elif end.tripped == "idle" and status != "passed":
        status, detail = "timeout", idle_detail(limits, end.cpu_used, end.idle, detail)
    else:
        overridden = False
        if status == "gone":
            status, detail = why_gone(report, detail)
        if status == "timeout" and end.expired == "cpu":
            detail += f" (the test's own computation used over {limits.timeout:g} s of CPU)"
        elif status == "timeout":
            detail += wall_detail(end.wall_timeout, end.cpu_used)
    return status, detail, overridden


def why_gone(report: dict[str, Any], during: str) -> tuple[str, str]:
    """Status and detail when the runner vanished, from the zygote's account.

    The runner's setup failures reach us as the zygote's ``infra`` report, on a path closed
    before the candidate's code runs; anything else that ends the runner is the candidate's.
    """
    where = f" during {during}" if during else " before answering"
    if report["reason"] == "timeout":
        return "timeout", f"time limit exceeded{where}"
    if "signal" in report:
        name = _SIGNAL_NAMES.get(report["signal"], str(report["signal"]))
        if name in ("SIGXCPU",):
            return "timeout", f"CPU time limit exceeded{where}"
        return "error", f"the candidate's process was killed by {name}{where}"
    return "error", f"the candidate's process exited with code {report.get('exit')}{where}"


def account_resources(
    got: dict[str, Any],
    cgroup: WorkerCgroups | None,
    watched: bool,
    requested: str,
    cgroup_error: str,
) -> dict[str, Any]:
    """Add to a zygote's account (``got``) how memory and time are bounded: by the sample's
    cgroup, by the worker's watch (``watched``), or per process only."""
    got["memory_cgroup"] = bool(cgroup and cgroup.memory)
    got["cpu_cgroup"] = bool(cgroup and cgroup.cpu)
    got["memory_limit"] = "per-process"
    if got["memory_cgroup"]:
        got["memory_limit"] = "cgroup"
    elif watched and requested != "none":
        got["memory_limit"] = "watched"
    got["time_limit"] = "wall"
    if cgroup is not None and cgroup.cpu_time and watched:
        got["time_limit"] = "cpu-cgroup"
    elif watched:
        got["time_limit"] = "cpu-watched"
    got["errors"] = list(got.get("errors", [])) + (cgroup.errors if cgroup else [])
    if cgroup_error:
        got["errors"].append(cgroup_error)
    return got


def describe_isolation(got: dict[str, Any]) -> dict[str, Any]:
    """Name the isolation level obtained and keep the facts behind it."""
    full = all(got.get(k) for k in ("network", "mount", "private_root", "pid_per_sample"))
    full = full and (got.get("uid") is not None or got.get("user_namespace"))
    seccomp = got.get("seccomp") or {"mode": "off"}
    full = full and bool(seccomp.get("available"))  # the keyrings are shared without it
    if got.get("requested") == "none":
        level = "none"
    elif full:
        level = "full"
    elif any(got.get(k) for k in ("network", "mount", "pid_per_sample")):
        level = "partial"
    else:
        level = "rlimits-only"
    return {
        "level": level,
        "network_namespace": bool(got.get("network")),
        "mount_namespace": bool(got.get("mount")),
        "private_root": bool(got.get("private_root")),
        "private_dev_shm": bool(got.get("shm")),
        "pid_namespace_per_sample": bool(got.get("pid_per_sample")),
        "user_namespace": bool(got.get("user_namespace")),
        "unprivileged_uid": got.get("uid"),
        "ipc_uts_namespaces": bool(got.get("ipc") and got.get("uts")),
        "scrubbed_environment": True,
        "memory_cgroup": bool(got.get("memory_cgroup")),
        "memory_limit": got.get("memory_limit", "per-process"),
        "cpu_cgroup": bool(got.get("cpu_cgroup")),
        "time_limit": got.get("time_limit", "wall"),
        "rlimits": ["as", "cpu", "fsize", "nofile", "nproc", "core"],
        "seccomp": seccomp.get("mode", "off"),
        "uid_range": got.get("uid_range"),
        "errors": got.get("errors", []) + [f"seccomp: {r}" for r in [seccomp.get("reason")] if r],
    }
