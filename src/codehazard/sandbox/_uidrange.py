"""A private unprivileged uid (and gid) for each sandbox worker, leased for its lifetime.

Every process that runs as one uid shares what the kernel keeps per uid: process limits, the
user keyrings, files the uid owns, signals it may send. If two evaluations (or two users) on a
host gave their samples the same uid, one could leave state for, or interfere with, the other.
So each worker, as root, leases a uid of its own from ``[SANDBOX_UID_BASE, + SANDBOX_UID_SLOTS)``:
it holds an ``flock`` on ``/run/codehazard/uid-<uid>.lock`` (a root-owned directory) for as long
as it lives, and the kernel drops the lock when the process dies, however it dies. A uid that
some process still runs as (a leftover of a crashed evaluation) is skipped as well.

An ordinary user cannot switch uids at all: the sandbox then runs in a user namespace whose
uid 0 is the caller's own uid, and the lease records that mapping instead.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import stat
from typing import Any

SANDBOX_UID_BASE = 0x7FFF0000
SANDBOX_UID_SLOTS = 0xFFFF  # base + slots stays below 2**31: no uid_t sign surprises
RUNTIME_DIR = "/run/codehazard"


def _uids_in_use() -> set[int]:
    """Real uids of every process visible in /proc now."""
    used: set[int] = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return used
    for entry in entries:
        if entry.isdigit():
            try:
                used.add(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                continue
    return used


def _runtime_dir(path: str) -> str:
    """Create (or check) the lock directory: root's, not writable by anyone else.

    Raises:
        OSError: it cannot be made, or someone other than root could plant locks in it.
    """
    os.makedirs(path, mode=0o755, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise OSError(f"{path} must be a directory owned by root and writable by root only")
    return path


class UidLease:
    """The uid a worker's samples run as, and the lock that keeps it the worker's alone.

    ``uid`` is None when this process is not root (the user-namespace mapping applies).
    """

    def __init__(self, uid: int | None, lock_path: str | None, fd: int | None, note: str) -> None:
        self.uid = uid
        self.lock_path = lock_path
        self._fd = fd
        self.note = note

    @classmethod
    def acquire(
        cls,
        runtime_dir: str = RUNTIME_DIR,
        base: int = SANDBOX_UID_BASE,
        slots: int = SANDBOX_UID_SLOTS,
    ) -> UidLease:
        """Lease a uid no live worker on this host holds and no process runs as.

        Where the lock directory cannot be used, a free uid is still chosen (skipping those in
        use) and ``note`` says that it is unleased. Never raises for an unusable directory.

        Raises:
            RuntimeError: every uid of the range is taken.
        """
        if os.geteuid() != 0:
            return cls(None, None, None, f"user-namespace mapping of uid {os.getuid()}")
        used = _uids_in_use()
        start = secrets.randbelow(slots)
        candidates = (base + (start + i) % slots for i in range(slots))
        try:
            directory = _runtime_dir(runtime_dir)
        except OSError as exc:
            for uid in candidates:
                if uid not in used:
                    return cls(uid, None, None, f"unleased (no lock directory: {exc})")
            raise RuntimeError("no free sandbox uid") from exc
        for uid in candidates:
            if uid in used:
                continue
            path = os.path.join(directory, f"uid-{uid}.lock")
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return cls(uid, path, fd, "leased")
        raise RuntimeError(f"every sandbox uid from {base} to {base + slots - 1} is in use")

    def record(self, uid_in_use: int | None) -> dict[str, Any]:
        """What the isolation record says about the uid the samples actually run as."""
        if uid_in_use is None:
            return {"uid": None, "gid": None, "mapping": "user-namespace", "note": self.note}
        return {"uid": uid_in_use, "gid": uid_in_use, "lock": self.lock_path, "note": self.note}

    def release(self) -> None:
        """Give the uid back (closing the descriptor drops the lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
