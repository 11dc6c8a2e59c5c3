"""The trusted judge: runs a task's checker and calls the candidate only through the channel.

The judge runs in the trusted worker process, never in the sandbox. HumanEval-style
``check(candidate)`` code gets a proxy as ``candidate``: each call sends the arguments as plain
data to the runner and decodes the answer into fresh builtin objects, so every comparison the
test makes is between values the candidate cannot give behaviour to. Whatever the candidate
does in its own process (exit codes, atexit hooks, output, patched builtins, writes to any
descriptor) can at most make a call fail; only the test completing here is a pass.
"""

from __future__ import annotations

import json
import os
import select
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from codehazard.sandbox._codec import (
    REQUEST_DEPTH,
    CodecError,
    CodecLimitError,
    decode,
    dumps,
    encode,
)
from codehazard.sandbox._oracles import comparator
from codehazard.sandbox._raised import CandidateRaised, raised_class, rebuild
from codehazard.sandbox._served import ReadBudgetSpent, SecretServer

__all__ = ["CandidateRaised", "raised_class"]  # re-exported: callers name them here
_raised_class = raised_class  # the name older callers use

MAX_MESSAGE = 4 * 1024 * 1024  # bounds what one answer can make the trusted judge hold
REPR_LIMIT = 500


class JudgeTimeout(BaseException):
    """The sample's time ran out (a BaseException so test code cannot swallow it)."""


class CandidateGone(BaseException):
    """The candidate's process closed the channel or broke the protocol."""


class BadValue(BaseException):
    """The candidate answered with something that is not plain builtin data."""


def short(value: Any) -> str:
    """A truncated repr for verdict details; never raises.

    The value may be the candidate's (a string of megabytes, an integer whose decimal form is
    over CPython's conversion limit, a deeply nested list): its display must not become an
    error of the judge.
    """
    try:
        text = repr(value)
    except Exception as exc:
        kind = type(value).__name__
        size = f" of {value.bit_length()} bits" if type(value) is int else ""
        return f"<{kind}{size}: no repr ({type(exc).__name__})>"
    return text if len(text) <= REPR_LIMIT else text[:REPR_LIMIT] + "..."


class Mispredicted(BaseException):
    """The test called the candidate otherwise than predicted: judge the sample again without
    a prediction (a BaseException, so test code cannot swallow it)."""


TIMER_SLACK = 0.05
"""The worker's interval timer fires this long after the deadline (``SandboxWorker._bounded``)."""

PIPELINE_BYTES = 32 * 1024
"""At most this many bytes of predicted calls are sent ahead: half a pipe's default capacity,
so sending them never waits on a runner that is itself waiting for its answers to be read."""


