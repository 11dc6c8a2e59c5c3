"""Isolation of the sandbox's zygote, once at start: namespaces, a read-only root, workdirs.

The zygote enters new mount, network, IPC and UTS namespaces (and, as an ordinary user or as
root without CAP_SYS_ADMIN, a user namespace and a PID namespace it owns), builds a tmpfs root
holding read-only binds of the interpreter and libraries only, covers what would give answers
away, and pivots into it. Each step that fails is recorded and the zygote carries on with less.
Per sample it mounts a fresh working directory and a fresh, bounded ``/dev/shm``. Standard
library and ``_syscalls`` only: this runs inside the sandbox.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from codehazard.sandbox import _syscalls as sc

WORKDIR = "/work"  # the default; the worker picks one no visible host path lies under
PRELOAD = (
    "array", "bisect", "collections", "copy", "dataclasses", "datetime", "decimal",
    "fractions", "functools", "hashlib", "heapq", "itertools", "math", "operator", "random",
    "re", "statistics", "string", "typing",
)  # fmt: skip
_DEV_NODES = ("null", "zero", "full", "random", "urandom")
SHM = "/dev/shm"  # POSIX shared memory and semaphores (multiprocessing's locks live there)
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


def _build_root(root: str, ro_paths: list[str], workdir: str) -> None:
    """Make ``root`` a tmpfs holding read-only binds of ``ro_paths``, /dev nodes and ``workdir``.

    ``/tmp`` is a link to the per-sample working directory, unless the host shows something
    under its ``/tmp`` (an interpreter installed there): ``/tmp`` is then a read-only directory
    holding those binds, and ``TMPDIR`` still points at the working directory.
    """
    sc.mount("tmpfs", root, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV, "size=4m,mode=755")
    for path in ro_paths:
        target = root + path
        if os.path.islink(path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.lexists(target):
                os.symlink(os.readlink(path), target)
        elif os.path.isdir(path):
            _bind_ro(path, target, True)
        elif os.path.isfile(path):  # a venv's pyvenv.cfg
            _bind_ro(path, target, False)
    for name in _ETC_FILES:
        if os.path.isfile("/etc/" + name):
            _bind_ro("/etc/" + name, f"{root}/etc/{name}", False)
    os.makedirs(root + SHM, exist_ok=True)  # each sample mounts its own tmpfs there
    for name in _DEV_NODES:  # device nodes need a bind without MS_NODEV
        target = f"{root}/dev/{name}"
        with open(target, "a"):
            pass
        sc.mount("/dev/" + name, target, None, sc.MS_BIND)
    os.makedirs(root + workdir)
    if not os.path.lexists(root + "/tmp"):
        os.symlink(workdir, root + "/tmp")
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


CAP_SYS_ADMIN = 21


def lacks_sys_admin() -> bool:
    """Root without CAP_SYS_ADMIN (a container that drops it): namespaces need a user
    namespace of our own, whose uid 0 holds every capability over the namespaces it owns."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("CapEff:"):
                    return not (int(line.split()[1], 16) >> CAP_SYS_ADMIN) & 1
    except (OSError, ValueError):
        pass
    return False


