"""The ``stress`` checker's trusted driver: threads that hammer one object and record a history.

It runs inside the candidate's process (standard library only; imported before the candidate's
code, see ``sandbox._drivers``). One call of ``stress`` runs one round of a plan the judge made:
each planned thread waits at a common start, sleeps its seeded delay, then calls its operations
in order. Every call is stamped from one atomic counter just before it is made (``inv``) and
just after it returns (``resp``), so ``resp(a) < inv(b)`` means that ``a`` really finished
before ``b`` began: the real-time order linearizability is checked against.

To make the interleavings that CPython allows actually happen, the switch interval is made tiny
and a seeded tracer yields the processor (``sleep(0)``) between bytecodes of the candidate's
own code (frames of ``__main__``) with a small probability: a read-modify-write that is not
protected by a lock is interrupted in its middle as a real scheduler could do it.

A watchdog in the calling thread watches progress (responses and job events); when nothing
progressed for ``stall_s`` seconds while operations are pending it stops waiting and reports the
pending ones (a deadlock or a lost wake-up); the stuck threads are daemons and die with the
process. The report is plain data and evidence only: the judge validates it (``_check_stress``).
"""

from __future__ import annotations

import _thread
import itertools
import random
import sys
import threading
import time
from typing import Any

STRESS = "codehazard.sandbox._drivers_threads:stress"

# Captured before the candidate's code runs: a candidate that replaces the modules' attributes
# afterwards does not change what the driver calls.
_Thread = threading.Thread
_Lock = _thread.allocate_lock
_Event = threading.Event
_Random = random.Random
_sleep = time.sleep
_monotonic = time.monotonic
_settrace = sys.settrace
_gettrace = sys.gettrace
_thread_settrace = threading.settrace
_getswitch = sys.getswitchinterval
_setswitch = sys.setswitchinterval
_get_ident = _thread.get_ident


class _Round:
    """The shared state of one round: the clock, the progress count and the records."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.clock = itertools.count(1)  # next() on a C iterator is atomic under the GIL
        self.progress = itertools.count(1)
        self.last = 0
        self.events: list[list[Any]] = []
        self.jobs: list[list[Any]] = []
        self.inits: list[Any] = []
        self.sections: list[list[Any]] = []
        self.pending: dict[tuple[int, int], int] = {}
        self.hold = float(plan.get("hold", 0.0005))
        self.yield_p = float(plan.get("yield_p", 0.05))
        self.seed = int(plan.get("seed", 0))
        self.tracer_lost = False
        self.go = _Event()
        self.gate = _Event()
        self.gate_s = float(plan.get("gate_s", 0.0))
        self.gate_peak = int(plan.get("gate_peak", 0))
        self.settle_s = float(plan.get("settle_s", 0.005))
        self.opener_called = 0.0
        self.running = 0
        self.running_lock = _Lock()

    def tick(self) -> int:
        return next(self.clock)

    def moved(self) -> None:
        self.last = next(self.progress)


def _tracer(rng: random.Random, p: float) -> Any:
    """A trace function yielding between the candidate's bytecodes with probability ``p``."""

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "opcode" and rng.random() < p:
            _sleep(0)
        return local

    def glob(frame: Any, event: str, arg: Any) -> Any:
        if frame.f_globals.get("__name__") != "__main__":
            return None
        frame.f_trace_opcodes = True
        return local

    return glob


def _make_arg(value: Any, rnd: _Round, thread: int) -> Any:
    """Plain-data placeholders the plan uses for callables: ``{"$init": t}`` (a once-only
    initialiser returning ``t``) and ``{"$job": j}`` (a job of a worker pool)."""
    if type(value) is dict and "$init" in value:
        token = value["$init"]

        def init() -> Any:
            rnd.inits.append([token, rnd.tick()])
            _sleep(rnd.hold)
            return token

        return init
    if type(value) is dict and "$job" in value:
        job = value["$job"]

        def run_job() -> None:
            start = rnd.tick()
            rnd.moved()
            gated = bool(rnd.gate_s)
            if gated:
                _hold_at_gate(rnd)
            _sleep(rnd.hold)
            rnd.jobs.append([job, start, rnd.tick()])
            rnd.moved()
            if gated:
                with rnd.running_lock:
                    rnd.running -= 1

        return run_job
    return value


def _section(rnd: _Round, mode: str) -> list[Any]:
    """A critical section of a reader-writer lock: stamped on entry and exit, held a while."""
    enter = rnd.tick()
    _sleep(rnd.hold)
    rnd.sections.append([mode, enter, rnd.tick()])
    return []


