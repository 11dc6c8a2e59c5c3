"""Resource limits applied to every sample (and how they travel to the sandbox)."""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from codehazard.errors import ArgumentError

WALL_FACTOR = 2.0
WALL_SLACK = 2.0


@dataclass(frozen=True)
class Limits:
    """Per-sample limits.

    ``timeout`` is seconds of the sample's own time for the whole check of one sample (every
    call the test makes): the CPU time of all its processes together, measured by the trusted
    side (the sample's cgroup, or ``/proc``), plus the time it sleeps or blocks by itself.
    Waiting for a CPU does not count, so a loaded machine or a hostile neighbour cannot turn a
    correct sample into a timeout, and neither does the harness's set-up (fork, namespaces,
    handing over the program: done before the sample joins its cgroup) or the judge's turn.
    The test's own computation on the answers, in the trusted judge, has a budget of
    ``timeout`` seconds of the judge's CPU time. A wall-clock backstop (``wall_timeout``:
    ``WALL_FACTOR`` times ``timeout`` plus ``WALL_SLACK`` seconds) ends every sample however
    starved. Where nothing can be measured (no ``/proc``), ``timeout`` is wall-clock seconds;
    the isolation record's ``time_limit`` says which.

    ``memory_mb`` caps the memory of all the sample's processes together (a memory cgroup, or
    a watch where none can be had) and the address space of each; ``max_processes`` its
    processes and threads; ``max_file_mb`` any single file it writes; ``max_disk_mb`` its
    whole private working directory; ``max_open_files`` its descriptors; ``max_output_kb``
    the bytes it may write to stdout and stderr together (past that it is stopped and the
    sample is an error).
    """

    timeout: float = 3.0
    memory_mb: int = 1024
    max_processes: int = 32
    max_file_mb: int = 16
    max_disk_mb: int = 64
    max_open_files: int = 64
    max_output_kb: int = 1024

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or value <= 0:
                raise ArgumentError(f"`{f.name}` must be a positive number, got {value!r}")

    @property
    def wall_timeout(self) -> float:
        """The wall-clock backstop in seconds: a sleeping or blocked sample ends here."""
        return WALL_FACTOR * self.timeout + WALL_SLACK

    def as_dict(self) -> dict[str, Any]:
        """Plain form, for the sandbox protocol and the run record."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # flat: no deep copy

    def with_timeout(self, timeout: float | None) -> Limits:
        """The same limits with another time limit (``None`` keeps this one)."""
        if timeout is None or timeout == self.timeout:
            return self
        return Limits(**{**self.as_dict(), "timeout": float(timeout)})


def cpu_detail(limits: Limits, used: float | None, during: str) -> str:
    """Why a sample killed at its CPU time limit is a timeout."""
    where = f" during {during}" if during and not during.startswith("time limit") else ""
    spent = f"{used:.2f} s" if used is not None else "more"
    return (
        f"time limit exceeded{where}: the sample's processes used {spent} of CPU time, "
        f"limit {limits.timeout:g} s"
    )


def idle_detail(limits: Limits, used: float | None, idle: float, during: str) -> str:
    """Why a sample that slept or blocked past its time limit is a timeout."""
    where = f" during {during}" if during and not during.startswith("time limit") else ""
    return (
        f"time limit exceeded{where}: the sample used {used or 0.0:.2f} s of CPU time and "
        f"slept or blocked for {idle:.2f} s, limit {limits.timeout:g} s"
    )


def wall_detail(wall: float, used: float | None) -> str:
    """What a timeout at the wall-clock backstop measured (a sleeping or blocked sample)."""
    if used is None:
        return f" (wall-clock limit {wall:g} s)"
    return f" (wall-clock backstop {wall:g} s passed with {used:.2f} s of CPU time used)"


@contextlib.contextmanager
def judge_cpu_backstop(seconds: float | None) -> Iterator[None]:
    """Have the kernel end this process (SIGXCPU) if it uses ``seconds`` more of CPU time.

    The judge's timers raise into the test only between bytecodes; a C-level operation of the
    test on the candidate's answers (``set()`` of a list of integers built to hash alike takes
    minutes) holds the interpreter past them, and no thread of ours can run then. The kernel
    still counts CPU time: the soft ``RLIMIT_CPU`` is set to what this process has used plus
    ``seconds``, and SIGXCPU's default action ends it. The executor reads that signal as a
    stalled judge, tries the sample once more in a fresh worker and, when it stalls that one
    too, judges it the candidate's ``timeout``. ``None``: nothing is armed (a caller's own
    process, which must never be ended so). Only a worker process passes a number.
    """
    if seconds is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    limit = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
