"""The memory limit where no memory cgroup can be had: watch the sample's processes from outside.

``RLIMIT_AS`` bounds each process, so a sample that forks can hold the limit many times over.
A memory cgroup (``_cgroup``) bounds the sum, but an ordinary user rarely may create one. Then
the trusted worker watches instead: while a sample runs, a thread sums the proportional set
size (PSS: shared pages divided among their sharers, so the interpreter pages every runner
shares with the zygote count once) of all the sample's processes from ``/proc`` a few times a
second, and kills them all when the sum passes the limit. Between two looks a sample can
overshoot for up to one interval, each process still within its own ``RLIMIT_AS``.
"""

from __future__ import annotations

import os
import signal
import threading
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


class MemoryWatch:
    """Kill the processes under ``zygote`` (the runners and theirs) once they hold too much.

    One thread per worker, armed for each sample with ``over``: given the sample's pids, is it
    over its limit? With a memory cgroup ``over`` asks whether the kernel's OOM killer has
    struck (one killed child must not leave the rest of the sample sleeping until the
    deadline); without, it sums their PSS (``pss_over``).
    """

    def __init__(self, zygote: int, interval: float = INTERVAL) -> None:
        self.zygote, self.interval = zygote, interval
        self._over: Callable[[list[int]], bool] | None = None
        self._tripped = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)
        self._thread.start()

    def arm(self, over: Callable[[list[int]], bool]) -> None:
        """Watch the sample now starting."""
        with self._lock:
            self._over, self._tripped = over, False

    def disarm(self) -> bool:
        """Stop watching; return whether the sample was killed for its memory."""
        with self._lock:
            self._over = None
            return self._tripped

    def close(self) -> None:
        """End the thread."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:  # disarm() waits for a kill in progress: none lands after it
                if self._over is None:
                    continue
                pids = [p for runner in children(self.zygote) for p in _tree(runner)]
                if pids and self._over(pids):
                    self._tripped, self._over = True, None
                    for pid in pids:  # runners first: PID 1 of a namespace takes the rest
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError:
                            pass


def pss_over(limit_mb: float) -> Callable[[list[int]], bool]:
    """A test for ``MemoryWatch``: do these processes' PSS sum past ``limit_mb``?"""
    limit_kb = int(limit_mb * 1024)
    return lambda pids: sum(pss_kb(p) for p in pids) > limit_kb