class Channel:
    """The judge's end of the two pipes to the runner, with one absolute deadline.

    ``pipeline`` sends predicted calls ahead; ``call`` then checks that each call the test
    makes is the next predicted one (raising ``Mispredicted`` on the first that is not, and on
    every call after it) and only waits for its answer. ``unconsumed`` says whether the runner
    may have run predicted calls the test never made.
    """

    def __init__(self, req_w: int, resp_r: int, deadline: float) -> None:
        self.req_w, self.resp_r, self.deadline = req_w, resp_r, deadline
        self._buf = bytearray()
        self._next_id = 0
        self._predicted: list[bytes] = []
        self.mispredicted = False
        self.answered = False
        self.failure: BaseException | None = None
        """The first channel signal raised to the test (kept in case the test swallows it)."""
        """The candidate has answered a call: later arguments may be built from its values."""
        self.last_args: Any = None
        self.last_result: Any = None
        self.last_label = "candidate"
        """How the last request is shown in verdicts (``candidate``, ``obj.push``, ...)."""
        self._servers: dict[int, SecretServer] = {}
        """The secrets the call in progress serves, by argument position (``served_call``)."""

    @property
    def unconsumed(self) -> bool:
        """Predicted calls were sent that the test has not made (yet, or ever)."""
        return self._next_id < len(self._predicted) and not self.mispredicted

    def pipeline(self, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> None:
        """Send the predicted ``calls`` now (as many as fit in ``PIPELINE_BYTES``).

        Call before the first ``call``. A call whose arguments are not plain data ends the
        prediction there: the test will fail on it in ``call`` as it would have anyway.
        """
        self.pipeline_lines(request_lines(calls, self._next_id + 1))

    def pipeline_lines(self, lines: list[bytes]) -> None:
        """Send predicted calls already encoded by ``request_lines`` (numbered from the next
        request's id on)."""
        if lines:
            self._predicted = [b""] * self._next_id + lines
            self._send_bytes(b"".join(lines))

    def send(self, message: dict[str, Any]) -> None:
        self._send_bytes(dumps(message))

    def _send_bytes(self, payload: bytes) -> None:
        data = memoryview(payload)
        while data:
            if time.monotonic() >= self.deadline:
                raise JudgeTimeout
            _, writable, _ = select.select([], [self.req_w], [], self._remaining())
            if not writable:
                continue
            try:
                data = data[os.write(self.req_w, data[: 1 << 16]) :]
            except (BrokenPipeError, OSError):
                raise CandidateGone from None

    def _remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def recv(self) -> dict[str, Any]:
        while b"\n" not in self._buf:
            if len(self._buf) > MAX_MESSAGE:
                raise BadValue(f"answer larger than {MAX_MESSAGE} bytes")
            readable, _, _ = select.select([self.resp_r], [], [], self._remaining())
            if not readable:
                raise JudgeTimeout
            chunk = os.read(self.resp_r, 1 << 20)
            if not chunk:
                raise CandidateGone
            self._buf += chunk
        if self._buf.index(b"\n") > MAX_MESSAGE:
            raise BadValue(f"answer larger than {MAX_MESSAGE} bytes")
        line, _, rest = bytes(self._buf).partition(b"\n")
        self._buf = bytearray(rest)
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            raise CandidateGone from None
        if type(message) is not dict:
            raise CandidateGone
        return message

    def call(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        op: dict[str, Any] | None = None,
        label: str | None = "candidate",
    ) -> Any:
        """Call the candidate once; return its decoded answer or re-raise its exception.

        ``op`` and ``label`` are for ``new``, ``method`` and ``drive``, which say what to call.

        The channel's own signals (timeout, a vanished or misbehaving candidate) are kept:
        ``raise_swallowed`` raises them again once the test is done, so test code that
        swallows one (a bare ``except:``) cannot turn it into a pass; after a timeout or a
        vanished candidate every later call raises it again at once.
        """
        if isinstance(self.failure, (JudgeTimeout, CandidateGone)):
            raise self.failure  # the runner's replies no longer line up with our calls
        try:
            return self._call(args, kwargs, op, label)
        except (JudgeTimeout, CandidateGone, BadValue, ArgumentTooLarge) as exc:
            self.failure = self.failure or exc
            raise

    def raise_swallowed(self) -> None:
        """Raise the channel signal (or the judge's timer) that test code caught and ignored.

        A test of the form ``try: candidate(x) except: pass`` must not turn a candidate that
        looped past the deadline, crashed or answered garbage into a pass.
        """
        if self.failure is not None:
            raise self.failure
        if time.monotonic() >= self.deadline + TIMER_SLACK:  # the timer fired and was caught
            raise JudgeTimeout

    def new(self, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> int:
        """Construct an object by calling the entry point (a class); return its handle.

        Raises:
            CandidateRaised: the constructor raised.
        """
        handle = self.call(args, kwargs or {}, op={"op": "new"}, label=None)
        if type(handle) is not int:
            raise CandidateGone
        return handle

    def method(
        self,
        handle: int,
        name: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> Any:
        """Call method ``name`` of the object ``handle`` (from ``new``); return its answer.

        ``label`` is how the call is shown in verdicts (default ``obj.name``).

        Raises:
            CandidateRaised: the method raised (or the object has no such method).
        """
        op = {"op": "method", "handle": handle, "name": name}
        return self.call(args, kwargs or {}, op=op, label=label or f"obj.{name}")

    def drive(
        self,
        driver: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        handle: int | None = None,
    ) -> Any:
        """Run the trusted driver ``driver`` in the candidate's process on object ``handle`` (or
        the entry point) and return what it reports, as plain data.

        The driver must be one of ``PreparedTask.drivers`` (imported there before the candidate's
        code ran). It runs among the candidate's objects, so what it reports is evidence to be
        validated, never trusted: a checker kind decides from it only what a correct candidate
        would also have produced.

        Raises:
            CandidateRaised: the driver raised (the candidate broke what it drives).
        """
        op: dict[str, Any] = {"op": "drive", "driver": driver}
        if handle is not None:
            op["handle"] = handle
        return self.call(args, kwargs or {}, op=op, label=f"driver {driver.rpartition(':')[2]}")

    def served_call(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        servers: dict[int, SecretServer],
        label: str | None = "candidate",
    ) -> Any:
        """Call the entry point with the arguments at the positions of ``servers`` held back:
        the candidate gets a ``_served.Secret`` for each and every read of it is answered, and
        counted, by its server here (``server.work``) while the call runs.

        Raises:
            CandidateRaised: the candidate raised.
            ReadBudgetSpent: it read a secret past its server's budget (the runner still waits
                for an answer, so the channel is then unusable: later calls raise
                ``CandidateGone``).
        """
        held = [None if i in servers else a for i, a in enumerate(args)]
        self._servers = servers
        try:
            return self.call(tuple(held), kwargs, op={"served": sorted(servers)}, label=label)
        except ReadBudgetSpent as exc:
            self.failure = self.failure or CandidateGone()
            raise exc from None
        finally:
            self._servers = {}

    def _reply(self) -> dict[str, Any]:
        """The next reply to the request in progress, answering the secret reads before it."""
        reply = self.recv()
        while "access" in reply and self._servers and reply.get("id") == self._next_id:
            access = reply["access"]
            try:
                slot, what, arg = access
                if type(slot) is not int or slot not in self._servers:
                    raise LookupError(slot)
                arg = decode(arg)
            except Exception:
                raise BadValue("a malformed read of a served secret") from None
            answer = self._servers[slot].answer(what, arg)
            self._send_bytes(dumps({"id": self._next_id, **answer}))
            reply = self.recv()
        return reply

    def _call(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        op: dict[str, Any] | None = None,
        label: str | None = "candidate",
    ) -> Any:
        if self.mispredicted:
            raise Mispredicted
        self._next_id += 1
        self.last_label = label or "candidate"
        self.last_args, self.last_result = (args, kwargs), None
        try:
            line = _request(self._next_id, args, kwargs, op)
        except (CodecLimitError, RecursionError) as exc:
            if self.answered:  # the test is sending back (something built from) an answer
                raise ArgumentTooLarge(str(exc)) from None
            raise TaskDataError(f"the test passed a too large argument ({exc})") from None
        except CodecError as exc:
            raise TaskDataError(f"the test passed a non-plain argument ({exc})") from None
        if self._next_id <= len(self._predicted):  # call k was sent as _predicted[k - 1]
            if line != self._predicted[self._next_id - 1]:
                self.mispredicted = True
                raise Mispredicted
        else:
            self._send_bytes(line)
        reply = self._reply()
        if reply.get("id") != self._next_id:
            raise CandidateGone
        self.answered = True
        if op is not None and op.get("op") == "new":
            if reply.get("handle") == self._next_id:
                return self._next_id
            if "exc" not in reply:
                raise CandidateGone
        if "ok" in reply:
            try:
                value = decode(reply["ok"])
            except Exception as exc:  # whatever the wire holds, it is the candidate's error
                raise BadValue(str(exc)[:REPR_LIMIT]) from None
            self.last_result = value
            return value
        if "exc" in reply:
            raise rebuild(reply["exc"])
        raise BadValue(str(reply.get("bad", "malformed answer"))[:REPR_LIMIT])


def request_lines(calls: list[tuple[tuple[Any, ...], dict[str, Any]]], start: int) -> list[bytes]:
    """The protocol lines of ``calls`` numbered from ``start``, as many as fit in
    ``PIPELINE_BYTES``, up to the first whose arguments are not plain data (the test will fail
    on that call in ``Channel.call`` as it would have anyway)."""
    lines: list[bytes] = []
    size = 0
    for index, (args, kwargs) in enumerate(calls, start=start):
        try:
            line = _request(index, args, kwargs)
        except (CodecError, RecursionError, ValueError):
            break
        size += len(line)
        if size > PIPELINE_BYTES:
            break
        lines.append(line)
    return lines


def _request(
    ident: int, args: tuple[Any, ...], kwargs: dict[str, Any], op: dict[str, Any] | None = None
) -> bytes:
    """The protocol line of one request (a plain call unless ``op`` says otherwise; see
    ``_runner.OPS``)."""
    args_wire, kwargs_wire = encode(list(args), REQUEST_DEPTH), encode(kwargs, REQUEST_DEPTH)
    message = {"id": ident, "args": args_wire, "kwargs": kwargs_wire}
    if op:
        message.update(op)
    return dumps(message)


class ArgumentTooLarge(BaseException):
    """The test built an argument over the channel's limits from the candidate's answers (a
    BaseException, so test code cannot swallow it): the candidate's values made the check
    impossible, which is a failure of the candidate, never of the harness."""


class TaskDataError(BaseException):
    """The task itself cannot be checked this way (an infrastructure problem, not the model's)."""


Outcome = dict[str, Any]
"""A checker's outcome: ``status`` (a verdict status) and ``detail``, optionally the
``OUTCOME_FIELDS`` and ``observations`` (a dict of plain data the judge measured, kept as
``Verdict.observations``)."""

OUTCOME_FIELDS = ("failing_input", "expected", "actual", "exception", "failure_kind")
"""The optional outcome keys a verdict keeps (``Verdict`` fields of the same names)."""


@dataclass
class PreparedTask:
    """A task compiled once per worker: reference code, checker, and cached expected outputs.

    ``run(prepared, channel)`` is the checker kind's judge: it calls the candidate with
    ``channel.call`` and returns an ``Outcome``; an exception the candidate raised may simply
    propagate (it becomes an ``error`` verdict naming the call). ``data`` holds whatever else
    a kind prepared.
    """

    task_id: str
    entry_point: str
    reference: Any  # code object of prompt + canonical solution, or None
    test: Any = None  # code object of the test, or None for other kinds
    test_lines: list[str] = field(default_factory=list)
    inputs: list[list[Any]] | None = None
    oracle: str = "exact"
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    expected: list[Any] | None = None
    predicted: list[tuple[tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    """The calls the checker is expected to make first, sent ahead (see ``Channel.pipeline``)."""
    run: Callable[[PreparedTask, Channel], Outcome] | None = None
    data: Any = None
    drivers: list[str] = field(default_factory=list)
    """Trusted drivers (``"module:attr"``, standard library only) the runner binds before the
    candidate's code runs, for ``Channel.drive``; ``prepare_task`` sets them from the checker
    kind's declared ``drivers``."""
    _predicted_lines: tuple[list[Any], list[bytes]] | None = field(default=None, repr=False)
    """``predicted`` encoded as the first requests of a session, kept for the task's next
    sample, with the list it was made from (a new list is encoded again). A stale line could
    only cost a rejudge: ``Channel.call`` compares every call the test makes with its line."""

    def predicted_lines(self) -> list[bytes]:
        """The protocol lines of ``predicted`` as a session's first requests, encoded once."""
        made = self._predicted_lines
        if made is None or made[0] is not self.predicted:
            made = (self.predicted, request_lines(self.predicted, 1))
            self._predicted_lines = made
        return made[1]


def _call_repr(ch: Channel) -> str:
    if ch.last_args is None:
        return ""
    args, kwargs = ch.last_args
    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return f"{ch.last_label}({', '.join(parts)})"


def _test_line(exc: BaseException, task: PreparedTask) -> str:
    line = ""
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<test>" and 0 < lineno <= len(task.test_lines):
            line = task.test_lines[lineno - 1].strip()
    return line


def run_test(task: PreparedTask, ch: Channel) -> Outcome:
    """The ``test`` kind's judge: HumanEval's ``check(candidate)`` against a call proxy."""

    def candidate(*args: Any, **kwargs: Any) -> Any:
        return ch.call(args, kwargs)

    namespace: dict[str, Any] = {"__name__": "__judge__"}
    if task.reference is not None:
        try:
            exec(task.reference, namespace)
        except Exception as exc:
            raise TaskDataError(f"the task's reference program fails: {exc!r}") from None
    namespace[task.entry_point] = candidate
    try:
        exec(task.test, namespace)
    except Exception as exc:
        raise TaskDataError(f"the task's test code fails: {_safe_str(exc)}") from None
    check = namespace.get("check")
    if not callable(check):
        raise TaskDataError("the task's test defines no check(candidate) function")
    try:
        check(candidate)
    except CandidateRaised as exc:
        ch.raise_swallowed()
        return _raised_result(exc, ch)
    except Exception as exc:
        ch.raise_swallowed()
        kind = "assertion failed" if isinstance(exc, AssertionError) else type(exc).__name__
        where = _test_line(exc, task)
        detail = f"{kind}: {where}" if where else f"{kind}: {short(_safe_str(exc))}"
        if ch.last_args is not None:
            detail += f"; last call {_call_repr(ch)} returned {short(ch.last_result)}"
        return {
            "status": "failed",
            "detail": detail,
            "failing_input": _call_repr(ch) or None,
            "actual": short(ch.last_result) if ch.last_args is not None else None,
        }
    ch.raise_swallowed()
    return {"status": "passed", "detail": ""}


def _safe_str(exc: BaseException) -> str:
    """``str(exc)`` of an exception of the test's, which may quote the candidate's values (a
    ``KeyError`` of an integer too long to print); never raises."""
    try:
        return str(exc)
    except Exception as error:
        return f"<message could not be read: {type(error).__name__}>"


def _raised_result(exc: CandidateRaised, ch: Channel) -> dict[str, Any]:
    status = "memory" if exc.type_name == "MemoryError" else "error"
    return {
        "status": status,
        "detail": f"{_call_repr(ch)} raised {exc.type_name}: {str(exc)[:REPR_LIMIT]}",
        "exception": f"{exc.type_name}: {str(exc)[:REPR_LIMIT]}",
        "failing_input": _call_repr(ch) or None,
    }


def run_differential(task: PreparedTask, ch: Channel) -> Outcome:
    """The ``differential`` kind's judge: each input's answer against the reference's."""
    assert task.inputs is not None and task.expected is not None
    same = comparator(task.oracle, task.rel_tol, task.abs_tol)
    for args, expected in zip(task.inputs, task.expected, strict=True):
        try:
            actual = ch.call(tuple(args), {})
        except CandidateRaised as exc:
            return _raised_result(exc, ch)
        shown = ""
        try:
            equal = same(expected, actual)
        except Exception as exc:  # the oracles are total; this keeps the judge so regardless
            equal, shown = False, f" (not comparable: {type(exc).__name__})"
        if not equal:
            shown = short(actual) + shown
            return {
                "status": "failed",
                "detail": f"{_call_repr(ch)} returned {shown}, expected {short(expected)}",
                "failing_input": _call_repr(ch),
                "expected": short(expected),
                "actual": shown,
            }
    return {"status": "passed", "detail": ""}


def clean_text(text: str) -> str:
    """Text safe to store and print: lone surrogates escaped, control characters made visible.

    Verdict details quote the candidate's messages and values; a lone surrogate would make the
    verdict unencodable (and the sample look like a harness failure), a terminal escape would
    rewrite the user's screen.
    """
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in text)


def judge(task: PreparedTask, program: str, ch: Channel, predict: bool = True) -> dict[str, Any]:
    """Check one program against one task; return the outcome as a plain dict.

    ``status`` is a verdict status, or ``gone`` when the runner vanished (the worker then asks
    the zygote why), or ``infra`` when the task itself could not be checked. Every text field
    is passed through ``clean_text``. With ``predict``, the task's predicted calls are sent
    ahead; when ``ch.mispredicted`` is set afterwards the outcome means nothing and the sample
    must be judged again without.
    """
    outcome = _judge(task, program, ch, predict)
    return {k: clean_text(v) if type(v) is str else v for k, v in outcome.items()}


def _judge(task: PreparedTask, program: str, ch: Channel, predict: bool) -> dict[str, Any]:
    try:
        first: dict[str, Any] = {"program": program, "entry_point": task.entry_point}
        if task.drivers:
            first["drivers"] = task.drivers
        ch.send(first)
        ready = ch.recv()
        if ready.get("ready") is not True:
            status = ready.get("status")
            if status not in ("syntax", "error", "memory"):
                raise CandidateGone
            return {"status": status, "detail": str(ready.get("detail", ""))[:1000]}
        if predict and task.predicted:
            ch.pipeline_lines(task.predicted_lines())  # no call made yet: they are ids 1, 2...
        return _dispatch(task, ch)
    except JudgeTimeout:
        return {"status": "timeout", "detail": f"time limit exceeded during {_call_repr(ch)}"}
    except CandidateGone:
        return {"status": "gone", "detail": _call_repr(ch)}
    except BadValue as exc:
        return {
            "status": "error",
            "detail": f"{_call_repr(ch)} returned a value that is not plain data: {exc}",
            "failing_input": _call_repr(ch) or None,
        }
    except ArgumentTooLarge as exc:
        return {
            "status": "failed",
            "detail": f"the test could not send a value built from the answers back: {exc}",
            "failing_input": _call_repr(ch) or None,
        }
    except TaskDataError as exc:
        return {"status": "infra", "detail": f"task {task.task_id}: {exc}"}
    except Mispredicted:
        return {"status": "infra", "detail": "the test's calls differed from the prediction"}
    except RecursionError:
        return {"status": "failed", "detail": "the test recursed too deeply on the answer"}
    except MemoryError:
        return {"status": "failed", "detail": "the test ran out of memory on the answer"}


def _dispatch(task: PreparedTask, ch: Channel) -> Outcome:
    """Run the checker kind's judge; a candidate's exception it lets through is an ``error``."""
    run = task.run or (run_test if task.test is not None else run_differential)
    try:
        return run(task, ch)
    except CandidateRaised as exc:
        return _raised_result(exc, ch)


def collect_calls(
    program: str, entry_point: str, inputs: list[list[Any]], ch: Channel
) -> dict[str, Any]:
    """Call the candidate on each input; report each answer (plain data) or its failure.

    Returns ``{"status": "ok" | "syntax" | "error" | "memory" | "gone" | "timeout", "calls":
    [{"ok": bool, "value": ..., "error": str | None}, ...]}`` with one entry per input reached.
    """
    calls: list[dict[str, Any]] = []
    try:
        ch.send({"program": program, "entry_point": entry_point})
        ready = ch.recv()
        if ready.get("ready") is not True:
            status = ready.get("status")
            return {
                "status": status if status in ("syntax", "error", "memory") else "error",
                "calls": calls,
                "detail": str(ready.get("detail", ""))[:1000],
            }
        ch.pipeline([(tuple(args), {}) for args in inputs])
        for args in inputs:
            try:
                calls.append({"ok": True, "value": ch.call(tuple(args), {}), "error": None})
            except CandidateRaised as exc:
                calls.append(
                    {
                        "ok": False,
                        "value": None,
                        "error": f"{exc.type_name}: {str(exc)[:REPR_LIMIT]}",
                    }
                )
            except (BadValue, ArgumentTooLarge) as exc:
                calls.append({"ok": False, "value": None, "error": f"not plain data: {exc}"})
    except JudgeTimeout:
        return {"status": "timeout", "calls": calls}
    except CandidateGone:
        return {"status": "gone", "calls": calls}
    return {"status": "ok", "calls": calls}
