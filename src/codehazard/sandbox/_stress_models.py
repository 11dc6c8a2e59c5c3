"""Sequential specifications of the ``stress`` checker's objects, and the linearizability check.

Each model is the trusted, sequential meaning of one concurrent object: a step function from a
state and one operation (its role, such as ``add``, and its arguments) to the next state and the
answer; ``None`` when the operation cannot happen in that state (a ``get`` of an empty blocking
queue waits, so it cannot be linearized there). A history recorded under stress is correct when
some order of its operations that respects real time (an operation that returned before another
began comes first) is a run of the model giving every recorded answer (Herlihy and Wing's
linearizability). ``linearizable`` decides it by the Wing-Gong search with Lowe's memo of
(operations done, state) pairs, under a bound on the work; the plans keep histories small enough
that a correct object's history is always decided well within the bound.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

State = Any
Step = Callable[[State, str, list[Any], dict[str, Any]], "tuple[State, Any] | None"]


@dataclass(frozen=True)
class Op:
    """One completed operation of a history: who, what, when and what it answered."""

    thread: int
    role: str
    args: tuple[Any, ...]
    inv: int
    resp: int
    result: Any


def _counter(state: State, role: str, args: list[Any], p: dict[str, Any]) -> Any:
    if role == "add":
        return state + args[0], None
    return state, state  # value


def _ids(state: State, role: str, args: list[Any], p: dict[str, Any]) -> Any:
    if role == "next":
        return state + 1, state
    return state, state - p["start"]  # issued


def _high(state: State, role: str, args: list[Any], p: dict[str, Any]) -> Any:
    if role == "offer":
        return max(state, args[0]), None
    return state, state  # best


def _bank(state: State, role: str, args: list[Any], p: dict[str, Any]) -> Any:
    if role == "transfer":
        src, dst, amount = args
        if state[src] < amount:
            return state, False
        moved = list(state)
        moved[src] -= amount
        moved[dst] += amount
        return tuple(moved), True
    return state, list(state)  # balances


def _stats(state: State, role: str, args: list[Any], p: dict[str, Any]) -> Any:
    if role == "record":
        return (state[0] + 1, state[1] + args[0]), None
    return state, [state[0], state[1]]  # summary


def _once(state: State, role: str, args: list[Any], p: dict[str, Any]) -> Any:
    if role == "get":
        value = args[0]["$init"] if state is None else state
        return value, value
    return state, state  # peek


def _queue(state: State, role: str, args: list[Any], p: dict[str, Any]) -> Any:
    if role == "put":
        return None if len(state) >= p["capacity"] else ((*state, args[0]), None)
    if role == "get":
        return None if not state else (state[1:], state[0])
    return state, len(state)  # size


STEPS: dict[str, Step] = {
    "counter": _counter,
    "ids": _ids,
    "high-water": _high,
    "bank": _bank,
    "stats": _stats,
    "once": _once,
    "queue": _queue,
}


def initial_state(model: str, p: dict[str, Any]) -> State:
    """The model's state when the object is constructed with the task's arguments."""
    return {
        "counter": lambda: p["start"],
        "ids": lambda: p["start"],
        "high-water": lambda: p["start"],
        "bank": lambda: tuple(p["balances"]),
        "stats": lambda: (0, 0),
        "once": lambda: None,
        "queue": lambda: (),
    }[model]()


def same(a: Any, b: Any) -> bool:
    """Equal plain values of the same types (a tuple read as a list; ``True`` is not ``1``)."""
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


class Undecided(Exception):
    """The search exceeded its bound (never for the small histories the plans make)."""


def linearizable(
    ops: list[Op], model: str, params: dict[str, Any], budget: int = 200_000
) -> tuple[bool, list[Op]]:
    """Whether ``ops`` is linearizable against ``model``; with the longest prefix found.

    The prefix (operations in one order the model accepts) helps a verdict show where the
    history stops making sense.

    Raises:
        Undecided: more than ``budget`` search steps.
    """
    step = STEPS[model]
    n = len(ops)
    order = sorted(range(n), key=lambda i: ops[i].inv)
    full = (1 << n) - 1
    seen: set[tuple[int, Any]] = set()
    best: list[int] = []
    path: list[int] = []
    work = 0

    def search(done: int, state: State) -> bool:
        nonlocal work, best
        if done == full:
            return True
        if (done, state) in seen:
            return False
        seen.add((done, state))
        work += 1
        if work > budget:
            raise Undecided
        horizon = min(ops[i].resp for i in range(n) if not done >> i & 1)
        for i in order:
            op = ops[i]
            if op.inv > horizon:
                break
            if done >> i & 1:
                continue
            out = step(state, op.role, list(op.args), params)
            if out is None or not same(out[1], op.result):
                continue
            path.append(i)
            if len(path) > len(best):
                best = list(path)
            if search(done | 1 << i, out[0]):
                return True
            path.pop()
        return False

    ok = search(0, initial_state(model, params))
    return ok, [ops[i] for i in best]


# plans: what each thread calls in one round -------------------------------------------------


def _mix(rng: random.Random, share: float, reader: str, writer: Callable[[], list[Any]]) -> Any:
    return [reader, []] if rng.random() < share else writer()


def plan_threads(
    model: str, p: dict[str, Any], threads: int, per: int, rng: random.Random
) -> list[dict[str, Any]]:
    """The threads of one round (operations by role), drawn from ``rng``."""
    out: list[dict[str, Any]] = []
    for t in range(threads):
        ops = [_plan_op(model, p, t, k, threads, rng) for k in range(per)]
        out.append({"ops": [op for op in ops if op is not None], "delay": rng.uniform(0, 0.002)})
    if model == "queue":  # producers first, consumers after them: as many gets as puts
        half = threads // 2
        for t, spec in enumerate(out):
            role = "put" if t < half else "get"
            spec["ops"] = [
                ["put", [t * 1000 + k]] if role == "put" else ["get", []] for k in range(per)
            ]
    if model == "bank":  # money flows both ways between the same accounts
        for spec in out[: max(1, threads // 3)]:
            spec["delay"] = 0.0
    return out


def _plan_op(
    model: str, p: dict[str, Any], t: int, k: int, threads: int, rng: random.Random
) -> Any:
    if model == "counter":
        return _mix(rng, 0.2, "value", lambda: ["add", [rng.randint(1, 3)]])
    if model == "ids":
        return _mix(rng, 0.15, "issued", lambda: ["next", []])
    if model == "high-water":
        # rising offers: each one is likely a new highest, so an update lost to a race shows
        return _mix(rng, 0.3, "best", lambda: ["offer", [50 * k + rng.randint(1, 60)]])
    if model == "bank":
        n = len(p["balances"])

        def transfer() -> list[Any]:
            src = rng.randrange(n)
            dst = (src + rng.randrange(1, n)) % n
            return ["transfer", [src, dst, rng.randint(1, p["max_amount"])]]

        return _mix(rng, 0.15, "balances", transfer)
    if model == "stats":
        return _mix(rng, 0.25, "summary", lambda: ["record", [rng.randint(1, 50)]])
    if model == "once":
        if k == 0:
            return ["get", [{"$init": 100 + t}]]
        return _mix(rng, 0.5, "peek", lambda: ["get", [{"$init": 100 + t}]])
    return None
