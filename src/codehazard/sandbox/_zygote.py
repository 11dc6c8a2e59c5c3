"""The sandboxed side: a zygote that isolates itself once, then forks one runner per sample.

Started by a worker as a fresh interpreter (``python -I``) with a scrubbed environment, so it
holds nothing of the caller's: no tasks, no tests, no expected outputs, no secrets. At start it
isolates itself (``_isolate``). Then, per sample:

* the zygote mounts a fresh private working directory, makes a new PID namespace for its next
  child and forks the *runner* (``_runner``), PID 1 of that namespace, so when the runner dies
  every process the sample made dies with it (setsid and double forks included);
* the runner applies its limits, loads the candidate program and answers calls from the trusted
  judge over two pipes carrying plain data only;
* the zygote captures stdout/stderr up to the output limit, enforces the wall deadline, kills
  the namespace when the worker closes the control pipe, and reports how the runner ended.

Nothing here decides a verdict: the trusted judge, outside, does. This module and those it
imports use only the standard library and this package's sandbox modules, all imported before
the pivot hides the package.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import socket
import sys
import time
from typing import Any

from codehazard.sandbox import _seccomp
from codehazard.sandbox import _syscalls as sc
from codehazard.sandbox._isolate import (
    PRELOAD,
    WORKDIR,
    fresh_workdir,
    isolate,
    processes_of,
    size_shm,
)
from codehazard.sandbox._runner import run_candidate, sample_environment, use_environment

OUT_HEAD = 4096  # bytes of the sample's output kept for the verdict
MAX_CGROUP_FDS = 3  # cgroup.procs of the sample's groups: v1 memory, cpu and cpuacct at most


def _kill_tree(pid: int, pid_ns: bool) -> None:
    try:
        if pid_ns:
            os.kill(pid, signal.SIGKILL)  # PID 1 of the namespace: the kernel kills the rest
        else:
            os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _watch(
    pid: int, out_r: int, ctl_r: int, limits: dict[str, Any], pid_ns: bool
) -> dict[str, Any]:
    """Capture output, enforce the deadline and the output cap, stop the runner on cancel."""
    wall = float(limits.get("wall_timeout", limits["timeout"]))  # the time limit is CPU time
    deadline = time.monotonic() + wall + 0.5
    cap = int(limits["max_output_kb"]) * 1024
    head, total, reason = bytearray(), 0, None
    pidfd = os.pidfd_open(pid)
    watched = [out_r, ctl_r, pidfd]
    while reason is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            reason = "timeout"
            break
        ready, _, _ = select.select(watched, [], [], remaining)
        if out_r in ready:
            chunk = os.read(out_r, 65536)
            if not chunk:
                watched.remove(out_r)
            total += len(chunk)
            if len(head) < OUT_HEAD:
                head += chunk[: OUT_HEAD - len(head)]
            if total > cap:
                reason = "output"
        if ctl_r in ready:
            reason = "cancel"
        if pidfd in ready and reason is None:
            reason = "exit"
    _kill_tree(pid, pid_ns)
    _, status = os.waitpid(pid, 0)
    os.close(pidfd)
    if out_r in watched:  # every writer is dead now: take what is left, within the cap
        os.set_blocking(out_r, False)
        try:
            while total <= cap and (chunk := os.read(out_r, 65536)):
                total += len(chunk)
                if len(head) < OUT_HEAD:
                    head += chunk[: OUT_HEAD - len(head)]
        except BlockingIOError:
            pass
    report: dict[str, Any] = {
        "reason": reason,
        "out_bytes": total,
        "out_head": head.decode("utf-8", "replace"),
    }
    if os.WIFSIGNALED(status):
        report["signal"] = os.WTERMSIG(status)
    else:
        report["exit"] = os.WEXITSTATUS(status)
    return report


def prefork(
    sock: socket.socket, state: dict[str, Any], held: tuple[int, ...] = ()
) -> dict[str, Any]:
    """Fork a sample's runner ahead of time, in a fresh PID namespace.

    The runner waits on a private socket for its pipes, limits and working directory, so
    forking and the runner's own start (the largest fixed costs of a sample, about 2 ms on
    a small virtual machine) overlap with the sample before it: ``run_sample`` forks the next
    runner as soon as it has handed the current one its sample. ``held`` are the current
    sample's descriptors, which the new runner closes at once. The working directory is
    mounted later, once the current sample is gone (``next_workdir``); the runner is in the
    zygote's mount namespace and sees it when it starts the sample.
    """
    pid_ns = bool(state["isolation"].get("pid_per_sample"))
    if pid_ns:  # reset the namespace for children to our own, then make a new one
        sc.setns(state["pidns_fd"], sc.CLONE_NEWPID)
        sc.unshare(sc.CLONE_NEWPID)
    out_r, out_w = os.pipe()
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        # Dies with the zygote: as PID 1 of the sample's namespace, its death kills the rest.
        # Set again after the runner's uid drop, which clears it; if the zygote is gone
        # already, the recv below reads EOF.
        sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
        for fd in (sock.fileno(), mine.fileno(), out_r, *held):
            os.close(fd)
        data, fds, _, _ = socket.recv_fds(theirs, 1 << 16, 2 + MAX_CGROUP_FDS)
        if not data or len(fds) < 2:
            os._exit(0)
        # Its own session: kill(0, sig) and killpg reach no process of ours. Only now, with
        # its sample: the worker's watch knows the running sample's runner by it (the next
        # sample's, forked while this one runs, is not yet a session leader).
        os.setsid()
        config = json.loads(data)
        config["new_ipc"] = bool(state["isolation"].get("ipc"))
        config["proc_fd"] = state["proc_fd"]
        config["cgroup_fds"] = fds[2:]  # the sample's own cgroups, joined before any limit
        config["max_processes"] = int(config["max_processes"]) + state["nproc_base"]
        config["seccomp"] = bool(state["isolation"]["seccomp"].get("available"))
        config["environment_set"] = state["workdir_fixed"]
        run_candidate(fds, out_w, theirs.fileno(), config, state["uid"], config["workdir"])
    os.close(out_w)
    theirs.close()
    return {
        "pid": pid,
        "out_r": out_r,
        "hand": mine,
        "pid_ns": pid_ns,
        "sock": sock,
        "state": state,
    }


def next_workdir(state: dict[str, Any]) -> str:
    """The next sample's working directory: a fresh tmpfs (or host directory), made once the
    sample before it is gone (after its report is sent, so while the worker finishes its
    verdict), so nothing of one sample is left for the next."""
    if state.get("next_workdir") is None:
        state["next_workdir"] = fresh_workdir(state, {"max_disk_mb": state["disk_mb"]})
    return str(state["next_workdir"])


def _setup_failure(hand: socket.socket) -> str | None:
    """The runner's own report that it failed before the candidate's code ran, if any."""
    hand.setblocking(False)
    try:
        data = hand.recv(1 << 16)
    except (BlockingIOError, OSError):
        return None
    return data.decode("utf-8", "replace") if data else None


def run_sample(runner: dict[str, Any], fds: list[int], limits: dict[str, Any]) -> dict[str, Any]:
    """Hand the preforked runner its pipes and limits, fork the next runner, watch this one to
    its end, and report."""
    state = runner["state"]
    try:
        workdir = next_workdir(state)
        state["next_workdir"] = None  # used now: the next sample gets a fresh one
        message = json.dumps({**limits, "workdir": workdir}).encode()
        socket.send_fds(runner["hand"], [message], fds[:2] + fds[3:])
        for fd in fds[:2] + fds[3:]:
            os.close(fd)
        held = (fds[2], runner["out_r"], runner["hand"].fileno())
        state["ahead"] = prefork(runner["sock"], state, held)
        report = _watch(runner["pid"], runner["out_r"], fds[2], limits, runner["pid_ns"])
        failure = _setup_failure(runner["hand"])
        if failure is not None:
            return {"reason": "infra", "detail": failure[-1000:]}
        return report
    finally:
        runner["hand"].close()
        os.close(runner["out_r"])
        os.close(fds[2])


def serve(sock: socket.socket, state: dict[str, Any]) -> None:
    """The zygote's loop: one message (plus three descriptors) per sample, until EOF."""
    runner: dict[str, Any] | None = None
    while True:
        if runner is None:
            runner = state.pop("ahead", None) or prefork(sock, state)
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3 + MAX_CGROUP_FDS)
        if not data:
            _kill_tree(runner["pid"], runner["pid_ns"])
            return
        if not 3 <= len(fds) <= 3 + MAX_CGROUP_FDS:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"reason": "infra", "detail": "bad request"}).encode())
            continue
        try:
            limits = json.loads(data)["limits"]
            size_shm(state, limits["memory_mb"])
            report = run_sample(runner, fds, limits)
        except Exception as exc:
            report = {"reason": "infra", "detail": f"zygote failed: {exc!r}"}
        runner = None
        sock.send(json.dumps(report).encode())
        next_workdir(state)  # the sample is gone: its directory is replaced while it is judged


