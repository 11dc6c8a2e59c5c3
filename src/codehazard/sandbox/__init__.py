"""The sandbox: isolation, limits, and the trusted judge of untrusted code.

Model-written code runs in a zygote-forked child inside Linux namespaces (no network, a
read-only root with a private working directory, a PID namespace per sample, an unprivileged
uid, rlimits). A separate trusted judge runs the checker and reaches the candidate only through
a channel of plain data. See ``docs/sandbox.md``.
"""

from typing import Any

from codehazard.sandbox._codec import CodecError, decode, encode
from codehazard.sandbox._limits import Limits
from codehazard.sandbox._oracles import comparator
from codehazard.sandbox._policy import LEVELS as ISOLATION_LEVELS
from codehazard.sandbox._policy import IsolationRefused
from codehazard.sandbox._policy import parse_level as parse_isolation_level
from codehazard.sandbox._policy import record as isolation_record
from codehazard.sandbox._policy import require as require_isolation
from codehazard.sandbox._policy import require_kept as require_isolation_kept
from codehazard.sandbox._policy import worker_mode as isolation_worker_mode
from codehazard.sandbox._protocol import (
    Done,
    Job,
    Ready,
    Refused,
    StartFailed,
    Stop,
    WorkerConfig,
)

# Loaded on first use: the zygote imports this package too, and must stay small and hold nothing
# of the tasks (``_prepare`` imports them). What a checker kind's trusted side uses, and the unit
# of work (``judge_sample`` and what it takes) that any executor calls on a worker.
_LAZY = {
    "Sandbox": "codehazard.sandbox._unit",
    "judge_sample": "codehazard.sandbox._unit",
    "prepare_task": "codehazard.sandbox._unit",
    "Channel": "codehazard.sandbox._judge",
    "Outcome": "codehazard.sandbox._judge",
    "PreparedTask": "codehazard.sandbox._judge",
    "reference_code": "codehazard.sandbox._prepare",
    "reference_outputs": "codehazard.sandbox._prepare",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ISOLATION_LEVELS",
    "Channel",
    "CodecError",
    "Done",
    "IsolationRefused",
    "Job",
    "Limits",
    "Outcome",
    "PreparedTask",
    "Ready",
    "Refused",
    "Sandbox",
    "StartFailed",
    "Stop",
    "WorkerConfig",
    "comparator",
    "decode",
    "encode",
    "hidden_view",
    "isolation_record",
    "isolation_worker_mode",
    "judge_sample",
    "parse_isolation_level",
    "prepare_task",
    "reference_code",
    "reference_outputs",
    "remove_worker_groups",
    "require_isolation",
    "require_isolation_kept",
    "self_check",
]


def remove_worker_groups(worker_pid: int) -> list[str]:
    """Kill what is left in a dead worker's cgroups and remove them; returns those removed."""
    from codehazard.sandbox._cgroup import remove_worker_groups as _remove

    return _remove(worker_pid)


def hidden_view() -> dict[str, list[str]]:
    """What the sandbox hides of this interpreter's library trees (data files of installed
    packages, this package), and the trees walked for it, walked at each call: an executor
    walks them once per evaluation and hands the result to each worker
    (``WorkerConfig.hidden``), which uses it only when its own trees are the same."""
    from codehazard.sandbox._layout import hidden_view as _hidden_view

    return _hidden_view()


def self_check(required: str = "full") -> dict[str, object]:
    """Probe this host's isolation and run the shipped attacks through the real sandbox.

    See ``codehazard sandbox check``; the result's ``ok`` is true when every guarantee the
    level promises holds and the level is at least ``required``.
    """
    from codehazard.sandbox._selfcheck import self_check as _self_check

    return _self_check(required)


def collect_outputs(
    program: str,
    entry_point: str,
    inputs: list[list[object]],
    *,
    timeout: float = 3.0,
    isolation: str = "auto",
) -> list[dict[str, object]]:
    """Run ``entry_point`` of an untrusted ``program`` on each input, in the sandbox.

    Returns one ``{"ok": bool, "value": plain data | None, "error": str | None}`` per input;
    inputs not reached (the program failed to load, crashed or ran out of time) are reported
    with ``ok=False`` and the reason. Starts a sandbox of its own: for a handful of programs
    (failure analysis), not for bulk evaluation. Must be called from the main thread.

    ``isolation`` is the least level accepted, as for ``Evaluator`` (``auto``: full).

    Raises:
        SandboxError: the sandbox could not start or broke; ``IsolationRefused`` when it
            obtained less than ``isolation``.
    """
    from codehazard.sandbox._policy import require, worker_mode
    from codehazard.sandbox._worker import SandboxWorker

    worker = SandboxWorker(0, worker_mode(isolation))
    try:
        require(worker.start(), isolation)  # never less than asked for, as for evaluation
        outcome = worker.collect(program, entry_point, inputs, Limits(timeout=timeout))
    finally:
        worker.close()
    calls = list(outcome["calls"])
    reason = outcome.get("detail") or outcome["status"]
    calls += [{"ok": False, "value": None, "error": f"not reached: {reason}"}] * (
        len(inputs) - len(calls)
    )
    return calls


__all__ += ["collect_outputs"]
