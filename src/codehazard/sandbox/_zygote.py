"""The sandboxed side: a zygote that isolates itself once, then forks one child per sample.

Started by a worker as a fresh interpreter (``python -I``) with a scrubbed environment, so it
holds nothing of the caller's: no tasks, no tests, no expected outputs, no secrets. At start it
enters new mount, network, IPC and UTS namespaces (and a user namespace when not root), builds a
read-only root holding only the interpreter and libraries, and pivots into it. Then, per sample:

* the zygote mounts a fresh private working directory, makes a new PID namespace for its next
  child and forks the *runner*, PID 1 of that namespace, so when the runner dies every process
  the sample made dies with it (setsid and double forks included);
* the runner applies rlimits, drops to an unprivileged uid, loads the candidate program and
  answers calls from the trusted judge over two pipes carrying plain data only;
* the zygote captures stdout/stderr up to the output limit, enforces the wall deadline, kills
  the namespace when the worker closes the control pipe, and reports how the runner ended.

Nothing here decides a verdict: the trusted judge, outside, does. This module imports only the
standard library and ``_codec``/``_syscalls``, everything before the pivot.
"""

from __future__ import annotations

import builtins
import fcntl
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

from codehazard.sandbox import _syscalls as sc
from codehazard.sandbox._codec import CodecError, decode, dumps, encode

WORKDIR = "/work"
OUT_HEAD = 4096
PRELOAD = (
    "array", "bisect", "collections", "copy", "dataclasses", "datetime", "decimal",
    "fractions", "functools", "hashlib", "heapq", "itertools", "math", "operator", "random",
    "re", "statistics", "string", "typing",
)  # fmt: skip
_DEV_NODES = ("null", "zero", "full", "random", "urandom")
_ETC_FILES = ("ld.so.cache", "localtime", "passwd", "group", "nsswitch.conf")


def _bind_ro(source: str, target: str, is_dir: bool) -> None:
    if is_dir:
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a"):
            pass
    sc.mount(source, target, None, sc.MS_BIND | sc.MS_REC)
    sc.mount(
        None, target, None, sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY | sc.MS_NOSUID | sc.MS_NODEV
    )


def _build_root(root: str, ro_paths: list[str]) -> None:
    """Make ``root`` a tmpfs holding read-only binds of ``ro_paths``, /dev nodes and /work."""
    sc.mount("tmpfs", root, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV, "size=4m,mode=755")
    for path in ro_paths:
        target = root + path
        if os.path.islink(path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.lexists(target):
                os.symlink(os.readlink(path), target)
        elif os.path.isdir(path):
            _bind_ro(path, target, True)
    for name in _ETC_FILES:
        if os.path.isfile("/etc/" + name):
            _bind_ro("/etc/" + name, f"{root}/etc/{name}", False)
    os.makedirs(root + "/dev", exist_ok=True)
    for name in _DEV_NODES:  # device nodes need a bind without MS_NODEV
        target = f"{root}/dev/{name}"
        with open(target, "a"):
            pass
        sc.mount("/dev/" + name, target, None, sc.MS_BIND)
    os.makedirs(root + WORKDIR, exist_ok=True)
    os.symlink(WORKDIR, root + "/tmp")
    os.makedirs(root + "/.old", exist_ok=True)


def _hide(root: str, hidden: list[str]) -> None:
    """Cover each visible hidden path: an empty read-only tmpfs or an unopenable node."""
    for path in hidden:
        target = root + path
        if os.path.islink(target) or not os.path.exists(target):
            continue
        if os.path.isdir(target):
            sc.mount("tmpfs", target, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV | sc.MS_RDONLY, "size=4k")
        else:
            sc.mount("/dev/null", target, None, sc.MS_BIND)
            sc.mount(
                None,
                target,
                None,
                sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY | sc.MS_NOSUID | sc.MS_NODEV,
            )


def _enter_root(root: str) -> None:
    os.chdir(root)
    sc.pivot_root(".", ".old")
    os.chdir("/")
    sc.umount2("/.old", sc.MNT_DETACH)
    os.rmdir("/.old")
    sc.mount(
        "tmpfs",
        "/",
        None,
        sc.MS_REMOUNT | sc.MS_RDONLY | sc.MS_NOSUID | sc.MS_NODEV,
        "size=4m,mode=755",
    )


def _map_user() -> None:
    uid, gid = os.getuid(), os.getgid()
    sc.unshare(sc.CLONE_NEWUSER)
    with open("/proc/self/setgroups", "w") as fh:
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"0 {gid} 1")


