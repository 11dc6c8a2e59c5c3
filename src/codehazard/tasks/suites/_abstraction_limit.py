"""Capability ``rate-limit``: a sliding-window limit on requests, at four levels.

L1 ``admit(times, limit, window)`` with the window and the counting rule stated; L2 the same
from "at most N requests in any W seconds" (open: whether a request exactly W seconds later
is inside the window, whether refused requests use up the limit; both are readings); L3 a
limiter class (allow, remaining, reset); L4 an API gateway from a user story: a line parser,
one limiter per client and per-client tallies behind ``handle(line)``.
"""

from __future__ import annotations

import random

from codehazard.tasks.suites._abstraction_spec import Edit, Spec, Steps, pick

FUNCTIONS = ("admit", "throttle", "allow_requests", "gate", "rate_filter", "accept_calls")
CLASSES = ("RateLimiter", "Throttle", "SlidingWindow", "RequestGate", "Limiter")
SYSTEMS = ("Gateway", "ApiGateway", "FrontDoor", "EdgeProxy", "RequestRouter")
CLIENTS = ("alice", "bob", "carol", "dave", "erin")
PATHS = ("/orders", "/users", "/health", "/cart", "/search")

CORE = """
accepted = []
out = []
for t in times:
    recent = [a for a in accepted if a > t - WINDOW]
    if len(recent) < LIMIT:
        accepted.append(t)
        out.append(True)
    else:
        out.append(False)
return out
"""
RECORD = "    if len(recent) < LIMIT:\n        accepted.append(t)\n"
COUNTS_REFUSED = "    accepted.append(t)\n    if len(recent) < LIMIT:\n"


def _times(rng: random.Random, window: int, count: int) -> list[int]:
    t, out = rng.randrange(0, 4), []
    for _ in range(count):
        out.append(t)
        t += rng.choice((0, 0, 1, 1, 2, 3, window - 1, window, window + 1, 2 * window))
    return out


def _core(limit: str, window: str) -> str:
    return CORE.replace("LIMIT", limit).replace("WINDOW", window)


def _l1(rng: random.Random) -> Spec:
    fn = pick(rng, FUNCTIONS)
    doc = (
        "Decide which requests a sliding-window rate limiter accepts.\n\n"
        "times is a list of request times in whole seconds, in non-decreasing order; limit "
        "and window are integers >= 1. Return a list of booleans, one per request, True when "
        "the request is accepted.\n\n"
        "A request at time t is accepted when fewer than limit earlier accepted requests have "
        "a time greater than t - window (the window is (t - window, t]). Rejected requests do "
        "not count against the limit. An empty list gives []."
    )
    body = _core("limit", "window")
    calls: list[list[object]] = [[[], 1, 1]]
    for _ in range(26):
        limit, window = rng.randint(1, 4), rng.randint(2, 9)
        calls.append([_times(rng, window, rng.randint(1, 14)), limit, window])
    return Spec(
        fn,
        "function",
        f"def {fn}(times, limit, window):",
        doc,
        body,
        [
            Edit(
                "closed-window",
                "counts a request exactly window seconds old",
                (("a > t", "a >= t"),),
            ),
            Edit(
                "counts-refused",
                "refused requests use up the limit",
                ((RECORD.replace("LIMIT", "limit"), COUNTS_REFUSED.replace("LIMIT", "limit")),),
            ),
            Edit(
                "fixed-window",
                "counts per window-aligned bucket, not a sliding window",
                (("a > t - window", "a // window == t // window"),),
            ),
            Edit(
                "off-by-one", "accepts limit + 1 requests in a window", (("< limit", "<= limit"),)
            ),
        ],
        calls=calls,
    )


PHRASES = (
    "A service lets through at most {n} requests in any {w} seconds.",
    "Callers may make no more than {n} requests in any {w}-second period.",
    "Our API allows at most {n} requests within any {w} seconds.",
)


