"""Restricted hosts, made for real on this one: command prefixes that run a command as a
container without CAP_SYS_ADMIN, as Docker's default profile (no namespaces at all), or as an
ordinary user.

* ``without_sys_admin()``: root without CAP_SYS_ADMIN (``setpriv``), the kernel still allowing
  user namespaces: the sandbox obtains full isolation through one of its own.
* ``without_setuid()``: root without CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID: a user
  namespace of its own still, but its leased uid cannot be mapped into it.
* ``docker_default()``: the same, plus a seccomp filter refusing ``unshare``, ``setns`` and
  ``clone`` with namespace flags, as Docker's default profile does without CAP_SYS_ADMIN (its
  ``clone3`` answers ENOSYS): no namespace of any kind.
* ``as_nobody()``: uid and gid 65534 without supplementary groups; when this interpreter lives
  under a private home (``/root/.pyenv``), a private mount namespace shows that one tree to
  ``nobody`` first (the host itself is unchanged).

Run as a script (``python restricted_hosts.py --deny-namespaces -- CMD ...``) this module
installs the filter and executes ``CMD``.
"""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
NOBODY = 65534
_NAMESPACE_FLAGS = 0x7E020000  # Docker's mask: NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
_NUMBERS = {  # unshare, setns, clone, clone3
    "x86_64": (272, 308, 56, 435),
    "aarch64": (97, 268, 220, 435),
}


def _filter(machine: str) -> bytes:
    unshare, setns, clone, clone3 = _NUMBERS[machine]
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    prog = [  # jumps count the instructions skipped
        (0x20, 0, 0, 0),  # 0: A = the call's number
        (0x15, 6, 0, unshare),  # 1: -> 8, EPERM
        (0x15, 5, 0, setns),  # 2: -> 8, EPERM
        (0x15, 5, 0, clone3),  # 3: -> 9, ENOSYS (libc falls back to clone)
        (0x15, 0, 2, clone),  # 4: not clone -> 7, allowed
        (0x20, 0, 0, 16),  # 5: A = clone's flags (low word)
        (0x45, 1, 0, _NAMESPACE_FLAGS),  # 6: any namespace flag -> 8, EPERM
        (0x06, 0, 0, allow),  # 7
        (0x06, 0, 0, eperm),  # 8
        (0x06, 0, 0, enosys),  # 9
    ]
    return b"".join(struct.pack("=HBBI", *insn) for insn in prog)


def _install_denial() -> None:
    code = _filter(platform.machine())
    buffer = ctypes.create_string_buffer(code, len(code))

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    fprog = Fprog(len(code) // 8, ctypes.addressof(buffer))
    if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0):
        raise OSError(ctypes.get_errno(), "seccomp filter refused")


def without_sys_admin() -> list[str]:
    """A prefix running a command as root without CAP_SYS_ADMIN; skips where impossible."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to take CAP_SYS_ADMIN away")
    return ["setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin", "--"]


def without_setuid() -> list[str]:
    """A prefix for root without CAP_SYS_ADMIN, CAP_SETUID and CAP_SETGID (a container that
    drops them): a user namespace can still be made, but no uid other than root mapped in."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to take the capabilities away")
    drop = "-sys_admin,-setuid,-setgid"
    return ["setpriv", "--bounding-set", drop, "--inh-caps", drop, "--"]


def docker_default() -> list[str]:
    """A prefix for root without CAP_SYS_ADMIN and without namespaces (Docker's default)."""
    if platform.machine() not in _NUMBERS:
        pytest.skip(f"no syscall numbers for {platform.machine()}")
    script = [sys.executable, str(Path(__file__).resolve()), "--deny-namespaces", "--"]
    prefix = [*script, *without_sys_admin()]
    probe = subprocess.run([*prefix, "unshare", "-Ur", "true"], capture_output=True, timeout=30)
    if probe.returncode == 0:
        pytest.skip("the namespace filter did not take effect here")
    return prefix


def as_nobody(python: str = sys.executable, *, deny_namespaces: bool = False) -> list[str]:
    """A prefix running a command as ``nobody`` with this interpreter and ``SRC`` readable;
    with ``deny_namespaces`` no namespace can be made either (the filter of
    ``docker_default``)."""
    if os.geteuid() != 0 or not all(shutil.which(t) for t in ("setpriv", "unshare")):
        pytest.skip("needs root, setpriv and unshare to become nobody")
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    if deny_namespaces:
        drop = [sys.executable, str(Path(__file__).resolve()), "--deny-namespaces", "--", *drop]
    env = ["env", "HOME=/tmp", f"PYTHONPATH={SRC}"]
    hidden = _private_ancestor(Path(sys.prefix).resolve())
    if hidden is None:
        prefix = [*drop, *env]
    else:  # show the interpreter's tree through a tmpfs over its private ancestor
        tree = Path(sys.prefix).resolve()
        keep = tree.relative_to(hidden).parts[0]
        script = (
            'set -e; d=$(mktemp -d); mount --bind "$1/$2" "$d"; '
            'mount -t tmpfs -o mode=755 tmpfs "$1"; mkdir "$1/$2"; mount --bind "$d" "$1/$2"; '
            'shift 2; exec "$@"'
        )
        prefix = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh"]
        prefix += [str(hidden), keep, *drop, *env]
    probe = subprocess.run([*prefix, python, "-c", "import codehazard"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot run {python}: {probe.stderr.decode()[-300:]}")
    return prefix


def _private_ancestor(path: Path) -> Path | None:
    """The highest ancestor of ``path`` that others cannot traverse, if any."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not os.stat(parent).st_mode & 0o001:
            return parent
    return None


if __name__ == "__main__":  # pragma: no cover - runs as the prefix of a command
    args = sys.argv[1:]
    if args[:2] == ["--deny-namespaces", "--"]:
        _install_denial()
        os.execvp(args[2], args[2:])
    raise SystemExit(f"usage: {sys.argv[0]} --deny-namespaces -- COMMAND [ARGS...]")
