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
from codehazard.sandbox._protocol import Done, Job, Ready, StartFailed, Stop, WorkerConfig

__all__ = [
    "CodecError",
    "Done",
    "Job",
    "Limits",
    "PreparedTask",
    "Ready",
    "Sandbox",
    "StartFailed",
    "Stop",
    "WorkerConfig",
    "comparator",
    "decode",
    "encode",
    "judge_sample",
    "prepare_task",
]

_UNIT = ("PreparedTask", "Sandbox", "judge_sample", "prepare_task")


def __getattr__(name: str) -> Any:
    """The unit of work (``judge_sample`` and what it takes), imported on first use: it pulls
    in the zygote and the judge, which most importers of this package do not need."""
    if name in _UNIT:
        from codehazard.sandbox import _unit

        return getattr(_unit, name)
    raise AttributeError(f"module 'codehazard.sandbox' has no attribute {name!r}")


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

    Raises:
        SandboxError: the sandbox could not start or broke.
    """
    from codehazard.sandbox._worker import SandboxWorker

    worker = SandboxWorker(0, isolation)
    try:
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
