"""The ``sequence`` kind's trusted side: prepare a task, judge a candidate, shrink a failure.

The trusted driver runs every one of the task's call sequences (with the task's drain
appended) on a fresh object of the candidate's class, all in one round trip, and reports each
trace; the judge checks every report's shape. As a spot check it then constructs one object
over the channel, runs the first sequence on it alone and reads its final state back with
plain method calls: both must agree with the batch report. It then decides, from that plain
data only:

1. the property (``_sequence_monitors``) over every sequence's trace: a violation is
   ``invariant``, ``liveness`` or ``coupling``;
2. else the contract: every answer and every observed state equal the reference class's, run
   here in the judge on the same sequence: a difference is ``contract``.

A violation is shrunk by delta debugging over the steps: the subsequences of one round of
ddmin are run together (one round trip), each on a fresh object in the same sample, and the
first one that still shows a violation of the same kind is kept
(every property holds for every prefix and subsequence the reference runs, so a kept one is a
real counterexample). The verdict shows the shortest failing sequence found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codehazard.errors import SandboxError
from codehazard.sandbox._drive_sequence import drive_steps
from codehazard.sandbox._judge import CandidateRaised, Channel, Outcome, PreparedTask, short
from codehazard.sandbox._prepare import reference_code
from codehazard.sandbox._sequence_monitors import MONITOR_CLASSES, Monitor

DRIVER = "codehazard.sandbox._drive_sequence:drive_steps"
DRIVE_MANY = "codehazard.sandbox._drive_sequence:drive_many"
Steps = list[tuple[str, list[Any]]]


@dataclass
class _Data:
    checker: Any
    cls: Any
    expected: list[dict[str, Any]]


@dataclass(frozen=True)
class Violation:
    """The first violation in one trace: at step ``index`` (-1: the initial state)."""

    index: int
    kind: str
    message: str
    expected: Any = None
    actual: Any = None


def _plain(value: Any) -> Any:
    """Tuples as lists, recursively: a specification's pairs may come back either way."""
    if type(value) in (list, tuple):
        return [_plain(v) for v in value]
    if type(value) is dict:
        return {k: _plain(v) for k, v in value.items()}
    return value


def _reference_trace(data: _Data, steps: Steps) -> dict[str, Any]:
    obj = data.cls(*data.checker.init)
    return _plain(drive_steps(obj, [list(s) for s in steps], list(data.checker.observe)))


def prepare_sequence(task: Any, checker: Any, timeout: float) -> PreparedTask:
    """Compile the reference class, run it on every sequence, and check that it keeps the
    property on each (a reference that does not is the task's fault).

    Raises:
        SandboxError: the reference does not compile, lacks the class, raises on a sequence or
            breaks the task's property.
    """
    del timeout
    code = reference_code(task)
    namespace: dict[str, Any] = {"__name__": "__reference__"}
    try:
        exec(code, namespace)  # the task's own reference, as the test kind's judge runs it
        cls = namespace[task.entry_point]
    except Exception as exc:
        raise SandboxError(f"task {task.task_id}: its reference class fails: {exc!r}") from None
    data = _Data(checker, cls, [])
    for steps in checker.sequences:
        full = [*steps, *checker.drain]
        trace = _reference_trace(data, full)
        found = _property_violation(data, full, trace)
        raised = any(entry[0][0] == "raise" for entry in trace["steps"])
        if found is not None or raised or len(trace["steps"]) != len(full):
            why = found.message if found is not None else "it raises"
            raise SandboxError(f"task {task.task_id}: the reference breaks its property: {why}")
        data.expected.append(trace)
    return PreparedTask(
        task.task_id,
        task.entry_point,
        code,
        run=run_sequence,
        data=data,
    )


def _call_text(step: tuple[str, list[Any]]) -> str:
    name, args = step
    return f"obj.{name}({', '.join(short(a) for a in args)})"


def _sequence_text(data: _Data, entry: str, steps: Steps) -> str:
    init = ", ".join(short(a) for a in data.checker.init)
    return "; ".join([f"obj = {entry}({init})", *(_call_text(s) for s in steps)])


