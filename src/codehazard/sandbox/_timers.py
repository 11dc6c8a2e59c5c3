"""The judge's own clocks while a test runs in the trusted worker.

The channel bounds the time the judge waits for the candidate; while the test itself computes
on the candidate's answers (a loop over a huge returned number, say) only a signal can stop
it. Two interval timers do: ``ITIMER_REAL`` at the sample's wall-clock backstop and
``ITIMER_PROF`` at the test's CPU budget, each raising ``JudgeTimeout`` into the test code.
"""

from __future__ import annotations

import _signal
import signal
import time
from types import TracebackType
from typing import Any

from codehazard.sandbox._judge import TIMER_SLACK, JudgeTimeout


class JudgeTimers:
    """Arm both timers for one test (a context manager; main thread only).

    ``expired`` says which fired, ``"wall"`` or ``"cpu"`` (``""``: neither), so that a test
    that swallows ``JudgeTimeout`` (a bare ``except:``) still ends as a timeout.
    """

    def __init__(self, deadline: float, cpu_seconds: float) -> None:
        self.deadline, self.cpu_seconds = deadline, cpu_seconds
        self.expired = ""
        self._previous: list[Any] = []

    def _expire(self, signum: int, frame: Any) -> None:
        self.expired = "cpu" if signum == signal.SIGPROF else "wall"
        raise JudgeTimeout

    def __enter__(self) -> JudgeTimers:
        self.expired = ""
        # ``_signal`` is what ``signal.signal`` calls, without the enum conversions of each call
        self._previous = [
            _signal.signal(_signal.SIGALRM, self._expire),
            _signal.signal(_signal.SIGPROF, self._expire),
        ]
        wall = max(0.001, self.deadline - time.monotonic()) + TIMER_SLACK
        signal.setitimer(signal.ITIMER_REAL, wall)
        signal.setitimer(signal.ITIMER_PROF, self.cpu_seconds)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        _signal.signal(_signal.SIGALRM, self._previous[0])
        _signal.signal(_signal.SIGPROF, self._previous[1])
