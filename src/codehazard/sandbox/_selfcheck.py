"""``codehazard sandbox check``: which of the sandbox's guarantees hold on this host.

In the spirit of Inspect's sandbox self-check: first capability probes, each in a throwaway
child process (user, mount, PID, network and IPC namespaces; cgroup memory and cpu
controllers; seccomp through ``_seccomp.probe()`` where that module exists; the parent-death
signal), then the real sandbox: the isolation level its workers obtain, a small attack set
(``_selfcheck_attacks``) judged through a real evaluator, and a worker killed mid-sample. A
guarantee *promised* is one the level obtained claims; the check passes when every promised
guarantee held and the level is at least the one required.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from codehazard.sandbox import _syscalls as sc
from codehazard.sandbox._policy import parse_level, rank

# guarantee -> (what it means, the isolation record's field that claims it, or None: always)
GUARANTEES: dict[str, tuple[str, str | None]] = {
    "network": ("no network: the host's loopback is unreachable", "network_namespace"),
    "host_files": (
        "host files (tasks, store, /tmp) can be neither read nor written",
        "private_root",
    ),
    "packages_data": (
        "data of installed packages (share/, benchmark files) is hidden",
        "private_root",
    ),
    "host_processes": ("host processes and their command lines are out of view", "private_root"),
    "environment": ("the caller's environment (API keys) does not reach the candidate", None),
    "verdict": ("exit codes and lookalike values cannot make a sample pass", None),
    "nothing_outlives": ("no process of a sample outlives it", "pid_namespace_per_sample"),
    "dies_with_worker": (
        "a killed worker takes its zygote, runner and their children",
        "pid_namespace_per_sample",
    ),
}
GRACE = 5.0
# Generous: RLIMIT_NPROC counts every process of the sandbox's uid, which other evaluations on
# the host may share; the check must not fail for want of a fork.
LIMITS = {"timeout": 3.0, "max_processes": 256}


def _in_child(body: Callable[[], None]) -> tuple[bool, str]:
    """Run ``body`` in a forked child; (it returned, the error it raised)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        code = 0
        try:
            body()
        except BaseException as exc:
            os.write(write, str(exc).encode()[:500])
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        message = fh.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0, message or "refused"


def _unshare(flag: int) -> Callable[[], None]:
    as_user = 0 if os.geteuid() == 0 else sc.CLONE_NEWUSER
    return lambda: sc.unshare(flag | as_user)


def _namespace_probe(flag: int) -> tuple[bool, str]:
    """Can the sandbox make this namespace? As root without CAP_SYS_ADMIN, as the sandbox
    does, inside a user namespace of its own when the direct way is refused."""
    ok, why = _in_child(_unshare(flag))
    if ok:
        return True, "allowed"
    if os.geteuid() == 0 and flag != sc.CLONE_NEWUSER:
        in_userns, _ = _in_child(lambda: sc.unshare(flag | sc.CLONE_NEWUSER))
        if in_userns:
            return True, f"allowed in a user namespace of its own (directly: {why})"
    return False, why


def _pdeathsig() -> None:
    """A grandchild with PR_SET_PDEATHSIG dies when its parent is killed.

    Raises:
        OSError: it outlived its parent.
    """
    read, write = os.pipe()
    middle = os.fork()
    if middle == 0:
        if os.fork() == 0:
            sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
            os.write(write, os.getpid().to_bytes(8, "little"))
            time.sleep(30)
            os._exit(0)
        time.sleep(30)
        os._exit(0)
    os.close(write)
    grandchild = int.from_bytes(os.read(read, 8), "little")
    os.close(read)
    os.kill(middle, signal.SIGKILL)
    os.waitpid(middle, 0)
    deadline = time.monotonic() + GRACE
    while _alive(grandchild):
        if time.monotonic() > deadline:
            os.kill(grandchild, signal.SIGKILL)
            raise OSError("a child with a parent-death signal outlived its parent")
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _cgroup_probe(controller: str) -> tuple[bool, str]:
    from codehazard.sandbox._cgroup import WorkerCgroups, _own_groups

    if controller == "memory":
        try:
            group = WorkerCgroups.create(f"codehazard-check-{os.getpid()}")
        except OSError as exc:
            return False, str(exc)
        group.remove()
        if "memory" not in group.dirs:
            return False, "; ".join(group.errors) or "no memory controller for this process"
        directory, version = group.dirs["memory"]
        return True, f"cgroup v{version} at {directory.parent}"
    for group in _own_groups():
        found = ""
        if group.name == controller or group.parent.name == controller:
            found = f"cgroup v1 {group}"
        controllers = group / "cgroup.controllers"
        if controllers.exists() and controller in controllers.read_text().split():
            found = f"cgroup v2 {group}"
        if found and os.access(group, os.W_OK):
            return True, found
        if found:
            return False, f"{found} is not writable by this user (not delegated)"
    return False, f"no {controller} controller for this process"


