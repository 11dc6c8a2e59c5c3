"""A cgroup per sample: one memory limit on all its processes, one CPU core, one CPU-time account.

``RLIMIT_AS`` bounds each process alone, so a sample that forks ten children can hold ten times
the limit; and a sample whose processes each call ``setsid`` gets one scheduler autogroup each,
so it can starve the samples of other workers. A cgroup bounds both: its memory limit covers
the sum (page cache and tmpfs pages included) and counts the kills it makes, which turns a
silent SIGKILL into a ``memory`` verdict; its CPU bandwidth (``cpu.max`` / ``cfs_quota_us``)
caps the sample at one core whatever it forks; and its CPU usage (``cpu.stat`` /
``cpuacct.usage``) is the sample's own CPU time, which the time limit measures.

Each sample gets a *fresh* group (``SampleGroup``), made by the trusted worker just before the
sample starts and removed after it ends, so nothing of one sample's account (pages still being
freed, the OOM kill counter, CPU time) is ever charged to the next. The groups of one worker
sit under one directory per hierarchy (``WorkerCgroups``), and those directories have equal CPU
weights, so workers share the machine fairly. Both cgroup v2 and the v1 controllers (memory,
cpu, cpuacct, mounted together or apart) are supported; where none can be written (no root, no
delegation), the worker carries on without and its isolation record says so.

The worker opens each new group's ``cgroup.procs`` and passes the descriptors to the zygote
with the sample's pipes; the runner writes ``0`` to each before it drops privileges and long
before the candidate's code runs.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

_MB = 1024 * 1024
CPU_PERIOD_US = 100_000
CONTROLLERS = ("memory", "cpu", "cpuacct")  # cpuacct: v1 only; v2's cpu has the usage


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


def _locate() -> dict[str, tuple[Path, int]]:
    """Our own cgroup directory and its version, for each controller we can find."""
    own = _own_paths()
    found: dict[str, tuple[Path, int]] = {}
    for root, point, fstype, options in _mounts():
        if fstype == "cgroup":
            wanted = [c for c in CONTROLLERS if c in options.split(",")]
            path = next((p for c, p in own.items() if set(wanted) & set(c.split(","))), None)
            version = 1
        else:
            if "" not in own:
                continue
            try:
                listed = Path(point, own[""].lstrip("/"), "cgroup.controllers").read_text()
            except OSError:
                continue
            wanted = [c for c in ("memory", "cpu") if c in listed.split()]
            path, version = own[""], 2
        if not wanted or path is None or not path.startswith(root):
            continue
        directory = Path(point, path[len(root) :].lstrip("/"))
        for controller in wanted:
            found.setdefault(controller, (directory, version))
    return found


def _delegate(directory: Path, controllers: list[str]) -> list[str]:
    """Enable ``controllers`` for the children of a v2 ``directory``; return those enabled."""
    control = directory / "cgroup.subtree_control"
    enabled = []
    for controller in controllers:
        try:
            if controller not in control.read_text().split():
                control.write_text(f"+{controller}")
            enabled.append(controller)
        except OSError:
            continue
    return enabled


@dataclass
class WorkerCgroups:
    """One worker's directory in each cgroup hierarchy, under which each sample gets a group.

    ``memory`` and ``cpu`` say which bounds the groups carry (a host may delegate one and not
    the other); ``errors`` says why a controller is missing.
    """

    dirs: dict[str, tuple[Path, int]]  # controller -> (worker directory, version)
    errors: list[str] = field(default_factory=list)
    _count: itertools.count[int] = field(default_factory=itertools.count)
    _stale: list[Path] = field(default_factory=list)  # groups ended, still to be removed
    _ready: tuple[SampleGroup, tuple[float, float]] | None = None  # made ahead, and its limits

    @classmethod
    def create(cls, name: str) -> WorkerCgroups:
        """Make the worker's directories under our own cgroups.

        Raises:
            OSError: no cgroup controller can be written here (the reason is in the message).
        """
        found = _locate()
        if "memory" not in found and "cpu" not in found:
            raise OSError("no memory or cpu cgroup controller is mounted for this process")
        for parent, _ in found.values():
            remove_orphans(parent)
        dirs: dict[str, tuple[Path, int]] = {}
        errors: list[str] = []
        made: dict[Path, Path] = {}
        for controller, (parent, version) in found.items():
            try:
                if parent not in made:
                    made[parent] = cls._make_worker_dir(parent, name, version)
                directory = made[parent]
                if version == 2 and controller not in _delegate(directory, [controller]):
                    raise OSError(f"the {controller} controller is not delegated to {parent}")
                dirs[controller] = (directory, version)
            except OSError as exc:
                errors.append(f"{controller} cgroup unavailable: {exc}")
        if "memory" not in dirs and "cpu" not in dirs:
            for directory in made.values():
                _rmdir(directory)
            raise OSError("; ".join(errors) or "no cgroup could be made")
        group = cls(dirs, errors)
        try:  # prove that a sample group can be made and limited here, before relying on it
            group.finish(group.new_sample(256))
        except OSError:
            group.remove()
            raise
        return group

    @staticmethod
    def _make_worker_dir(parent: Path, name: str, version: int) -> Path:
        if version == 2:  # children get a controller only where the parent delegates it
            _delegate(parent, ["memory", "cpu"])
        directory = parent / name
        directory.mkdir(exist_ok=True)
        return directory

    @property
    def memory(self) -> bool:
        """Do sample groups bound memory?"""
        return "memory" in self.dirs

    @property
    def cpu(self) -> bool:
        """Do sample groups bound CPU to one core?"""
        return "cpu" in self.dirs

    @property
    def cpu_time(self) -> bool:
        """Do sample groups account the sample's CPU time?"""
        return "cpuacct" in self.dirs or self.dirs.get("cpu", (None, 1))[1] == 2

    def new_sample(self, memory_mb: float, cpus: float = 1.0) -> SampleGroup:
        """A fresh, empty group for the next sample, with its limits set: the one made ahead
        (``prepare``) when its limits are these, else one made now.

        Raises:
            OSError: the group cannot be made or limited.
        """
        ready, self._ready = self._ready, None
        if ready is not None:
            if ready[1] == (memory_mb, cpus):
                return ready[0]
            self._stale.extend(ready[0].remove_or_keep())
        return self._make(memory_mb, cpus)

    def prepare(self, memory_mb: float, cpus: float = 1.0) -> None:
        """Remove the groups of samples that ended and make the next sample's group now, while
        the current sample starts (off the next sample's path). No process has been in it when
        it is used, so it is as fresh as one made then. Never raises: a group that cannot be
        made now is made (or its error raised) by ``new_sample``."""
        self._retry_stale()
        if self._ready is None:
            try:
                self._ready = (self._make(memory_mb, cpus), (memory_mb, cpus))
            except OSError:
                pass

    def _make(self, memory_mb: float, cpus: float) -> SampleGroup:
        self._retry_stale()
        name = f"s{next(self._count)}"
        sample = SampleGroup()
        try:
            for controller, (directory, version) in self.dirs.items():
                path = directory / name
                if path not in sample.dirs:
                    path.mkdir()
                    sample.dirs.append(path)
                if controller == "memory":
                    sample.memory = (path, version)
                    _limit_memory(path, version, memory_mb)
                elif controller == "cpu":
                    _limit_cpu(path, version, cpus)
                    if version == 2:
                        sample.usage = (path / "cpu.stat", 2)
                else:
                    sample.usage = (path / "cpuacct.usage", 1)
        except OSError:
            self._stale.extend(sample.remove_or_keep())
            raise
        return sample

    def finish(self, sample: SampleGroup) -> None:
        """Close a sample's group now that its processes are gone; its directories are removed
        by the next ``prepare`` (or ``new_sample``), off the path from one sample to the next."""
        sample.close()
        self._stale.extend(sample.dirs)

    def _retry_stale(self) -> None:
        self._stale = [path for path in self._stale if not _rmdir(path)]

    def remove(self) -> None:
        """Delete every group of this worker, killing what is left in them first (a sample's
        processes may still be dying); a group that cannot be removed within a few seconds is
        left."""
        deadline = time.monotonic() + REMOVE_TIMEOUT
        if self._ready is not None:
            self._ready[0].close()
            self._ready = None
        for directory in {d for d, _ in self.dirs.values()}:
            _reap(directory, deadline)
        self._stale.clear()


