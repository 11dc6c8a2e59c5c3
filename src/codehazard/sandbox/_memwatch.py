"""Limits the kernel cannot enforce for us, watched from outside: a sample's memory and CPU time.

``RLIMIT_AS`` bounds each process, so a sample that forks can hold the limit many times over.
A memory cgroup (``_cgroup``) bounds the sum, but an ordinary user rarely may create one. Then
the trusted worker watches instead: while a sample runs, a thread sums the proportional set
size (PSS: shared pages divided among their sharers, so the interpreter pages every runner
shares with the zygote count once) of all the sample's processes from ``/proc`` a few times a
second, and kills them all when the sum passes the limit. Between two looks a sample can
overshoot for up to one interval, each process still within its own ``RLIMIT_AS``.

The same thread enforces the time limit on the sample's own time (``SampleClock``): the CPU
time of all its processes together, read from the sample's cgroup where there is one, else
summed from ``/proc`` (user and system time of each process, plus what it collected from
children it reaped), plus the time it sleeps by itself. Waiting for a CPU does not count, so
neither the machine's load nor a hostile neighbour can turn a correct sample into a timeout.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

INTERVAL = 0.05


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (all its threads'), or none if it is gone."""
    found: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found.extend(int(p) for p in fh.read().split())
        except OSError:
            continue
    return found


def _leads_its_session(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[3]) == pid
    except (OSError, ValueError, IndexError):
        return False


def sample_runner(zygote: int) -> list[int]:
    """The runner of the sample now running under ``zygote`` (none if there is none).

    The zygote forks the next sample's runner while the current sample runs; that one waits,
    trusted and idle, for its own sample: its memory and time are not the current sample's,
    and it must not be killed with it. A runner starts its own session only once it has its
    sample, and a session leader cannot leave its session, so the current sample's runner is
    the child of the zygote that leads its session, whatever its candidate does.
    """
    return [pid for pid in children(zygote) if _leads_its_session(pid)]


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children(current))
    return out


def pss_kb(pid: int) -> int:
    """The process's proportional set size in KiB (0 if it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def available() -> bool:
    """Can this process read what the watch needs (``/proc`` mounted, ``smaps_rollup``)?"""
    return os.path.exists(f"/proc/{os.getpid()}/smaps_rollup")


Check = Callable[[list[int]], str | None]
"""Given the sample's pids: the limit it is over (``"memory"``, ``"cpu"``), or None."""