def _own_pid_namespace(config: dict[str, Any]) -> int:
    """Become PID 1 of a PID namespace our user namespace owns; return its descriptor.

    Per-sample namespaces are made by ``setns`` back to the zygote's own PID namespace and a
    fresh ``unshare``; inside a user namespace that ``setns`` is allowed only for a PID
    namespace the user namespace owns, so the zygote forks into one first. The process left
    outside only waits: the worker's ``kill`` reaches it, and its death kills this one
    (``PDEATHSIG``) and with it every sample.
    """
    sc.unshare(sc.CLONE_NEWPID)
    pid = os.fork()
    if pid:
        os.close(config["sock_fd"])
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 0 and not os.path.exists(f"/proc/{config['parent']}"):
        os._exit(1)  # the worker is gone already
    os.close(config["pidns_fd"])
    return os.open("/proc/self/ns/pid", os.O_RDONLY)


def isolate(config: dict[str, Any]) -> dict[str, Any]:
    """Enter the strongest isolation this host allows; return what was obtained.

    Each step that fails is recorded with its error and the zygote carries on with less, so a
    restricted host still evaluates (at a lower, reported, level) instead of refusing. May
    replace ``config["pidns_fd"]`` (see ``_own_pid_namespace``).
    """
    got: dict[str, Any] = {"requested": config["isolation"], "errors": []}
    was_root = os.getuid() == 0
    got["user_namespace"] = False
    if config["isolation"] == "none":
        got.update(network=False, mount=False, pid_per_sample=False, private_root=False)
        return got
    if not was_root:
        try:
            _map_user()
            got["user_namespace"] = True
            config["pidns_fd"] = _own_pid_namespace(config)
        except OSError as exc:
            got["errors"].append(str(exc))
    for name, flag in (
        ("mount", sc.CLONE_NEWNS),
        ("network", sc.CLONE_NEWNET),
        ("ipc", sc.CLONE_NEWIPC),
        ("uts", sc.CLONE_NEWUTS),
    ):
        try:
            sc.unshare(flag)
            got[name] = True
        except OSError as exc:
            got[name] = False
            got["errors"].append(str(exc))
    got["private_root"] = False
    if got["mount"]:
        try:
            sc.mount(None, "/", None, sc.MS_REC | sc.MS_PRIVATE)
            _build_root(config["root"], config["ro_paths"])
            _hide(config["root"], config.get("hidden_paths", []))
            _enter_root(config["root"])
            got["private_root"] = True
        except OSError as exc:
            got["errors"].append(str(exc))
    got["pid_per_sample"] = _probe_pid_namespace(got, config["pidns_fd"])
    return got


def _processes_of(uid: int) -> int:
    """How many processes the real uid ``uid`` has now (read before the pivot hides /proc)."""
    count = 0
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                count += 1
        except OSError:
            continue
    return count


def _probe_pid_namespace(got: dict[str, Any], pidns_fd: int) -> bool:
    """Can we give each sample a PID namespace of its own, repeatedly?"""
    try:
        for _ in range(2):
            sc.setns(pidns_fd, sc.CLONE_NEWPID)
            sc.unshare(sc.CLONE_NEWPID)
            pid = os.fork()
            if pid == 0:
                os._exit(0 if os.getpid() == 1 else 1)
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise OSError("the child was not PID 1")
        return True
    except OSError as exc:
        got["errors"].append(f"per-sample PID namespace unavailable: {exc}")
        return False


