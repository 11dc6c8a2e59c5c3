"""A memory cgroup per sandbox worker: one limit on everything a sample's processes hold.

``RLIMIT_AS`` bounds each process alone, so a sample that forks ten children can hold ten times
the limit. A memory cgroup bounds their sum (page cache and tmpfs pages included) and counts
the kills it makes, which turns a silent SIGKILL into a ``memory`` verdict. Both cgroup v2
(``memory.max``) and the v1 memory controller (``memory.limit_in_bytes``) are supported; where
neither can be written (no root, no delegation), the worker carries on with rlimits only and
says so in its isolation record.

The trusted worker creates the group and sets its limit before each sample; the zygote keeps
an open descriptor of ``cgroup.procs``, through which each runner moves itself in before it
drops privileges and long before the candidate's code runs.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

_MB = 1024 * 1024


def _mounts() -> list[tuple[str, str, str, str]]:
    """(root, mount point, fstype, super options) of each cgroup mount, from mountinfo."""
    found = []
    with open("/proc/self/mountinfo") as fh:
        for line in fh:
            fields = line.split()
            dash = fields.index("-")
            fstype, options = fields[dash + 1], fields[dash + 3]
            if fstype in ("cgroup", "cgroup2"):
                found.append((fields[3], fields[4], fstype, options))
    return found


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per hierarchy ("" for v2, else the controller list)."""
    paths = {}
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            paths[controllers] = path
    return paths


def _locate() -> tuple[Path, int] | None:
    """The directory of our own memory cgroup and its version, or None."""
    own = _own_paths()
    for root, point, fstype, options in _mounts():
        if fstype == "cgroup" and "memory" in options.split(","):
            path = next((p for c, p in own.items() if "memory" in c.split(",")), None)
            version = 1
        elif fstype == "cgroup2" and "" in own:
            controllers = Path(point, own[""].lstrip("/"), "cgroup.controllers")
            try:
                if "memory" not in controllers.read_text().split():
                    continue
            except OSError:
                continue
            path, version = own[""], 2
        else:
            continue
        if path is None or not path.startswith(root):
            continue
        relative = path[len(root) :].lstrip("/")
        return Path(point, relative), version
    return None


@dataclass
class MemoryCgroup:
    """One worker's memory cgroup (see the module docstring)."""

    path: Path
    version: int
    limit_mb: float = float("inf")  # a new group starts unlimited
    _events_fd: int | None = None

    @classmethod
    def create(cls, name: str) -> MemoryCgroup:
        """Create the group under our own.

        Raises:
            OSError: no writable memory cgroup here (the reason is in the message).
        """
        found = _locate()
        if found is None:
            raise OSError("no memory cgroup controller is mounted for this process")
        parent, version = found
        if version == 2:  # children get the controller only where the parent delegates it
            control = parent / "cgroup.subtree_control"
            if "memory" not in control.read_text().split():
                control.write_text("+memory")
        path = parent / name
        path.mkdir(exist_ok=True)
        group = cls(path, version)
        try:
            group.set_limit(256)
        except OSError:
            group.remove()
            raise
        return group

    @property
    def procs(self) -> str:
        """The file a process writes ``0`` to, to move itself into the group."""
        return str(self.path / "cgroup.procs")

    def set_limit(self, memory_mb: float) -> None:
        """Bound the group's memory (and swap: none beyond the limit)."""
        if memory_mb == self.limit_mb:
            return
        value = str(int(memory_mb * _MB))
        if self.version == 2:
            (self.path / "memory.max").write_text(value)
            group_kill = self.path / "memory.oom.group"  # the OOM killer takes the whole sample
            if group_kill.exists():
                group_kill.write_text("1")
            swap = self.path / "memory.swap.max"
            if swap.exists():
                swap.write_text("0")
        else:
            memsw = self.path / "memory.memsw.limit_in_bytes"
            files = [self.path / "memory.limit_in_bytes"]
            if memsw.exists():  # memsw must stay >= the limit: order the two writes
                files = [memsw, files[0]] if memory_mb > self.limit_mb else [files[0], memsw]
            for file in files:
                file.write_text(value)
        self.limit_mb = memory_mb

    def oom_kills(self) -> int:
        """How many processes the kernel has killed in this group for lack of memory."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            if self._events_fd is None:  # read once per sample and per poll: keep it open
                self._events_fd = os.open(self.path / name, os.O_RDONLY)
            text = os.pread(self._events_fd, 4096, 0).decode()
            for line in text.splitlines():
                key, _, count = line.partition(" ")
                if key == "oom_kill":
                    return int(count)
        except (OSError, ValueError):
            pass
        return 0

    def remove(self) -> None:
        """Delete the group, killing what is left in it first (a sample's processes may still
        be dying); a group that cannot be removed within a few seconds is left."""
        if self._events_fd is not None:
            os.close(self._events_fd)
            self._events_fd = None
        _reap(self.path, time.monotonic() + REMOVE_TIMEOUT)


# --- nothing of a crashed worker is left -------------------------------------------------------

REMOVE_TIMEOUT = 3.0


def _own_groups() -> list[Path]:
    """Our own cgroup directory in every mounted hierarchy (each v1 controller, and v2)."""
    own = _own_paths()
    found = []
    for root, point, fstype, options in _mounts():
        if fstype == "cgroup2":
            path = own.get("")
        else:
            wanted = set(options.split(","))
            path = next((p for c, p in own.items() if c and set(c.split(",")) & wanted), None)
        if path is None or not path.startswith(root):
            continue
        found.append(Path(point, path[len(root) :].lstrip("/")))
    return found


def _kill_members(group: Path) -> None:
    """SIGKILL every process in ``group`` (``cgroup.kill`` where v2 has it)."""
    kill = group / "cgroup.kill"
    try:
        if kill.exists():
            kill.write_text("1")
            return
        pids = (group / "cgroup.procs").read_text().split()
    except OSError:
        return
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def _reap(group: Path, deadline: float) -> bool:
    """Kill what is in ``group`` and its children and remove them all, deepest first; return
    whether the group is gone by ``deadline``."""
    while True:
        try:
            tree = sorted((Path(d) for d, _, _ in os.walk(group)), key=lambda p: -len(p.parts))
        except OSError:
            tree = []
        for path in tree:
            _kill_members(path)
            try:
                path.rmdir()
            except OSError:
                pass
        if not group.exists():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def remove_worker_groups(worker_pid: int, timeout: float = REMOVE_TIMEOUT) -> list[str]:
    """Remove every cgroup a sandbox worker made, in every hierarchy, after it ended.

    A worker names its groups ``codehazard-<its pid>-...`` under the group it started in; when
    it is killed (``kill -9``, the OOM killer), nothing of its own removes them, so whoever
    started it calls this. What is still inside is killed first. Returns the groups that could
    not be removed (empty when all are gone); never raises.
    """
    deadline = time.monotonic() + timeout
    left = []
    for parent in _own_groups():
        try:
            mine = [p for p in parent.iterdir() if p.name.startswith(f"codehazard-{worker_pid}-")]
        except OSError:
            continue
        left += [str(p) for p in mine if p.is_dir() and not _reap(p, deadline)]
    return left
