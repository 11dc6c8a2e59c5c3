"""The properties the ``sequence`` kind monitors, decided in the trusted judge from plain data.

A monitor reads one trace of the candidate's object: the observed state before the first
call, then for each call its method, arguments, answer and the observed state after it. It
sees only values decoded from the channel (fresh builtin objects), never the candidate's code.
``step`` returns a message on the first violation; ``finish`` (after the task's drain) one for
what never happened. Every property here holds for every sequence the specification allows,
prefixes included, so a shrunk sequence that still violates it is a real counterexample.

Monitors and their ``params``:

- ``at_least`` (invariant): ``bounds`` ``{observer: lowest value}``, after every call;
- ``exclusive`` (invariant): ``observe`` names a list of ``[slot, who]`` (or, with
  ``intervals``, ``[start, end, who]``, end exclusive); no slot held twice, no overlap;
- ``transitions`` (invariant): ``observe`` names the state; every change is one of
  ``allowed`` (``[from, to]`` pairs), no state of ``forbidden`` is ever entered;
- ``window`` (invariant): calls of ``method`` answering ``True`` are admissions at time
  ``args[time_arg]`` (per key ``args[key_arg]`` when given): at most ``limit`` in any
  ``width`` consecutive time units;
- ``bounded_wait`` (liveness): ``request`` answers a ticket (or ``None``: refused), ``serve``
  answers the ticket it served (or ``None``); ``cancel`` (a ticket, answer ``True``) and
  ``drop`` (answers a list of tickets) withdraw requests. No ticket waits more than ``bound``
  serve calls, a serve call never serves nothing while tickets wait, and every ticket is
  served by the end. With ``style: "lock"``, ``request`` is an acquire whose ``False`` answer
  queues the client (``args[0]``), ``serve`` a release that answers the client granted,
  ``None`` (nobody waits) or ``False`` (refused: not a step);
- ``gives_up`` (liveness): after ``attempts`` consecutive calls of ``fail`` without a
  ``reset`` call, ``fail`` answers ``None`` (the retry loop ends); with ``budget``, at most that
  many retries (answers that are not ``None``) in all;
- ``coupled`` (coupling): ``couplings`` lists ``{"name", "source"}``: each source is our own
  code (written by the suite's generator, trusted as the task's reference is) defining
  ``holds(state)``, which reads the observed state (``{observer: value}``) and returns ``None``
  or what is wrong; after every call every coupling must hold, and the first that does not is
  named in the message (the ``interdependence`` suite: a ledger's two sides, a degree table and
  its edge set).
"""

from __future__ import annotations

import builtins
import functools
import itertools
from collections.abc import Callable
from typing import Any


class Monitor:
    """One property over one trace (see the module docstring)."""

    kind = "invariant"

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params

    def start(self, observed: dict[str, Any]) -> str | None:
        """The state before the first call; a message when it already breaks the property."""
        return self.check(observed)

    def step(self, name: str, args: list[Any], answer: Any, observed: dict[str, Any]) -> str | None:
        """One call and the state after it; a message on a violation."""
        return self.check(observed)

    def check(self, observed: dict[str, Any]) -> str | None:
        return None

    def finish(self) -> str | None:
        """After the last call; a message for what never happened."""
        return None


def _number(value: Any) -> bool:
    return type(value) in (int, float)


class AtLeast(Monitor):
    def check(self, observed: dict[str, Any]) -> str | None:
        for name, low in self.params["bounds"].items():
            value = observed.get(name)
            if not _number(value) or value < low:
                return f"{name}() is {value!r}, below {low}"
        return None


class Exclusive(Monitor):
    def check(self, observed: dict[str, Any]) -> str | None:
        name = self.params["observe"]
        entries = observed.get(name)
        if type(entries) not in (list, tuple):
            return f"{name}() is {entries!r}, not a list"
        spans = []
        intervals = bool(self.params.get("intervals"))
        for entry in entries:
            if type(entry) not in (list, tuple) or len(entry) != (3 if intervals else 2):
                return f"{name}() holds {entry!r}, not an entry of the specified form"
            start = entry[0]
            if not _number(start):
                return f"{name}() holds {entry!r}, not an entry of the specified form"
            end = entry[1] if intervals else start + 1
            if not _number(end):
                return f"{name}() holds {entry!r}, not an entry of the specified form"
            spans.append((start, end, entry))
        spans.sort(key=lambda s: (s[0], s[1]))
        for (_s1, e1, a), (s2, _e2, b) in itertools.pairwise(spans):
            if s2 < e1:
                pair = f"{list(a)!r} and {list(b)!r}"
                return f"{name}() holds {pair}, which overlap (double booking)"
        return None


class Transitions(Monitor):
    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.allowed = {tuple(pair) for pair in params["allowed"]}
        self.forbidden = set(params.get("forbidden", ()))
        self.state: Any = None

    def start(self, observed: dict[str, Any]) -> str | None:
        self.state = observed.get(self.params["observe"])
        return None

    def step(self, name: str, args: list[Any], answer: Any, observed: dict[str, Any]) -> str | None:
        new = observed.get(self.params["observe"])
        old, self.state = self.state, new
        if type(new) is str and new in self.forbidden:
            return f"entered the forbidden state {new!r}"
        if new != old and (old, new) not in self.allowed:
            return f"went from {old!r} to {new!r}, a transition the specification forbids"
        return None