_WORKER_DIR = re.compile(r"codehazard-(\d+)-\d+")


def remove_orphans(parent: Path) -> list[Path]:
    """Remove the empty groups of workers that died without removing them (a SIGKILL to the
    whole process tree leaves no one to clean up); return what was removed.

    A worker's directory is named ``codehazard-<pid>-<index>``; it is an orphan when no process
    has that pid. A directory still holding a process cannot be removed and is left alone, as
    is one whose pid is alive (perhaps reused: kept, never guessed at).
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        match = _WORKER_DIR.fullmatch(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False) or _alive(int(match[1])):
            continue
        worker = Path(entry.path)
        with contextlib.suppress(OSError):
            for sample in os.scandir(worker):
                if sample.is_dir(follow_symlinks=False):
                    _rmdir(Path(sample.path))
        if _rmdir(worker):
            removed.append(worker)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _rmdir(path: Path) -> bool:
    try:
        os.rmdir(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _write(path: Path, name: str, value: str, optional: bool = False) -> None:
    """Write one control file of a group with plain system calls (a sample's groups are made
    for every sample: the text-file stack costs more than the write). An ``optional`` file
    that this kernel lacks is skipped.

    Raises:
        OSError: the file cannot be written (or a required one does not exist).
    """
    try:
        fd = os.open(f"{path}/{name}", os.O_WRONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        if optional:
            return
        raise
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _limit_memory(path: Path, version: int, memory_mb: float) -> None:
    """Bound the group's memory (and swap: none beyond the limit)."""
    value = str(int(memory_mb * _MB))
    if version == 2:
        _write(path, "memory.max", value)
        _write(path, "memory.oom.group", "1", optional=True)  # the OOM killer takes it all
        _write(path, "memory.swap.max", "0", optional=True)
        return
    _write(path, "memory.limit_in_bytes", value)  # a new group starts unlimited
    _write(path, "memory.memsw.limit_in_bytes", value, optional=True)  # so memsw goes second