def _map_root(uid: int | None) -> bool:
    """As root without CAP_SYS_ADMIN: enter a user namespace mapping root and the leased uid.

    Mapping more than one's own uid takes CAP_SETUID and CAP_SETGID in the parent namespace,
    which the process inside no longer has, so a child left outside writes the maps (as
    ``newuidmap`` does). The runner then drops to the leased uid as it does as root. Returns
    whether the leased uid is mapped; without CAP_SETUID only root maps to itself (the runner
    then keeps uid 0 without capabilities, as an ordinary user keeps its own uid).

    Raises:
        OSError: no user namespace (the kernel or a seccomp profile refuses it).
    """
    lines = "0 0 1\n" + (f"{uid} {uid} 1\n" if uid is not None else "")
    go_r, go_w = os.pipe()
    done_r, done_w = os.pipe()
    helper = os.fork()
    if helper == 0:  # pragma: no cover - the helper, outside the new namespace
        os.close(go_w)
        ok = b"n"
        if os.read(go_r, 1):
            try:
                for name in ("uid_map", "gid_map"):
                    with open(f"/proc/{os.getppid()}/{name}", "w") as fh:
                        fh.write(lines)
                ok = b"y"
            except OSError:
                pass
        os.write(done_w, ok)
        os._exit(0)
    os.close(go_r)
    os.close(done_w)
    try:
        sc.unshare(sc.CLONE_NEWUSER)
        os.write(go_w, b"x")
    finally:  # without the go-ahead (unshare refused) the helper reads EOF and exits
        os.close(go_w)
        mapped = os.read(done_r, 1) == b"y"
        os.close(done_r)
        os.waitpid(helper, 0)
    if not mapped:  # only what an unprivileged process may write: root to itself
        with open("/proc/self/setgroups", "w") as fh:
            fh.write("deny")
        for name in ("uid_map", "gid_map"):
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write("0 0 1")
    return mapped and uid is not None


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
    got["uid_mapped"] = was_root  # the leased uid is one the runner can switch to
    if config["isolation"] == "none":
        got.update(network=False, mount=False, pid_per_sample=False, private_root=False)
        return got
    if not was_root or lacks_sys_admin():
        try:
            if was_root:
                got["uid_mapped"] = _map_root(config.get("uid"))
                if not got["uid_mapped"]:
                    got["errors"].append(
                        "the leased uid could not be mapped into the user namespace (no "
                        "CAP_SETUID): samples run as root without capabilities, which "
                        "RLIMIT_NPROC does not bind"
                    )
            else:
                _map_user()
            got["user_namespace"] = True
            config["pidns_fd"] = _own_pid_namespace(config)
        except OSError as exc:
            got["uid_mapped"] = was_root and not got["user_namespace"]
            got["errors"].append(f"user namespace: {exc}")
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
            _build_root(config["root"], config["ro_paths"], config["workdir"])
            _hide(config["root"], config.get("hidden_paths", []))
            _enter_root(config["root"])
            got["private_root"] = True
            got["shm"] = os.path.isdir(SHM)
        except OSError as exc:
            got["errors"].append(str(exc))
    got["pid_per_sample"] = _probe_pid_namespace(got, config["pidns_fd"])
    return got


def processes_of(uid: int) -> int:
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


def _fresh_tmpfs(path: str, options: str) -> None:
    try:
        sc.umount2(path, sc.MNT_DETACH)
    except OSError:
        pass
    sc.mount("tmpfs", path, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV, options)


def fresh_workdir(state: dict[str, Any], limits: dict[str, Any]) -> str:
    """Mount a new empty tmpfs at the working directory and at ``/dev/shm`` (private root),
    or make a host working directory.

    ``/dev/shm`` is the sample's own, empty, and at most ``state["shm_mb"]`` (its memory
    limit, ``size_shm``): its pages count against the sample's memory cgroup like any of its
    memory, and the size bounds them where no cgroup does.
    """
    uid = state["uid"]
    if state["isolation"].get("private_root"):
        workdir = state.get("workdir", WORKDIR)
        owner = f",uid={uid},gid={uid}" if uid is not None else ""
        size = f"size={int(limits['max_disk_mb'])}m,nr_inodes=4096"
        _fresh_tmpfs(workdir, f"{size},mode=700{owner}")
        if state["isolation"].get("shm"):
            shm_mb = int(state.get("shm_mb", limits["max_disk_mb"]))
            _fresh_tmpfs(SHM, f"size={shm_mb}m,nr_inodes=1024,mode=1777{owner}")
        return workdir
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


def size_shm(state: dict[str, Any], memory_mb: float) -> None:
    """Bound the preforked sample's (still empty) ``/dev/shm`` by its memory limit.

    The runner is forked before the sample's limits arrive; samples of one evaluation share
    them, so this remounts only when the limit differs from the one the mount was made with.
    The first sample's ``/dev/shm`` is not mounted yet when its limits arrive (its working
    directory is made as it starts): the size is kept for that mount and every later one (the
    first sample of a zygote had the disk limit's size before). Never raises: a refused
    remount leaves the size the mount was made with.
    """
    mb = max(1, int(memory_mb))
    if not state["isolation"].get("shm") or state.get("shm_mb") == mb:
        return
    state["shm_mb"] = mb
    try:
        sc.mount(None, SHM, None, sc.MS_REMOUNT | sc.MS_NOSUID | sc.MS_NODEV, f"size={mb}m")
    except OSError:
        return
