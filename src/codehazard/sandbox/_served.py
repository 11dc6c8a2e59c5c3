"""Served secrets: a value that stays in the trusted judge and is read one access at a time.

A checker of a hyperproperty ("the work a password check does must not depend on the stored
password") needs a measure of work the candidate cannot forge. Wall-clock time is noise and the
candidate's own counters are the candidate's. So the secret never enters the sandbox: the
candidate gets a ``Secret``, a sequence-like proxy whose every read (``len``, an index, one step
of iteration, ``==``, ``in``) is a request sent over the channel to the judge, answered there
by a ``SecretServer`` that counts it before answering. The candidate can patch the proxy, write
requests of its own or read the channel's descriptors; all it can learn of the secret it learns
from the judge's answers, and each answer is counted on the judge's side. A read costs what a
plain sequence would spend on it: one unit for ``len`` or an index, and for ``==`` and ``in``
the items a naive comparison looks at (a short-circuiting ``==`` is the classic timing leak,
so it must show as such). There is no read of the whole value at once.

Protocol (inside one call whose request carries ``"served": [positions]``): the runner's proxy
for position ``p`` writes ``{"id": n, "access": [p, what, arg]}`` on its answer pipe and waits
for ``{"id": n, "value": wire}`` or ``{"id": n, "error": [name, message]}`` on its request pipe.
``what`` is one of ``ACCESSES``. A proxy is live only during the call it was passed to.

Standard library and ``_codec`` only: the ``Secret`` half runs inside the sandbox.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from codehazard.sandbox._codec import decode, dumps, encode

ACCESSES = ("len", "item", "eq", "contains")
"""What one access may ask: ``len``; ``item`` (an ``int`` index, negative ones as Python
counts them); ``eq`` (is the secret equal to ``arg``); ``contains`` (is ``arg`` in it)."""

DEFAULT_BUDGET = 100_000
"""The most work one call may spend reading one secret (bounds the judge's time)."""


class ReadBudgetSpent(Exception):
    """A call read its secret for more than its budget of work (raised in the judge)."""


class SecretServer:
    """The judge's side of one served secret for one call: answers and counts every access.

    ``work`` is the cost of the reads answered (see the module docstring), ``accesses`` how many
    requests arrived; both are counted when a request arrives, before it is answered, and a
    malformed request is counted as well.
    """

    def __init__(self, value: str | list[Any] | tuple[Any, ...], budget: int = DEFAULT_BUDGET):
        self.value, self.budget = value, budget
        self.work = 0
        self.accesses = 0

    def answer(self, what: Any, arg: Any) -> dict[str, Any]:
        """The reply to one access: ``{"value": wire}`` or ``{"error": [name, message]}``.

        Raises:
            ReadBudgetSpent: the call has now spent more than ``budget``.
        """
        self.accesses += 1
        value, cost = self._read(what, arg)
        self.work += cost
        if self.work > self.budget:
            raise ReadBudgetSpent(f"read its secret for more than {self.budget} units of work")
        return value

    def _read(self, what: Any, arg: Any) -> tuple[dict[str, Any], int]:
        secret = self.value
        if what == "len":
            return {"value": len(secret)}, 1
        if what == "item":
            if type(arg) is not int:
                return {
                    "error": [
                        "TypeError",
                        "a secret is read one item at a time: index it with an int",
                    ]
                }, 1
            if not -len(secret) <= arg < len(secret):
                return {"error": ["IndexError", "secret index out of range"]}, 1
            return {"value": encode(secret[arg])}, 1
        if what == "eq":
            return {"value": _equal(secret, arg)}, _compare_cost(secret, arg)
        if what == "contains":
            found, cost = _contains(secret, arg)
            if found is None:
                return {"error": ["TypeError", "'in <secret>' needs an item of its kind"]}, cost
            return {"value": found}, cost
        return {"error": ["TypeError", "unknown access to a secret"]}, 1


def _equal(secret: Any, other: Any) -> bool:
    if type(secret) is str:
        return type(other) is str and other == secret
    return type(other) in (list, tuple) and list(other) == list(secret)


def _compare_cost(secret: Any, other: Any) -> int:
    """Items a short-circuiting ``==`` looks at: 1 when the lengths (or kinds) differ, else
    up to and including the first difference."""
    if type(other) is not type(secret) and not (type(secret) is list and type(other) is tuple):
        return 1
    if len(other) != len(secret):
        return 1
    for index, (a, b) in enumerate(zip(secret, other, strict=True)):
        if type(a) is not type(b) or a != b:
            return index + 1
    return max(1, len(secret))


def _contains(secret: Any, item: Any) -> tuple[bool | None, int]:
    """Whether ``item`` is in the secret, and the items a naive left-to-right search looks at:
    for a string, every alignment of ``item`` compared up to its first difference (so
    ``attempt in stored`` is no constant-work comparison); for a list, every item up to the
    first equal one."""
    if type(secret) is str:
        if type(item) is not str:
            return None, 1
        cost = 0
        for start in range(len(secret) - len(item) + 1):
            for offset, char in enumerate(item):
                cost += 1
                if secret[start + offset] != char:
                    break
            else:
                return True, max(cost, 1)
        return False, max(cost, 1)
    for index, x in enumerate(secret):
        if type(x) is type(item) and x == item:
            return True, index + 1
    return False, max(1, len(secret))


# the sandbox's half ----------------------------------------------------------------------------


class Secret:
    """A secret the judge holds, read through the channel (see the module docstring).

    Supports ``len(s)``, ``s[i]`` (an ``int``), iteration, ``bool(s)``, ``s == x``, ``s != x``
    and ``x in s``; each is a read the judge counts. It is not hashable, has no slices and no
    string methods, and prints as ``<secret>``: nothing of it is known here until read.
    """

    __slots__ = ("_ask",)

    def __init__(self, ask: Callable[[str, Any], Any]) -> None:
        self._ask = ask

    def __len__(self) -> int:
        return int(self._ask("len", None))

    def __getitem__(self, index: Any) -> Any:
        # a slice or any other index is refused by the judge (a read like any other)
        return self._ask("item", index if type(index) is int else None)

    def __iter__(self) -> Any:
        index = 0
        while True:
            try:
                item = self._ask("item", index)
            except IndexError:
                return
            yield item
            index += 1

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        return bool(self._ask("eq", other))

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __contains__(self, item: object) -> bool:
        return bool(self._ask("contains", item))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<secret>"


class _Call:
    """The pipes of one served call; ``live`` is cleared when the call returns."""

    def __init__(self, ident: int, req: Any, resp_fd: int) -> None:
        self.ident, self.req, self.resp_fd, self.live = ident, req, resp_fd, True

    def asker(self, slot: int) -> Callable[[str, Any], Any]:
        def ask(what: str, arg: Any) -> Any:
            if not self.live:
                raise RuntimeError("a secret can be read only during the call it was passed to")
            data = dumps({"id": self.ident, "access": [slot, what, encode(arg)]})
            while data:
                data = data[os.write(self.resp_fd, data) :]
            line = self.req.readline()
            if not line:
                raise EOFError("the judge closed the channel")
            reply = json.loads(line)
            if "error" in reply:
                name, message = reply["error"]
                raise {"IndexError": IndexError, "TypeError": TypeError}.get(name, RuntimeError)(
                    message
                )
            return decode(reply["value"])

        return ask


def bind(args: list[Any], served: Any, ident: int, req: Any, resp_fd: int) -> tuple[list, _Call]:
    """``args`` with each position in ``served`` replaced by a live ``Secret`` of the call
    ``ident`` (the runner calls ``done`` on the returned call when it returns)."""
    call = _Call(ident, req, resp_fd)
    out = list(args)
    for slot in served:
        if type(slot) is int and 0 <= slot < len(out):
            out[slot] = Secret(call.asker(slot))
    return out, call