class SampleWatch:
    """Kill the processes under ``zygote`` (the runners and theirs) once they pass a limit.

    One thread per worker, armed for each sample with ``check``: given the sample's pids, which
    limit is it over, if any? With a memory cgroup the memory part asks whether the kernel's OOM
    killer has struck (one killed child must not leave the rest of the sample sleeping until
    the deadline); without, it sums their PSS (``pss_over``). The CPU part compares the
    sample's CPU time with its limit (``cpu_over``).
    """

    def __init__(self, zygote: int, interval: float = INTERVAL) -> None:
        self.zygote, self.interval = zygote, interval
        self._check: Check | None = None
        self._tripped: str | None = None
        self.tripped_at = 0.0  # when the last kill was made (monotonic clock)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sample-watch", daemon=True)
        self._thread.start()

    def arm(self, check: Check) -> None:
        """Watch the sample now starting."""
        with self._lock:
            self._check, self._tripped = check, None

    def disarm(self) -> str | None:
        """Stop watching; return the limit the sample was killed for, if any."""
        with self._lock:
            self._check = None
            return self._tripped

    def close(self) -> None:
        """End the thread."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:  # disarm() waits for a kill in progress: none lands after it
                if self._check is None:
                    continue
                pids = [p for runner in sample_runner(self.zygote) for p in _tree(runner)]
                reason = self._check(pids) if pids else None
                if reason is not None:
                    self._tripped, self._check = reason, None
                    self.tripped_at = time.monotonic()
                    for pid in pids:  # runners first: PID 1 of a namespace takes the rest
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError:
                            pass


def pss_over(limit_mb: float, shm: str | None = None) -> Callable[[list[int]], bool]:
    """A test for ``SampleWatch``: do these processes' PSS, plus the sample's ``/dev/shm``
    (``shm``: its path as seen from here), sum past ``limit_mb``?

    Files in ``/dev/shm`` hold memory that no process needs to map (a POSIX shared memory
    object, unlinked or not), so the processes' PSS alone misses it: a sample could hold its
    limit there and its limit again in its processes. The tmpfs's used pages are added, less
    the part of them the processes map (already in their PSS), so nothing counts twice.
    """
    limit_kb = int(limit_mb * 1024)

    def over(pids: list[int]) -> bool:
        total = sum(pss_kb(p) for p in pids)
        if shm is not None:
            total += shm_unmapped_kb(shm, pids)
        return total > limit_kb

    return over


def shm_unmapped_kb(path: str, pids: list[int]) -> int:
    """KiB used in the tmpfs at ``path`` that ``pids`` do not map (0 if unreadable).

    The mapped part is the PSS of their mappings of files on that tmpfs (its device in
    ``/proc/PID/smaps``); it is read only when the tmpfs holds anything, which is rare.
    """
    try:
        info = os.statvfs(path)
        device = os.stat(path).st_dev
    except OSError:
        return 0
    used = (info.f_blocks - info.f_bfree) * info.f_frsize // 1024
    if used <= 0:
        return 0
    wanted = f"{os.major(device):02x}:{os.minor(device):02x}"
    mapped = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps") as fh:
                on_shm = False
                for line in fh:
                    head = line.split(None, 5)
                    if len(head) >= 5 and "-" in head[0] and ":" in head[3]:
                        on_shm = head[3] == wanted  # a mapping's header line
                    elif on_shm and line.startswith("Pss:"):
                        mapped += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return max(0, used - mapped)


_TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids`` and of the children they reaped, from ``/proc``.

    Children that exited unreaped stay visible as zombies with their own times, so the sum
    misses only processes reaped by a parent that is gone (a cgroup, where one can be had,
    misses nothing).
    """
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        except (OSError, ValueError, IndexError):
            continue
    return ticks / _TICK


_BUSY_STATES = frozenset("RD")  # running or waiting for a CPU; blocked in the kernel


def asleep(pids: list[int], harness: tuple[str, ...] = ()) -> bool:
    """Are all threads of ``pids`` (and the harness's threads, their ``stat`` paths) asleep?

    A thread that is running, runnable (waiting for a CPU) or in uninterruptible sleep (disk)
    is not; a process that is gone, asleep or stopped is.
    """
    paths = list(harness)
    for pid in pids:
        try:
            paths.extend(f"/proc/{pid}/task/{tid}/stat" for tid in os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    for path in paths:
        try:
            with open(path) as fh:
                state = fh.read().rsplit(")", 1)[1].split(None, 1)[0]
        except (OSError, IndexError):
            continue
        if state in _BUSY_STATES:
            return False
    return True


class SampleClock:
    """A sample's own time: its CPU time, plus the time it sleeps or blocks by itself.

    That is the time it would take on an idle machine: waiting for a CPU (the machine's load, a
    hostile neighbour) counts for nothing, and neither does waiting for the harness (the
    trusted judge computing, the zygote handing over the sample: ``harness`` names their
    threads' ``stat`` files, and they are busy then). Time counts as slept when, at two
    successive looks, every thread of the sample and of the harness is asleep: a sample that
    answers slowly because it sleeps (``time.sleep`` in each call) still times out.
    """

    def __init__(
        self,
        limit_s: float,
        cpu_seconds: Callable[[list[int]], float],
        harness: tuple[str, ...] = (),
    ) -> None:
        self.limit_s, self.cpu_seconds, self.harness = limit_s, cpu_seconds, harness
        self.idle = 0.0
        self._last: float | None = None

    def over(self, pids: list[int]) -> str | None:
        """``"cpu"`` past the limit in CPU time, ``"idle"`` past it with slept time, else None."""
        used = self.cpu_seconds(pids)
        if used > self.limit_s:
            return "cpu"
        now = time.monotonic()
        if self._last is not None and asleep(pids, self.harness):
            self.idle += now - self._last
        self._last = now
        return "idle" if used + self.idle > self.limit_s else None