def _l2(rng: random.Random) -> Spec:
    fn = pick(rng, FUNCTIONS)
    limit, window = rng.randint(2, 4), rng.randint(3, 9)
    doc = (
        pick(rng, PHRASES).format(n=limit, w=window)
        + " Given the arrival times of requests in seconds (whole numbers, in order), return "
        "a list saying for each request whether it is let through."
    )
    body = _core(str(limit), str(window))
    calls: list[list[object]] = [[[]], [[5]]]
    calls += [[_times(rng, window, rng.randint(2, 16))] for _ in range(40)]
    record = RECORD.replace("LIMIT", str(limit))
    return Spec(
        fn,
        "function",
        f"def {fn}(times):",
        doc,
        body,
        [
            Edit(
                "off-by-one",
                f"lets {limit + 1} requests through in a window",
                ((f"< {limit}", f"<= {limit}"),),
            ),
            Edit(
                "fixed-window",
                "counts per aligned block of seconds, not any period",
                ((f"a > t - {window}", f"a // {window} == t // {window}"),),
            ),
            Edit(
                "never-expires",
                "old requests never leave the window",
                ((f"[a for a in accepted if a > t - {window}]", "accepted"),),
            ),
            Edit(
                "assumes-requests",
                "fails on an empty list of requests",
                (
                    (
                        "accepted = []\nout = []\n",
                        "accepted = [times[0]]\nout = [True]\ntimes = times[1:]\n",
                    ),
                ),
            ),
        ],
        readings=[
            Edit(
                "closed-window",
                "a request exactly the period apart is still inside it",
                ((f"a > t - {window}", f"a >= t - {window}"),),
            ),
            Edit(
                "counts-refused",
                "refused requests use up the allowance too",
                ((record, COUNTS_REFUSED.replace("LIMIT", str(limit))),),
            ),
        ],
        calls=calls,
    )


L3_BODY = """
def __init__(self, limit, window):
    self._limit = limit
    self._window = window
    self._accepted = []

def _recent(self, t):
    return [a for a in self._accepted if a > t - self._window]

def allow(self, t):
    if len(self._recent(t)) < self._limit:
        self._accepted.append(t)
        return True
    return False

def remaining(self, t):
    return self._limit - len(self._recent(t))

def reset(self):
    self._accepted = []
"""


def _class_steps(rng: random.Random, window: int) -> Steps:
    t, steps = 0, []
    for _ in range(rng.randint(4, 22)):
        t += rng.choice((0, 0, 1, 1, 2, window - 1, window, window + 1))
        name = rng.choice(("allow",) * 6 + ("remaining", "remaining", "reset"))
        steps.append((name, [] if name == "reset" else [t]))
    return steps


def _burst(limit: int, window: int) -> Steps:
    """limit + 2 requests at once, then at the window's last second and just after it."""
    steps: Steps = [("allow", [1]) for _ in range(limit + 2)]
    steps += [("remaining", [window]), ("allow", [window]), ("allow", [window + 1])]
    return [*steps, ("remaining", [window + 1]), ("allow", [window + 1])]


def _l3(rng: random.Random) -> Spec:
    cls = pick(rng, CLASSES)
    limit, window = rng.randint(1, 4), rng.randint(2, 8)
    doc = (
        "A sliding-window rate limiter.\n\n"
        f"- {cls}(limit, window): limit and window are integers >= 1.\n"
        "- allow(t) -> bool: a request at time t (whole seconds; calls come with "
        "non-decreasing t). Accepted (True) when fewer than limit accepted requests have a "
        "time in (t - window, t]; a rejected request (False) is not recorded.\n"
        "- remaining(t) -> int: how many more requests would be accepted at time t, without "
        "recording any.\n"
        "- reset() -> None: forget every request."
    )
    return Spec(
        cls,
        "class",
        f"class {cls}:",
        doc,
        L3_BODY,
        [
            Edit(
                "closed-window",
                "a request exactly window seconds old still counts",
                (("a > t", "a >= t"),),
            ),
            Edit(
                "counts-refused",
                "allow records refused requests too",
                (
                    (
                        "    if len(self._recent(t)) < self._limit:\n"
                        "        self._accepted.append(t)\n",
                        "    recent = self._recent(t)\n    self._accepted.append(t)\n"
                        "    if len(recent) < self._limit:\n",
                    ),
                ),
            ),
            Edit(
                "stale-remaining",
                "remaining counts every accepted request, expired ones too",
                (("self._limit - len(self._recent(t))", "self._limit - len(self._accepted)"),),
            ),
            Edit(
                "off-by-one",
                "allow accepts limit + 1 requests in a window",
                (("< self._limit", "<= self._limit"),),
            ),
        ],
        init=[limit, window],
        sequences=[_burst(limit, window), *(_class_steps(rng, window) for _ in range(24))],
    )


L4_BODY = '''
class Window:
    """One client's sliding window."""

    def __init__(self, limit, window):
        self.limit = limit
        self.window = window
        self.accepted = []

    def allow(self, t):
        recent = [a for a in self.accepted if a > t - self.window]
        if len(recent) < self.limit:
            self.accepted.append(t)
            return True
        return False


def parse(line):
    """A request, a stats query or a bad line."""
    parts = line.split()
    if len(parts) == 2 and parts[0] == "stats":
        return ("stats", parts[1])
    if len(parts) == 3 and parts[0].isdigit():
        return ("request", int(parts[0]), parts[1], parts[2])
    return ("bad",)


class ENTRY:
    def __init__(self):
        self._windows = {}
        self._counts = {}

    def handle(self, line):
        command = parse(line)
        if command[0] == "stats":
            passed, refused = self._counts.get(command[1], (0, 0))
            return f"{command[1]} {passed} {refused}"
        if command[0] == "request":
            _, t, client, path = command
            window = self._windows.setdefault(client, Window(LIMIT, WINDOW))
            passed, refused = self._counts.get(client, (0, 0))
            if window.allow(t):
                self._counts[client] = (passed + 1, refused)
                return f"200 {path}"
            self._counts[client] = (passed, refused + 1)
            return f"429 {client}"
        return "400"
'''