def _valid_report(report: Any, steps: Steps, observers: int) -> bool:
    """The driver's report has the shape the driver writes (a candidate that patched it may
    still pass this, which is why every value is then checked against the reference)."""
    if type(report) is not dict or set(report) != {"initial", "steps"}:
        return False
    rows = report["steps"]
    if type(rows) is not list or type(report["initial"]) is not list or len(rows) > len(steps):
        return False
    for number, row in enumerate(rows):
        if type(row) is not list or len(row) != 2 or type(row[0]) is not list or not row[0]:
            return False
        raised = row[0][0] == "raise"
        if raised and number != len(rows) - 1:
            return False
        if not raised and (row[0][0] != "ok" or len(row[0]) != 2 or len(row[1]) != observers):
            return False
    ended = bool(rows) and rows[-1][0][0] == "raise"
    return ended or (len(rows) == len(steps) and len(report["initial"]) == observers)


class _Tampered(Exception):
    """The driver's report is malformed, or the state read back contradicts it."""


def _run_many(ch: Channel, data: _Data, runs: list[Steps]) -> list[dict[str, Any]]:
    """Run each of ``runs`` on a fresh object, in one round trip; the checked reports.

    Raises:
        CandidateRaised: the constructor raised.
        _Tampered: a report is malformed.
    """
    checker = data.checker
    wire = [[list(s) for s in steps] for steps in runs]
    reports = _plain(ch.drive(DRIVE_MANY, (list(checker.init), wire, list(checker.observe))))
    if type(reports) is not list or len(reports) != len(runs):
        raise _Tampered("the sequence driver's report is malformed")
    for report, steps in zip(reports, runs, strict=True):
        if not _valid_report(report, steps, len(checker.observe)):
            raise _Tampered("the sequence driver's report is malformed")
    return reports  # type: ignore[no-any-return]


def _spot_check(ch: Channel, data: _Data, steps: Steps, batch: dict[str, Any]) -> None:
    """Run ``steps`` alone on an object made over the channel and read its state back: the
    report and the state must both agree with the batch's report of the same sequence.

    Raises:
        CandidateRaised: the constructor or a read-back raised.
        _Tampered: they disagree.
    """
    checker = data.checker
    handle = ch.new(tuple(checker.init))
    report = ch.drive(DRIVER, ([list(s) for s in steps], list(checker.observe)), handle=handle)
    if _plain(report) != batch:
        raise _Tampered(
            "one sequence run alone gave another trace than in the batch (state shared "
            "between objects, or a forged report)"
        )
    rows = batch["steps"]
    if not rows or rows[-1][0][0] != "raise":
        last = rows[-1][1] if rows else batch["initial"]
        for name, reported in zip(checker.observe, last, strict=True):
            if _plain(ch.method(handle, name, label=f"obj.{name}")) != reported:
                raise _Tampered(f"obj.{name}() read back differs from the driver's report")


def _monitor(data: _Data) -> Monitor:
    return MONITOR_CLASSES[data.checker.monitor](data.checker.params)


def _property_violation(data: _Data, steps: Steps, report: dict[str, Any]) -> Violation | None:
    """The first step of ``report`` that breaks the property (``None``: it holds)."""
    monitor = _monitor(data)
    observe = data.checker.observe
    if len(report["initial"]) != len(observe):
        return None  # an observer raised at once: a contract matter
    try:
        message = monitor.start(dict(zip(observe, report["initial"], strict=False)))
        if message:
            return Violation(-1, monitor.kind, message)
        for index, (step, row) in enumerate(zip(steps, report["steps"], strict=False)):
            outcome, seen = row
            if outcome[0] == "raise":
                return None  # a contract matter: the specification's methods never raise
            name, args = step
            message = monitor.step(
                name, list(args), outcome[1], dict(zip(observe, seen, strict=False))
            )
            if message:
                return Violation(index, monitor.kind, message)
        message = monitor.finish()
    except Exception as exc:  # values of a shape the property cannot read: the contract's
        return Violation(len(report["steps"]) - 1, "contract", f"unreadable state ({exc!r})")
    return Violation(len(steps) - 1, monitor.kind, message) if message else None


def _contract_violation(
    data: _Data, steps: Steps, report: dict[str, Any], expected: dict[str, Any]
) -> Violation | None:
    """The first answer or observed state that differs from the reference's."""
    observe = data.checker.observe
    if report["initial"] != expected["initial"]:
        return Violation(-1, "contract", "the initial state differs", expected["initial"])
    for index, (row, want) in enumerate(zip(report["steps"], expected["steps"], strict=False)):
        call = _call_text(steps[index])
        if row[0][0] == "raise":
            _, kind, message = (row[0] + ["", ""])[:3]
            return Violation(index, "contract", f"{call} raised {kind}: {message}", want[0][1])
        if row[0][1] != want[0][1]:
            text = f"{call} answered {short(row[0][1])}, expected {short(want[0][1])}"
            return Violation(index, "contract", text, want[0][1], row[0][1])
        for name, got, should in zip(observe, row[1], want[1], strict=True):
            if got != should:
                text = f"after {call}, obj.{name}() is {short(got)}, expected {short(should)}"
                return Violation(index, "contract", text, should, got)
    return None