def main() -> None:
    """Entry point: ``python -I -c '...main()' CONFIG_FD`` (a file holding the JSON config)."""
    with os.fdopen(int(sys.argv[1]), "rb") as fh:
        config = json.loads(fh.read())
    sock = socket.socket(fileno=config["sock_fd"])
    sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != config["parent"]:
        os._exit(1)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]  # not the job's backstop of a worker
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))  # that restarted us mid-job
    for name in PRELOAD:
        __import__(name)
    for name in config.get("preload", ()):  # checkers' trusted drivers, hidden after the pivot
        try:
            __import__(name)
        except ImportError as exc:
            sock.send(json.dumps({"error": f"cannot import driver module {name}: {exc}"}).encode())
            os._exit(1)
    config["pidns_fd"] = os.open("/proc/self/ns/pid", os.O_RDONLY)
    proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)  # for per-sample IPC sysctls
    state: dict[str, Any] = {"nproc_base": 0}
    if os.getuid() != 0:  # RLIMIT_NPROC counts all the caller's processes, not the sample's
        state["nproc_base"] = processes_of(os.getuid()) + 1  # and the next sample's runner
    filter_probe = _seccomp.probe() if config["isolation"] != "none" else {"mode": "off"}
    state["isolation"] = isolate(config)
    state["isolation"]["seccomp"] = filter_probe
    state["pidns_fd"] = config["pidns_fd"]
    state["proc_fd"] = proc_fd if state["isolation"].get("ipc") else None
    uid = config.get("uid")
    mapped = os.getuid() == 0 and state["isolation"].get("uid_mapped")  # can switch to it
    state["uid"] = uid if mapped else None
    state["isolation"]["uid"] = state["uid"]
    state["disk_mb"] = config.get("max_disk_mb", 64)
    state["workdir"] = config.get("workdir", WORKDIR)
    state["workdir_fixed"] = bool(state["isolation"].get("private_root"))  # else one per sample
    if state["workdir_fixed"]:  # every runner inherits the sample's environment as it is
        use_environment(sample_environment(state["workdir"]))
    sock.send(json.dumps({"hello": state["isolation"]}).encode())
    gc.collect()
    gc.freeze()  # runners never scan the zygote's objects, so fewer copy-on-write page faults
    serve(sock, state)
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