def _session(rng: random.Random, window: int, clients: list[str]) -> Steps:
    t, steps = 0, []
    for _ in range(rng.randint(5, 26)):
        roll = rng.random()
        if roll < 0.12:
            line = f"stats {rng.choice([*clients, 'zoe'])}"
        elif roll < 0.17:
            line = rng.choice(("GET /orders", f"{t} {clients[0]}", "", "stats", "x y z"))
        else:
            t += rng.choice((0, 0, 1, 1, 2, window - 1, window, window + 1))
            line = f"{t} {rng.choice(clients)} {rng.choice(PATHS)}"
        steps.append(("handle", [line]))
    return steps


L4_MUTANTS = [
    Edit(
        "shared-limiter",
        "every client is counted against one shared limiter (wiring)",
        (("setdefault(client,", 'setdefault("*",'),),
    ),
    Edit(
        "fresh-limiter",
        "a new limiter is made for every request, so none is ever refused (wiring)",
        (("self._windows.setdefault(client, Window(", "(Window("),),
    ),
    Edit(
        "refusals-untallied",
        "stats never counts refused requests",
        (("(passed, refused + 1)", "(passed, refused)"),),
    ),
    Edit(
        "fixed-window",
        "counts per aligned block of seconds",
        (("a > t - self.window", "a // self.window == t // self.window"),),
    ),
]
L4_READINGS = [
    Edit(
        "closed-window",
        "a request exactly the period apart is inside it",
        (("a > t - self.window", "a >= t - self.window"),),
    ),
    Edit(
        "counts-refused",
        "refused requests use up the allowance",
        (
            (
                "if len(recent) < self.limit:\n            self.accepted.append(t)\n",
                "self.accepted.append(t)\n        if len(recent) < self.limit:\n",
            ),
        ),
    ),
]


def _targeted(limit: int, window: int, clients: list[str]) -> list[Steps]:
    """A burst over the limit, then stats; a full window and a request at its far end."""
    return [
        [
            *(("handle", [f"3 {clients[0]} /a"]) for _ in range(limit + 1)),
            ("handle", [f"stats {clients[0]}"]),
            ("handle", [f"3 {clients[1]} /b"]),
        ],
        [
            *(("handle", [f"{window - 1} {clients[0]} /a"]) for _ in range(limit)),
            ("handle", [f"{window} {clients[0]} /a"]),
        ],
    ]


def _l4(rng: random.Random) -> Spec:
    entry = pick(rng, SYSTEMS)
    limit, window = rng.randint(1, 3), rng.randint(3, 8)
    clients = rng.sample(CLIENTS, 3)
    doc = (
        "As the operator of a small web API, I want a gateway in front of it that limits "
        f"every client to {limit} requests in any {window} seconds, so that one busy client "
        "cannot starve the others, and I want to see how each client has been treated.\n\n"
        f"The gateway is used through one class, `{entry}()`, with one method, "
        "`handle(line) -> str`, called once per line of input:\n\n"
        "- `<time> <client> <path>` (time in whole seconds; lines come in time order): a "
        "request. The answer is `200 <path>` when it is let through, `429 <client>` when "
        "that client is over its limit.\n"
        "- `stats <client>`: the answer is `<client> <let through> <refused>`, counts of that "
        "client's requests so far (`<client> 0 0` for a client never seen).\n"
        "- any other line: the answer is `400`.\n\n"
        "Each client has its own limit."
    )
    body = L4_BODY.replace("ENTRY", entry).replace("LIMIT", str(limit))
    body = body.replace("WINDOW)", f"{window})")
    return Spec(
        entry,
        "module",
        None,
        doc,
        body,
        list(L4_MUTANTS),
        readings=list(L4_READINGS),
        sequences=[
            *_targeted(limit, window, clients),
            *(_session(rng, window, clients) for _ in range(30)),
        ],
        components=3,
    )


def make_limit(level: int, rng: random.Random) -> Spec:
    """The rate-limit capability at ``level`` (1-4)."""
    return (_l1, _l2, _l3, _l4)[level - 1](rng)