def _violation(
    data: _Data, steps: Steps, report: dict[str, Any], kinds: tuple[str, ...]
) -> Violation | None:
    found = _property_violation(data, steps, report)
    if found is not None and found.kind in kinds:
        return found
    if "contract" in kinds:
        return _contract_violation(data, steps, report, _reference_trace(data, steps))
    return None


def _shrink(
    ch: Channel, data: _Data, steps: Steps, found: Violation, budget: int
) -> tuple[Steps, Violation]:
    """Delta debugging (ddmin) over ``steps``; each round's complements run in one trip (the
    drain is added to every run). ``budget`` bounds the subsequences run in all."""
    drain = list(data.checker.drain)
    kinds = (
        (found.kind,)
        if found.kind != "contract"
        else ("invariant", "liveness", "coupling", "contract")
    )
    best = steps[: found.index + 1] if 0 <= found.index < len(steps) else steps
    best_found = found
    granularity = 2
    while len(best) >= 2 and budget > 0:
        chunk = -(-len(best) // granularity)
        candidates = [best[:i] + best[i + chunk :] for i in range(0, len(best), chunk)]
        candidates = candidates[:budget]
        budget -= len(candidates)
        seen = _first_failing(ch, data, candidates, drain, kinds)
        if seen is not None:
            candidate, violation = seen
            cut = violation.index + 1 if 0 <= violation.index < len(candidate) else len(candidate)
            best, best_found = candidate[: max(cut, 0)], violation
            granularity = max(granularity - 1, 2)
        elif granularity >= len(best):
            break
        else:
            granularity = min(len(best), granularity * 2)
    return best, best_found


def _first_failing(
    ch: Channel, data: _Data, candidates: list[Steps], drain: Steps, kinds: tuple[str, ...]
) -> tuple[Steps, Violation] | None:
    fulls = [[*c, *drain] for c in candidates]
    try:
        reports = _run_many(ch, data, fulls)
    except (_Tampered, CandidateRaised):
        return None
    for candidate, full, report in zip(candidates, fulls, reports, strict=True):
        found = _violation(data, full, report, kinds)
        if found is not None:
            return candidate, found
    return None


def run_sequence(task: PreparedTask, ch: Channel) -> Outcome:
    """The ``sequence`` kind's judge (see the module docstring)."""
    data: _Data = task.data
    drain = list(data.checker.drain)
    sequences = [list(steps) for steps in data.checker.sequences]
    fulls = [[*steps, *drain] for steps in sequences]
    try:
        batch = _run_many(ch, data, fulls)
        _spot_check(ch, data, fulls[0], batch[0])
    except _Tampered as exc:
        return {"status": "error", "detail": str(exc), "failure_kind": "contract"}
    found_by_property = [
        _property_violation(data, full, report) for full, report in zip(fulls, batch, strict=True)
    ]
    for steps, found in zip(sequences, found_by_property, strict=True):
        if found is not None and found.kind != "contract":
            return _failed(ch, task, data, steps, found)
    rows = zip(sequences, fulls, batch, data.expected, found_by_property, strict=True)
    for steps, full, report, expected, found in rows:
        found = found or _contract_violation(data, full, report, expected)
        if found is not None:
            return _failed(ch, task, data, steps, found)
    return {"status": "passed", "detail": ""}


def _failed(
    ch: Channel, task: PreparedTask, data: _Data, steps: Steps, found: Violation
) -> Outcome:
    shortest, shown = _shrink(ch, data, list(steps), found, data.checker.shrink_budget)
    full = [*shortest, *data.checker.drain]
    calls = _sequence_text(data, task.entry_point, full)
    drained = f" (then the drain of {len(data.checker.drain)} calls)" if data.checker.drain else ""
    detail = (
        f"{shown.kind}: {shown.message}; shortest failing sequence found: {len(shortest)} of "
        f"{len(steps)} calls{drained}: {_sequence_text(data, task.entry_point, shortest)}"
    )
    outcome: Outcome = {
        "status": "failed",
        "detail": detail,
        "failure_kind": shown.kind,
        "failing_input": calls,
    }
    if shown.kind == "contract" and (shown.expected is not None or shown.actual is not None):
        outcome["expected"], outcome["actual"] = short(shown.expected), short(shown.actual)
    return outcome