def _limit_cpu(path: Path, version: int, cpus: float) -> None:
    """Cap the group at ``cpus`` cores of CPU bandwidth."""
    quota = int(cpus * CPU_PERIOD_US)
    if version == 2:
        _write(path, "cpu.max", f"{quota} {CPU_PERIOD_US}")
    else:
        _write(path, "cpu.cfs_period_us", str(CPU_PERIOD_US))
        _write(path, "cpu.cfs_quota_us", str(quota))


@dataclass
class SampleGroup:
    """The cgroup (one directory per hierarchy) of one sample: empty when made, then removed."""

    dirs: list[Path] = field(default_factory=list)
    memory: tuple[Path, int] | None = None
    usage: tuple[Path, int] | None = None  # cpu.stat (v2) or cpuacct.usage (v1)
    _fds: dict[str, int] = field(default_factory=dict)

    def open_procs(self) -> list[int]:
        """Descriptors of each ``cgroup.procs``: a process writes ``0`` to one to move in.

        Raises:
            OSError: one cannot be opened (every one opened is closed again).
        """
        fds: list[int] = []
        try:
            for path in self.dirs:
                fds.append(os.open(path / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
        except OSError:
            for fd in fds:
                os.close(fd)
            raise
        return fds

    def _read(self, key: str, path: Path) -> str:
        if key not in self._fds:  # read at every poll: keep the file open
            self._fds[key] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        return os.pread(self._fds[key], 4096, 0).decode()

    def oom_kills(self) -> int:
        """How many processes the kernel has killed in this group for lack of memory."""
        if self.memory is None:
            return 0
        path, version = self.memory
        name = "memory.events" if version == 2 else "memory.oom_control"
        try:
            for line in self._read("oom", path / name).splitlines():
                key, _, count = line.partition(" ")
                if key == "oom_kill":
                    return int(count)
        except (OSError, ValueError):
            pass
        return 0

    def cpu_seconds(self) -> float | None:
        """CPU time (user and system) the group's processes have used, or None if unknown."""
        if self.usage is None:
            return None
        path, version = self.usage
        try:
            text = self._read("cpu", path)
            if version == 1:
                return int(text) / 1e9
            for line in text.splitlines():
                key, _, value = line.partition(" ")
                if key == "usage_usec":
                    return int(value) / 1e6
        except (OSError, ValueError):
            pass
        return None

    def close(self) -> None:
        """Close our descriptors of the group's files."""
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def remove_or_keep(self) -> list[Path]:
        """Close our descriptors and delete the group; return the directories still busy."""
        self.close()
        return [path for path in self.dirs if not _rmdir(path)]


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