class Window(Monitor):
    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.admitted: dict[Any, list[Any]] = {}

    def step(self, name: str, args: list[Any], answer: Any, observed: dict[str, Any]) -> str | None:
        p = self.params
        if name != p["method"] or answer is not True:
            return None
        key = args[p["key_arg"]] if p.get("key_arg") is not None else None
        now = args[p["time_arg"]]
        times = self.admitted.setdefault(key, [])
        times.append(now)
        recent = [t for t in times if t > now - p["width"]]
        if len(recent) > p["limit"]:
            scope = "" if key is None else f" for {key!r}"
            return (
                f"admitted {len(recent)} requests{scope} at times {recent} within "
                f"{p['width']} time units; the limit is {p['limit']}"
            )
        return None


class BoundedWait(Monitor):
    kind = "liveness"

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.waiting: dict[Any, int] = {}
        self.issued: set[Any] = set()
        self.lock = params.get("style") == "lock"

    def step(self, name: str, args: list[Any], answer: Any, observed: dict[str, Any]) -> str | None:
        p = self.params
        if name == p["request"]:
            return self._request(args, answer, observed)
        if name == p.get("cancel") and answer is True and args and args[0] in self.waiting:
            del self.waiting[args[0]]
        if name == p.get("drop") and type(answer) in (list, tuple):
            for ticket in answer:
                if type(ticket) is int:
                    self.waiting.pop(ticket, None)
        if name == p["serve"]:
            return self._serve(answer)
        return None

    def _request(self, args: list[Any], answer: Any, observed: dict[str, Any]) -> str | None:
        if self.lock:
            client = args[0]
            holder = observed.get(self.params.get("holder", "holder"))
            if answer is False and holder != client and client not in self.waiting:
                self.waiting[client] = 0
            return None
        if answer is None:
            return None
        if type(answer) is not int or answer in self.issued:
            return f"{self.params['request']}() answered {answer!r}, not a new ticket"
        self.issued.add(answer)
        self.waiting[answer] = 0
        return None

    def _serve(self, answer: Any) -> str | None:
        serve = self.params["serve"]
        if self.lock and answer is False:
            return None  # a refused release is not a step
        if answer is None:
            if self.waiting:
                return f"{serve}() served nothing while {sorted(self.waiting)} waited (no progress)"
            return None
        if answer not in self.waiting:
            return f"{serve}() served {answer!r}, which was not waiting"
        del self.waiting[answer]
        for ticket in self.waiting:
            self.waiting[ticket] += 1
        late = sorted(t for t, waited in self.waiting.items() if waited > self.params["bound"])
        if late:
            return (
                f"{late[0]!r} waited more than {self.params['bound']} {serve}() calls while "
                "others were served (starvation)"
            )
        return None

    def finish(self) -> str | None:
        if self.waiting:
            return f"{sorted(self.waiting)} never served, even after the drain"
        return None


class GivesUp(Monitor):
    kind = "liveness"

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.failures = 0
        self.retries = 0

    def step(self, name: str, args: list[Any], answer: Any, observed: dict[str, Any]) -> str | None:
        p = self.params
        if name == p["reset"]:
            self.failures = 0
        if name != p["fail"]:
            return None
        self.failures += 1
        if answer is not None:
            self.retries += 1
            if self.failures > p["attempts"]:
                return (
                    f"{p['fail']}() still asked for a retry ({answer!r}) after {self.failures} "
                    f"consecutive failures; the limit is {p['attempts']} (it never gives up)"
                )
            if "budget" in p and self.retries > p["budget"]:
                return f"{self.retries} retries in all; the budget is {p['budget']}"
        return None


@functools.lru_cache(maxsize=256)
def _coupling(source: str) -> Callable[[dict[str, Any]], Any]:
    """The ``holds`` function that ``source`` defines (compiled once per distinct source)."""
    namespace: dict[str, Any] = {"__builtins__": builtins}
    exec(compile(source, "<coupling>", "exec"), namespace)  # the task generator's own code
    return namespace["holds"]  # type: ignore[no-any-return]


class Coupled(Monitor):
    """Every named coupling holds after every call; the message names the first that does
    not. A coupling that cannot read the state (a candidate's value of another shape) raises,
    which the judge turns into a ``contract`` failure (unreadable state)."""

    kind = "coupling"

    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.rules = [(c["name"], _coupling(c["source"])) for c in params["couplings"]]

    def check(self, observed: dict[str, Any]) -> str | None:
        for name, holds in self.rules:
            wrong = holds(observed)
            if wrong:
                return f"`{name}` broke: {wrong}"
        return None


MONITOR_CLASSES: dict[str, type[Monitor]] = {
    "at_least": AtLeast,
    "exclusive": Exclusive,
    "transitions": Transitions,
    "window": Window,
    "bounded_wait": BoundedWait,
    "gives_up": GivesUp,
    "coupled": Coupled,
}
