"""The ``noninterference`` kind's trusted side: run both halves of every pair, compare.

For every pair the judge calls the candidate twice, with the same public arguments and the two
values of the secret, and records what an observer sees: the answer, or the exception's class
and message, and for a served secret the work the judge counted while serving its reads
(``_served.SecretServer``; the candidate cannot under-report it, every read is a request the
judge answers). Then, from that plain data only:

1. within each pair nothing observed may differ: a difference is a ``leak`` whose detail names
   the channel (``exception``; ``output``, or ``count`` when the answers differ only in
   numbers, or ``order`` when they hold the same items in another order; ``work``) and the pair;
2. every observation must equal the reference's on the same arguments (``contract``).

All pairs are checked for leaks before any is checked for correctness, so a leaky program
fails as a leak even where it is also wrong. The reference is run here at preparation on every
pair, through the same proxy and server, and must itself show no leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codehazard.errors import SandboxError
from codehazard.sandbox._judge import CandidateRaised, Channel, Outcome, PreparedTask, short
from codehazard.sandbox._oracles import exact
from codehazard.sandbox._prepare import reference_code
from codehazard.sandbox._served import ReadBudgetSpent, Secret, SecretServer

Seen = tuple[Any, ...]
"""One run as observed: ``("ok", answer, work)`` or ``("raised", "Type: message", work)``."""


@dataclass
class _Data:
    checker: Any
    expected: list[tuple[Seen, Seen]]


def _local_secret(server: SecretServer) -> Secret:
    """A ``Secret`` read straight from ``server``: the reference's view, as the candidate's."""

    def ask(what: str, arg: Any) -> Any:
        reply = server.answer(what, arg)
        if "error" in reply:
            name, message = reply["error"]
            raise {"IndexError": IndexError, "TypeError": TypeError}[name](message)
        return reply["value"]

    return Secret(ask)


def _with_secret(checker: Any, args: list[Any], secret: Any) -> list[Any]:
    out = list(args)
    out[checker.secret_arg] = secret
    return out


def _reference_run(fn: Any, checker: Any, args: list[Any], secret: Any) -> Seen:
    server = SecretServer(secret, checker.budget)
    value = _local_secret(server) if checker.served else secret
    try:
        answer = fn(*_with_secret(checker, args, value))
    except Exception as exc:
        return ("raised", f"{type(exc).__name__}: {exc}", server.work)
    return ("ok", answer, server.work)


def prepare_noninterference(task: Any, checker: Any, timeout: float) -> PreparedTask:
    """Run the reference on both halves of every pair; it must show no leak itself.

    Raises:
        SandboxError: the reference does not compile, lacks the function, or leaks.
    """
    del timeout
    code = reference_code(task)
    namespace: dict[str, Any] = {"__name__": "__reference__"}
    try:
        exec(code, namespace)  # the task's own reference, as the sequence kind runs it
        fn = namespace[task.entry_point]
    except Exception as exc:
        raise SandboxError(f"task {task.task_id}: its reference fails: {exc!r}") from None
    data = _Data(checker, [])
    for number, pair in enumerate(checker.pairs):
        seen = tuple(_reference_run(fn, checker, pair.args, s) for s in pair.secrets)
        found = _leak(checker, seen[0], seen[1])
        if found is not None:
            raise SandboxError(
                f"task {task.task_id}: the reference leaks through {found[0]} on pair {number}"
            )
        data.expected.append((seen[0], seen[1]))
    return PreparedTask(task.task_id, task.entry_point, code, run=run_noninterference, data=data)


def _run(ch: Channel, checker: Any, args: list[Any], secret: Any) -> Seen:
    """One run of the candidate as observed (``ReadBudgetSpent`` propagates)."""
    full = tuple(_with_secret(checker, args, secret))
    server = SecretServer(secret, checker.budget)
    try:
        if checker.served:
            answer = ch.served_call(full, {}, {checker.secret_arg: server})
        else:
            answer = ch.call(full, {})
    except CandidateRaised as exc:
        return ("raised", f"{exc.type_name}: {exc}", server.work)
    return ("ok", answer, server.work)


def _numbers(value: Any) -> bool:
    return type(value) in (int, float)


def _channel(checker: Any, a: Any, b: Any) -> str | None:
    found = _difference(a, b)
    return checker.numbers if found == "count" else found


def _difference(a: Any, b: Any) -> str | None:
    """How two answers differ: ``None`` (they do not), ``count`` (only in numbers), ``order``
    (the same items in another order), else ``output``."""
    if type(a) is not type(b):
        return "count" if _numbers(a) and _numbers(b) else "output"
    if a == b:
        return None
    if _numbers(a):
        return "count"
    if type(a) in (list, tuple):
        if len(a) == len(b) and sorted(map(repr, a)) == sorted(map(repr, b)):
            return "order"
        if len(a) != len(b):
            return "output"
        found = {_difference(x, y) for x, y in zip(a, b, strict=True)} - {None}
        return _worst(found)
    if type(a) is dict:
        if a.keys() != b.keys():
            return "output"
        return _worst({_difference(a[k], b[k]) for k in a} - {None})
    return "output"


def _worst(found: set[str | None]) -> str:
    for channel in ("output", "count", "order"):
        if channel in found:
            return channel
    return "output"


def _leak(checker: Any, a: Seen, b: Seen) -> tuple[str, str] | None:
    """The channel through which the two runs of a pair differ, and how; ``None`` if none."""
    both = f"{_shown(a)} with the first secret, {_shown(b)} with the second"
    channel = None
    if a[0] != b[0] or (a[0] == "raised" and a[1] != b[1]):
        channel = "exception" if "exception" in checker.observe else None
    elif a[0] == "ok" and "output" in checker.observe:
        channel = _channel(checker, a[1], b[1])
    if channel is not None:
        return channel, both
    if "work" in checker.observe and a[2] != b[2]:
        return "work", (
            f"it read the secret for {a[2]} units of work with the first secret, {b[2]} with "
            "the second (the same answer)"
        )
    return None


def _shown(seen: Seen) -> str:
    return f"returned {short(seen[1])}" if seen[0] == "ok" else f"raised {short(seen[1])}"


def _call_text(task: PreparedTask, checker: Any, args: list[Any]) -> str:
    parts = ["<secret>" if i == checker.secret_arg else short(a) for i, a in enumerate(args)]
    return f"{task.entry_point}({', '.join(parts)})"


def run_noninterference(task: PreparedTask, ch: Channel) -> Outcome:
    """The ``noninterference`` kind's judge (see the module docstring)."""
    data: _Data = task.data
    checker = data.checker
    runs: list[tuple[Seen, Seen]] = []
    try:
        for pair in checker.pairs:
            first, second = (_run(ch, checker, pair.args, s) for s in pair.secrets)
            runs.append((first, second))
    except ReadBudgetSpent as exc:
        call = _call_text(task, checker, checker.pairs[len(runs)].args)
        return {"status": "failed", "detail": f"{call} {exc}", "failure_kind": "work"}
    for number, (pair, (a, b)) in enumerate(zip(checker.pairs, runs, strict=True)):
        found = _leak(checker, a, b)
        if found is not None:
            channel, how = found
            secrets = f"secrets {short(pair.secrets[0])} and {short(pair.secrets[1])}"
            call = _call_text(task, checker, pair.args)
            return {
                "status": "failed",
                "detail": f"leak through {channel}: pair {number}, {call} with {secrets}: {how}",
                "failure_kind": "leak",
                "failing_input": f"pair {number}: {call} with {secrets}",
            }
    for number, (pair, seen, expected) in enumerate(
        zip(checker.pairs, runs, data.expected, strict=True)
    ):
        for half in (0, 1):
            got, want = seen[half], expected[half]
            if got[0] != want[0] or not exact(want[1], got[1]):
                call = _call_text(task, checker, pair.args)
                secret = short(pair.secrets[half])
                return {
                    "status": "failed",
                    "detail": f"pair {number}, {call} with secret {secret}: {_shown(got)}, "
                    f"expected: {_shown(want)}",
                    "failure_kind": "contract",
                    "failing_input": f"{call} with secret {secret}",
                    "expected": short(want[1]),
                    "actual": short(got[1]),
                }
    return {"status": "passed", "detail": ""}