def _fresh_workdir(state: dict[str, Any], limits: dict[str, Any]) -> str:
    """Mount a new empty tmpfs at /work (private root) or empty a host directory."""
    uid = state["uid"]
    if state["isolation"].get("private_root"):
        try:
            sc.umount2(WORKDIR, sc.MNT_DETACH)
        except OSError:
            pass
        owner = f",uid={uid},gid={uid}" if uid is not None else ""
        sc.mount(
            "tmpfs",
            WORKDIR,
            "tmpfs",
            sc.MS_NOSUID | sc.MS_NODEV,
            f"size={int(limits['max_disk_mb'])}m,nr_inodes=4096,mode=700{owner}",
        )
        return WORKDIR
    import shutil
    import tempfile

    work = tempfile.mkdtemp(prefix="codehazard-work-")
    if uid is not None:
        os.chown(work, uid, uid)
    state.setdefault("host_workdirs", []).append(work)
    for old in state["host_workdirs"][:-1]:
        shutil.rmtree(old, ignore_errors=True)
    del state["host_workdirs"][:-1]
    return work


# --- the runner: PID 1 of the sample's namespace, runs the candidate ------------------------


def _apply_limits(limits: dict[str, Any], uid: int | None) -> None:
    mb = 1024 * 1024
    cpu = int(limits["timeout"]) + 2
    for res, value in (
        (resource.RLIMIT_AS, int(limits["memory_mb"] * mb)),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, int(limits["max_file_mb"] * mb)),
        (resource.RLIMIT_NOFILE, int(limits["max_open_files"])),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, int(limits["max_processes"])),
    ):
        resource.setrlimit(res, (value, value))
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:  # uid 0 of our user namespace (or the caller's own uid): give up its capabilities
        sc.drop_capabilities()
    sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)


def _bound_ipc(limits: dict[str, Any]) -> None:
    """Cap System V shared memory in the sample's fresh IPC namespace at its memory limit.

    Shared memory detached from every process counts against no rlimit, and without a memory
    cgroup against nothing at all. These sysctls are per IPC namespace and looked up in the
    caller's, through a descriptor of /proc the zygote opened before the pivot.
    """
    proc_fd = limits.get("proc_fd")
    if proc_fd is None:
        return
    pages = int(limits["memory_mb"]) * 256  # 4 KiB pages
    for name, value in (
        ("shmmax", int(limits["memory_mb"]) * 1024 * 1024),
        ("shmall", pages),
        ("shmmni", 64),
    ):
        fd = os.open(f"sys/kernel/{name}", os.O_WRONLY, dir_fd=proc_fd)
        try:
            os.write(fd, str(value).encode())
        finally:
            os.close(fd)


def _send(fd: int, message: dict[str, Any] | bytes) -> None:
    data = message if isinstance(message, bytes) else dumps(message)
    while data:
        data = data[os.write(fd, data) :]


def _load(program: str, entry_point: str) -> tuple[dict[str, Any], Any]:
    """Compile and run the candidate program; return the ready message and the function."""
    try:
        code = compile(program, "<candidate>", "exec")
    except (SyntaxError, ValueError) as exc:
        return {"ready": False, "status": "syntax", "detail": f"{type(exc).__name__}: {exc}"}, None
    except MemoryError:
        return {"ready": False, "status": "memory", "detail": "MemoryError while compiling"}, None
    namespace: dict[str, Any] = {"__name__": "__candidate__", "__builtins__": builtins}
    try:
        exec(code, namespace)
    except MemoryError:
        return {"ready": False, "status": "memory", "detail": "MemoryError at import"}, None
    except BaseException as exc:  # the candidate's failure, reported as data
        return {
            "ready": False,
            "status": "error",
            "detail": f"{type(exc).__name__} at import: {str(exc)[:300]}",
        }, None
    fn = namespace.get(entry_point)
    if not callable(fn):
        return {
            "ready": False,
            "status": "error",
            "detail": f"the program does not define a function {entry_point!r}",
        }, None
    return {"ready": True}, fn


def _describe_raised(exc: BaseException) -> list[str]:
    """Name and message of the candidate's exception, even when its ``__str__`` misbehaves."""
    try:
        name = type(exc).__name__
        name = name if type(name) is str else "Exception"
    except BaseException:
        name = "Exception"
    try:
        message = str(exc)
        message = message[:300] if type(message) is str else ""
    except BaseException:
        message = "<the exception's message could not be read>"
    return [name, message]