def _seccomp() -> dict[str, Any]:
    from codehazard.sandbox import _seccomp

    try:
        found = dict(_seccomp.probe())
    except Exception as exc:  # a probe that breaks is reported, never fatal to the check
        return {"ok": False, "detail": f"probe failed: {exc}"}
    if not found.get("available"):
        return {
            "ok": False,
            "detail": f"not available: {found.get('reason', 'unknown')}",
            "probe": found,
        }
    detail = (
        f"{found.get('mode')} on {found.get('arch')}: {found.get('allowed_syscalls')} calls "
        f"allowed, {len(found.get('argument_checked', []))} argument-checked, the rest "
        f"{found.get('default_action')}"
    )
    return {"ok": True, "detail": detail, "probe": found}


def capabilities() -> dict[str, dict[str, Any]]:
    """What this host allows, probed in throwaway children (nothing here is changed)."""
    found: dict[str, dict[str, Any]] = {}
    for name, flag in (
        ("user_namespace", sc.CLONE_NEWUSER),
        ("mount_namespace", sc.CLONE_NEWNS),
        ("pid_namespace", sc.CLONE_NEWPID),
        ("network_namespace", sc.CLONE_NEWNET),
        ("ipc_namespace", sc.CLONE_NEWIPC),
    ):
        ok, why = _namespace_probe(flag)
        found[name] = {"ok": ok, "detail": why}
    for controller in ("memory", "cpu"):
        ok, why = _cgroup_probe(controller)
        found[f"cgroup_{controller}"] = {"ok": ok, "detail": why}
    found["seccomp"] = _seccomp()
    ok, why = _in_child(_pdeathsig)
    found["parent_death_signal"] = {
        "ok": ok,
        "detail": "the child died with its parent" if ok else why,
    }
    return found


@contextlib.contextmanager
def _traps() -> Iterator[dict[str, Any]]:
    """Host-side traps the attacks are aimed at: a listener, a planted file, a secret."""
    token = secrets.token_hex(6)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    where = Path(tempfile.mkdtemp(prefix="codehazard-check-"))
    planted = where / "planted.txt"
    planted.write_text("a host file the sandbox must not read\n")
    name = f"CODEHAZARD_CHECK_SECRET_{token.upper()}"
    secret = f"sk-check-{secrets.token_hex(8)}"
    os.environ[name] = secret
    values = {
        "PORT": listener.getsockname()[1],
        "PLANTED": str(planted),
        "TASKS": str(where / "tasks.jsonl"),
        "WRITTEN": f"/tmp/codehazard-check-{token}-written",
        "HOST_PID": os.getpid(),
        "SECRET": secret,
        "MARKER": f"codehazard-check-{token}",
    }
    try:
        yield {"values": values, "listener": listener, "dir": where}
    finally:
        os.environ.pop(name, None)
        listener.close()
        Path(values["WRITTEN"]).unlink(missing_ok=True)
        for path in where.iterdir():
            path.unlink()
        where.rmdir()


def marked_processes(marker: str) -> list[int]:
    """Live processes whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_gone(marker: str, timeout: float = GRACE) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := marked_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def _kill_all(pids: list[int]) -> None:
    """The check cleans up after a guarantee that did not hold."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _connected(listener: socket.socket) -> bool:
    try:
        conn, _ = listener.accept()
    except (BlockingIOError, OSError):
        return False
    conn.close()
    return True


# --- the real sandbox ----------------------------------------------------------------------------


def _contained(verdict: Any) -> tuple[bool, str]:
    text = verdict.model_dump_json()
    if verdict.status in ("passed", "infra"):
        return False, f"judged {verdict.status}: {verdict.detail[:200]}"
    if "LEAKED" in text:
        return False, verdict.detail[:300]
    return True, f"{verdict.status}: {verdict.detail[:120]}"


