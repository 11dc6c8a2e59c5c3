"""Isolation of the sandbox's zygote, once at start: namespaces, a read-only root, workdirs.

The zygote enters new mount, network, IPC and UTS namespaces (and, as an ordinary user, a user
namespace and a PID namespace it owns), builds a tmpfs root holding read-only binds of the
interpreter and libraries only, covers what would give answers away, and pivots into it. Each
step that fails is recorded and the zygote carries on with less. Standard library and
``_syscalls`` only: this runs inside the sandbox.
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
    os.makedirs(root + "/dev", exist_ok=True)
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
            _build_root(config["root"], config["ro_paths"], config["workdir"])
            _hide(config["root"], config.get("hidden_paths", []))
            _enter_root(config["root"])
            got["private_root"] = True
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


def fresh_workdir(state: dict[str, Any], limits: dict[str, Any]) -> str:
    """Mount a new empty tmpfs at the working directory (private root) or make a host one."""
    uid = state["uid"]
    if state["isolation"].get("private_root"):
        workdir = state.get("workdir", WORKDIR)
        try:
            sc.umount2(workdir, sc.MNT_DETACH)
        except OSError:
            pass
        owner = f",uid={uid},gid={uid}" if uid is not None else ""
        sc.mount(
            "tmpfs",
            workdir,
            "tmpfs",
            sc.MS_NOSUID | sc.MS_NODEV,
            f"size={int(limits['max_disk_mb'])}m,nr_inodes=4096,mode=700{owner}",
        )
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