def _worker(subject: Any, rnd: _Round, index: int, spec: dict[str, Any]) -> None:
    rng = _Random(rnd.seed * 1009 + index)
    tracer = _tracer(rng, rnd.yield_p)
    rnd.go.wait()
    _sleep(float(spec.get("delay", 0.0)))
    _settrace(tracer)
    try:
        for k, (name, args) in enumerate(spec["ops"]):
            rnd.pending[(index, k)] = 1
            call_args = [_make_arg(a, rnd, index) for a in args]
            if k == 0 and spec.get("opens_gate"):
                rnd.opener_called = _monotonic()  # the watchdog opens the gate after settle_s
            inv = rnd.tick()
            try:
                if name == "$section":
                    value: Any = ["ok", _section(rnd, str(args[0]))]
                else:
                    value = ["ok", getattr(subject, name)(*call_args)]
            except BaseException as exc:  # the candidate's failure, recorded as data
                value = ["exc", type(exc).__name__]
            resp = rnd.tick()
            if _gettrace() is not tracer:
                rnd.tracer_lost = True
                _settrace(tracer)
            del rnd.pending[(index, k)]
            rnd.events.append([index, k, inv, resp, value])
            rnd.moved()
    finally:
        _settrace(None)


def _hold_at_gate(rnd: _Round) -> None:
    """Hold a started job at the gate: until it opens, at most ``gate_s``.

    The gate opens by itself once more than ``gate_peak`` jobs are running at once (the pool
    has shown it runs more jobs than its workers: holding more of them would only use up the
    sample's thread limit); the watchdog opens it ``settle_s`` after the opener was called."""
    with rnd.running_lock:
        rnd.running += 1
        over = rnd.running > rnd.gate_peak
    if over:
        rnd.gate.set()
    rnd.gate.wait(rnd.gate_s)


def _drain(rnd: _Round, count: int, patience: float) -> None:
    """Wait until ``count`` jobs have run, or none ran for ``patience`` seconds, then settle.

    Not a verdict: a pool may rightly run its jobs only when shut down; it only makes the next
    operation (a shutdown) find the workers idle, the schedule a lost wake-up needs."""
    seen, since = len(rnd.jobs), _monotonic()
    while len(rnd.jobs) < count and _monotonic() - since < patience:
        _sleep(0.002)
        if len(rnd.jobs) != seen:
            seen, since = len(rnd.jobs), _monotonic()
    _sleep(rnd.settle_s)


def stress(subject: Any, plan: dict[str, Any]) -> dict[str, Any]:
    """Run one round of ``plan`` against ``subject``; the history, as plain data.

    ``plan``: ``threads`` (each ``{"ops": [[method, args], ...], "delay": s, "after": bool}``;
    an ``after`` thread starts once the others finished), ``seed``, ``switch`` (the switch
    interval), ``yield_p``, ``hold`` (seconds a job, section or initialiser takes) and
    ``stall_s`` (the watchdog's patience). A worker pool's schedules: with ``gate_s`` a job
    that started holds (at most that long) until ``settle_s`` after a thread marked
    ``opens_gate`` called its first operation, or until more than ``gate_peak`` jobs run;
    with ``drain`` (a number of jobs) the ``after`` threads start once that many jobs ran (or
    none ran for a quarter of ``stall_s``).
    Returns ``events`` (``[thread, op, inv, resp, ["ok", value] | ["exc", type]]``),
    ``jobs``, ``inits``, ``sections``, ``pending`` (the operations still running when the
    watchdog gave up) and ``tracer_lost``.
    """
    rnd = _Round(plan)
    specs = list(plan["threads"])
    stall = float(plan.get("stall_s", 1.0))
    old_switch = _getswitch()
    _setswitch(float(plan.get("switch", 1e-6)))
    _thread_settrace(_tracer(_Random(rnd.seed), rnd.yield_p))  # threads the candidate starts
    try:
        first = [i for i, s in enumerate(specs) if not s.get("after")]
        later = [i for i, s in enumerate(specs) if s.get("after")]
        stuck = _run_threads(subject, rnd, specs, first, stall)
        if not stuck and later:
            if plan.get("drain"):
                _drain(rnd, int(plan["drain"]), stall / 4)
            stuck = _run_threads(subject, rnd, specs, later, stall)
    finally:
        rnd.gate.set()
        _setswitch(old_switch)
        _thread_settrace(None)  # type: ignore[arg-type]
    return {
        "events": list(rnd.events),
        "jobs": list(rnd.jobs),
        "inits": list(rnd.inits),
        "sections": list(rnd.sections),
        "pending": sorted([t, k] for t, k in rnd.pending) if stuck else [],
        "tracer_lost": rnd.tracer_lost,
    }


def _run_threads(
    subject: Any, rnd: _Round, specs: list[dict[str, Any]], which: list[int], stall: float
) -> bool:
    """Start the threads ``which``, release them together, wait; whether the watchdog fired."""
    rnd.go = _Event()
    threads = [
        _Thread(target=_worker, args=(subject, rnd, i, specs[i]), daemon=True) for i in which
    ]
    for thread in threads:
        thread.start()
    rnd.go.set()
    seen, since = rnd.last, _monotonic()
    while any(t.is_alive() for t in threads):
        _sleep(0.002)
        called = rnd.opener_called
        if called and not rnd.gate.is_set() and _monotonic() - called >= rnd.settle_s:
            rnd.gate.set()
        if rnd.last != seen:
            seen, since = rnd.last, _monotonic()
        elif _monotonic() - since > stall:
            return True
    return False