def _attack_run(mode: str, traps: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Judge every shipped attack in one real sandbox; the isolation record and, per
    guarantee, what went wrong (an empty list: it held)."""
    from codehazard.sandbox._layout import sandbox_hidden_paths
    from codehazard.sandbox._limits import Limits
    from codehazard.sandbox._prepare import prepare_task
    from codehazard.sandbox._selfcheck_attacks import ATTACKS, TASK
    from codehazard.sandbox._worker import SandboxWorker
    from codehazard.tasks import task_from_dict

    values = {**traps["values"], "HIDDEN": sandbox_hidden_paths()[:20]}
    prepared = prepare_task(task_from_dict(TASK))
    failures: dict[str, list[str]] = {g: [] for g in GUARANTEES}
    worker = SandboxWorker(0, mode)
    try:
        isolation = worker.start()
        for attack in ATTACKS:
            verdict = worker.check(prepared, attack.program.format(**values), Limits(**LIMITS))
            held, detail = _contained(verdict)
            if not held:
                failures[attack.guarantee].append(f"{attack.name}: {detail}")
        reference = worker.check(prepared, TASK["prompt"] + TASK["canonical_solution"], Limits())
        if reference.status != "passed":
            failures["verdict"].append(f"a correct solution was judged {reference.status}")
    finally:
        worker.close()
    if Path(values["WRITTEN"]).exists():
        failures["host_files"].append(f"write_host_tmp: {values['WRITTEN']} appeared on the host")
    if _connected(traps["listener"]):
        failures["network"].append("tcp_to_host_loopback: the host's listener was reached")
    if left := _wait_gone(values["MARKER"]):
        failures["nothing_outlives"].append(f"orphan_in_own_session: still running: {left}")
        _kill_all(left)
    return isolation, failures


def _crash_run(mode: str) -> list[str]:
    """Kill a worker mid-sample (a spinner in its own session running): what is left."""
    from codehazard.sandbox._cgroup import remove_worker_groups
    from codehazard.sandbox._selfcheck_attacks import SPINNER

    marker = f"codehazard-check-spin-{secrets.token_hex(6)}"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker to be killed
        code = 1
        try:
            from codehazard.sandbox._limits import Limits
            from codehazard.sandbox._prepare import prepare_task
            from codehazard.sandbox._selfcheck_attacks import TASK
            from codehazard.sandbox._worker import SandboxWorker
            from codehazard.tasks import task_from_dict

            worker = SandboxWorker(0, mode)
            worker.start()
            program = SPINNER.format(MARKER=marker)
            limits = Limits(**{**LIMITS, "timeout": 20.0})
            worker.check(prepare_task(task_from_dict(TASK)), program, limits)
        finally:
            os._exit(code)
    problems = []
    deadline = time.monotonic() + 10.0
    while not marked_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not marked_processes(marker):
        problems.append("the spinner never started")
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    if left := _wait_gone(marker):
        problems.append(f"still running {GRACE:g}s after the worker was killed: {left}")
        _kill_all(left)
    if groups := remove_worker_groups(pid):
        problems.append(f"cgroups left: {groups}")
    return problems


def self_check(required: str = "full") -> dict[str, Any]:
    """Probe this host, run the attack set through the real sandbox, say what holds.

    Returns one JSON-ready object: ``ok`` (every guarantee the level obtained promises held
    and the level is at least ``required``), ``level``, ``required``, ``refused``,
    ``resources`` (how memory, CPU share, time and the uid are bounded), ``capabilities``,
    ``guarantees`` (each with ``promised``, ``held`` and ``detail``) and the ``isolation``
    record. Must be called from the main thread (the judge uses an interval timer).

    Raises:
        InputError: ``required`` is not a level.
        SandboxError: the sandbox cannot start at all.
    """
    from codehazard.sandbox._policy import refused_guarantees, resource_notes, worker_mode

    required = parse_level(required)
    mode = worker_mode(required)
    caps = capabilities()
    with _traps() as traps:
        isolation, failures = _attack_run(mode, traps)
    if isolation.get("pid_namespace_per_sample"):  # else not promised: not worth 10 s
        failures["dies_with_worker"] = _crash_run(mode)
    else:
        failures["dies_with_worker"] = ["not tried: no PID namespace per sample"]
    guarantees = {}
    for name, (meaning, claim) in GUARANTEES.items():
        promised = claim is None or bool(isolation.get(claim))
        guarantees[name] = {
            "meaning": meaning,
            "promised": promised,
            "held": not failures[name],
            "detail": "; ".join(failures[name]) or "held",
        }
    level = str(isolation.get("level"))
    enough = rank(level) >= rank(required)
    ok = enough and all(g["held"] for g in guarantees.values() if g["promised"])
    return {
        "ok": ok,
        "level": level,
        "required": required,
        "refused": refused_guarantees(isolation),
        "resources": resource_notes(isolation),
        "capabilities": caps,
        "guarantees": guarantees,
        "isolation": isolation,
    }