def _answer(ident: Any, msg: dict[str, Any], fn: Any) -> bytes:
    """Call the candidate once and encode its answer (or its failure) as one reply line."""
    try:
        value = fn(*decode(msg["args"]), **decode(msg["kwargs"]))
    except BaseException as exc:  # the candidate raised: report it as data
        return dumps({"id": ident, "exc": _describe_raised(exc)})
    try:
        return dumps({"id": ident, "ok": encode(value)})
    except CodecError as exc:
        return dumps({"id": ident, "bad": str(exc)})
    except RecursionError:
        return dumps({"id": ident, "bad": "value nested too deeply"})


def _serve(req: Any, resp_fd: int, fn: Any) -> None:
    """Answer the judge's calls until it closes the request pipe.

    Anything going wrong here happens after the candidate's code ran (it may have installed
    signal handlers, exhausted memory or replaced descriptors), so it is the candidate's failure:
    the worst outcome is a failed call, never a harness failure.
    """
    while True:
        line = req.readline()
        if not line:
            return
        msg = json.loads(line)
        ident = msg["id"]
        memory_reply = dumps({"id": ident, "exc": ["MemoryError", "while answering"]})
        try:
            reply = _answer(ident, msg, fn)
        except MemoryError:
            reply = memory_reply
        except BaseException as exc:
            reply = dumps({"id": ident, "exc": ["Exception", f"answer failed: {type(exc)}"]})
        _send(resp_fd, reply)


SETUP_FD = 5  # the runner's trusted report of a setup failure, closed before candidate code


def run_candidate(
    fds: list[int], out_w: int, setup: int, limits: dict[str, Any], uid: int | None, workdir: str
) -> None:
    """Body of the runner process. Never returns.

    Until the candidate's program is loaded, a failure is the harness's: the runner reports it
    on ``setup`` (a socket only the zygote reads) and the sample is retried as ``infra``. That
    socket is closed before the candidate's code runs, so a candidate that exits with any code
    or prints anything cannot pass for a harness failure.
    """
    try:
        if limits.get("cgroup_fd") is not None:  # the whole sample under one memory limit
            os.write(limits["cgroup_fd"], b"0")
        if limits.get("new_ipc"):  # System V IPC objects die with the sample
            sc.unshare(sc.CLONE_NEWIPC)
            _bound_ipc(limits)
        # Move every source above the targets first, so no dup2 overwrites a later source.
        null = os.open("/dev/null", os.O_RDONLY)
        sources = [
            fcntl.fcntl(fd, fcntl.F_DUPFD, SETUP_FD + 1) for fd in (null, out_w, fds[0], fds[1])
        ]
        setup_high = fcntl.fcntl(setup, fcntl.F_DUPFD, SETUP_FD + 1)
        for target, fd in zip((0, 1, 3, 4), sources, strict=True):
            os.dup2(fd, target)
        os.dup2(sources[1], 2)
        os.dup2(setup_high, SETUP_FD)
        os.closerange(SETUP_FD + 1, 65536)
        os.chdir(workdir)
        os.environ.clear()
        os.environ.update(
            PATH="/usr/local/bin:/usr/bin:/bin", HOME=workdir, TMPDIR=workdir, LANG="C.UTF-8"
        )
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        _apply_limits(limits, uid)
        req = os.fdopen(3, "rb")
        first = json.loads(req.readline() or b"{}")
    except BaseException as exc:
        try:
            import traceback

            report = f"runner setup failed: {exc!r} {traceback.format_exc()[-600:]}"
            os.write(SETUP_FD, report.encode("utf-8", "replace")[:60000])
        finally:
            os._exit(70)
    os.close(SETUP_FD)
    code = 0
    try:
        ready, fn = _load(first.get("program", ""), first.get("entry_point", ""))
        _send(4, ready)
        if fn is not None:
            _serve(req, 4, fn)
    except BaseException:  # the candidate's doing (see _serve): the judge sees the call fail
        code = 1
    os._exit(code)


# --- the zygote: watches each runner itself, one sample at a time -------------------------


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
    deadline = time.monotonic() + float(limits["timeout"]) + 0.5
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


def prefork(sock: socket.socket, state: dict[str, Any]) -> dict[str, Any]:
    """Fork the next sample's runner ahead of time, in a fresh PID namespace and workdir.

    The runner waits on a private socket for its pipes and limits, so forking (the largest
    fixed cost of a sample) overlaps with the worker's judging of the previous sample.
    """
    pid_ns = bool(state["isolation"].get("pid_per_sample"))
    workdir = _fresh_workdir(state, {"max_disk_mb": state["disk_mb"]})
    if pid_ns:  # reset the namespace for children to our own, then make a new one
        sc.setns(state["pidns_fd"], sc.CLONE_NEWPID)
        sc.unshare(sc.CLONE_NEWPID)
    out_r, out_w = os.pipe()
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        sock.close()
        mine.close()
        os.close(out_r)
        os.setsid()  # its own session: kill(0, sig) and killpg reach no process of ours
        data, fds, _, _ = socket.recv_fds(theirs, 1 << 16, 2)
        if not data or len(fds) != 2:
            os._exit(0)
        config = json.loads(data)
        config["new_ipc"] = bool(state["isolation"].get("ipc"))
        config["proc_fd"] = state["proc_fd"]
        config["cgroup_fd"] = state["cgroup_fd"]
        config["max_processes"] = int(config["max_processes"]) + state["nproc_base"]
        run_candidate(fds, out_w, theirs.fileno(), config, state["uid"], workdir)
    os.close(out_w)
    theirs.close()
    return {"pid": pid, "out_r": out_r, "hand": mine, "pid_ns": pid_ns}


def _setup_failure(hand: socket.socket) -> str | None:
    """The runner's own report that it failed before the candidate's code ran, if any."""
    hand.setblocking(False)
    try:
        data = hand.recv(1 << 16)
    except (BlockingIOError, OSError):
        return None
    return data.decode("utf-8", "replace") if data else None


def run_sample(runner: dict[str, Any], fds: list[int], limits: dict[str, Any]) -> dict[str, Any]:
    """Hand the preforked runner its pipes and limits, watch it to its end, and report."""
    try:
        socket.send_fds(runner["hand"], [json.dumps(limits).encode()], fds[:2])
        os.close(fds[0])
        os.close(fds[1])
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
            runner = prefork(sock, state)
        data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        if not data:
            _kill_tree(runner["pid"], runner["pid_ns"])
            return
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"reason": "infra", "detail": "bad request"}).encode())
            continue
        try:
            report = run_sample(runner, fds, json.loads(data)["limits"])
        except Exception as exc:
            report = {"reason": "infra", "detail": f"zygote failed: {exc!r}"}
        runner = None
        sock.send(json.dumps(report).encode())


def main() -> None:
    """Entry point: ``python -I -c '...main()' CONFIG_JSON``."""
    config = json.loads(sys.argv[1])
    sock = socket.socket(fileno=config["sock_fd"])
    sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != config["parent"]:
        os._exit(1)
    for name in PRELOAD:
        __import__(name)
    config["pidns_fd"] = os.open("/proc/self/ns/pid", os.O_RDONLY)
    proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)  # for per-sample IPC sysctls
    state: dict[str, Any] = {"cgroup_fd": None, "nproc_base": 0}
    if config.get("cgroup_procs"):  # opened before the pivot hides /sys
        state["cgroup_fd"] = os.open(config["cgroup_procs"], os.O_WRONLY)
    if os.getuid() != 0:  # RLIMIT_NPROC counts all the caller's processes, not the sample's
        state["nproc_base"] = _processes_of(os.getuid())
    state["isolation"] = isolate(config)
    state["pidns_fd"] = config["pidns_fd"]
    state["proc_fd"] = proc_fd if state["isolation"].get("ipc") else None
    uid = config.get("uid")
    state["uid"] = (
        uid
        if (uid is not None and os.getuid() == 0 and not state["isolation"]["user_namespace"])
        else None
    )
    state["isolation"]["uid"] = state["uid"]
    state["isolation"]["memory_cgroup"] = state["cgroup_fd"] is not None
    state["disk_mb"] = config.get("max_disk_mb", 64)
    sock.send(json.dumps({"hello": state["isolation"]}).encode())
    gc.collect()
    gc.freeze()  # runners never scan the zygote's objects, so fewer copy-on-write page faults
    serve(sock, state)
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
