"""The ``temporal`` suite's liveness templates: every request is served within a bound.

A round-robin queue that starves no client, a lock whose waiters are all eventually granted,
and a retry policy whose loop always ends. Each task's drain (calls appended to every
sequence) gives "eventually" a finite trace. Mutants are liveness bugs that often show only
under contention: lowest-id-first or newest-first service, a release that forgets waiters, a
retry count off by one or reset on giving up.
"""

from __future__ import annotations

import random
from typing import Any

from codehazard.tasks.suites._temporal_spec import (
    Mutant,
    Spec,
    Steps,
    boundary_runs,
    method,
    pick,
    random_calls,
)

# --- fair queue: round robin over clients, each client first in first out -----------------

QUEUE_NAMES = ("Scheduler", "Dispatcher", "TurnQueue", "Roster", "Rotation", "Servery", "Desk")


def _queue_methods(level: int) -> dict[str, str]:
    methods = {
        "__init__": method(
            """
            def __init__(self, clients, capacity):
                self._queues = [[] for _ in range(clients)]
                self._capacity = capacity
                self._next_ticket = 1
                self._turn = 0
            """
        ),
        "submit": method(
            """
            def submit(self, client):
                if not 0 <= client < len(self._queues):
                    return None
                if len(self._queues[client]) >= self._capacity:
                    return None
                ticket = self._next_ticket
                self._next_ticket += 1
                self._queues[client].append(ticket)
                return ticket
            """
        ),
        "step": method(
            """
            def step(self):
                n = len(self._queues)
                for offset in range(n):
                    client = (self._turn + offset) % n
                    if self._queues[client]:
                        self._turn = (client + 1) % n
                        return self._queues[client].pop(0)
                return None
            """
        ),
        "pending": method("def pending(self):\n    return sum(len(q) for q in self._queues)"),
    }
    if level >= 2:
        methods["cancel"] = method(
            """
            def cancel(self, ticket):
                for queue in self._queues:
                    if ticket in queue:
                        queue.remove(ticket)
                        return True
                return False
            """
        )
    if level >= 3:
        methods["drop"] = method(
            """
            def drop(self, client):
                if not 0 <= client < len(self._queues):
                    return []
                dropped = sorted(self._queues[client])
                self._queues[client] = []
                return dropped
            """
        )
    return methods


def _contention(clients: int, capacity: int) -> list[Steps]:
    """One client keeps the queue busy while another waits: starves unfair service."""
    hog: Steps = [("submit", [0])] * capacity
    out = [
        [
            *hog,
            ("submit", [clients - 1]),
            *[s for _ in range(3 * clients * capacity) for s in (("step", []), ("submit", [0]))],
        ]
    ]
    out.append(
        [
            ("submit", [1]),
            *[s for _ in range(3 * clients * capacity) for s in (("submit", [0]), ("step", []))],
        ]
    )
    out.append(
        [("submit", [clients - 1]), ("step", []), ("step", []), ("submit", [0]), ("step", [])]
    )
    return out


def _queue_mutants(methods: dict[str, str]) -> list[Mutant]:
    """The fair queue's wrong classes."""
    step = methods["step"]
    mutants = [
        Mutant(
            "lowest-first",
            "step always serves the lowest-numbered client with a request (starves others "
            "under contention)",
            {
                "step": method(
                    """
                    def step(self):
                        for queue in self._queues:
                            if queue:
                                return queue.pop(0)
                        return None
                    """
                )
            },
        ),
        Mutant(
            "newest-first",
            "each client's newest request is served first (an old one starves while the "
            "client keeps submitting)",
            {"step": step.replace(".pop(0)", ".pop()")},
        ),
        Mutant(
            "stalls-on-empty-turn",
            "step returns None when the client whose turn it is has nothing waiting",
            {
                "step": method(
                    """
                    def step(self):
                        client = self._turn
                        self._turn = (client + 1) % len(self._queues)
                        if self._queues[client]:
                            return self._queues[client].pop(0)
                        return None
                    """
                )
            },
        ),
        Mutant(
            "off-by-one-capacity",
            "submit accepts one request more than the capacity",
            {"submit": methods["submit"].replace(">= self._capacity", "> self._capacity")},
        ),
    ]
    return mutants


def make_queue(level: int, rng: random.Random) -> Spec:
    cls = pick(rng, QUEUE_NAMES)
    clients, capacity = rng.randrange(2, 4) + level - 1, rng.randrange(2, 4)
    methods = _queue_methods(level)
    doc = [
        f"A fair queue of requests from clients 0 to clients-1, `{cls}(clients, capacity)`.",
        "",
        "- submit(client): queue a request; returns its ticket (1, 2, 3, ... in order of",
        "  submission), or None if client is out of range or already has `capacity` waiting.",
        "- step(): serve one request and return its ticket, or None when nothing waits.",
        "  Clients take turns: after serving client c, the next step serves the first client",
        "  after c (c+1, c+2, ..., wrapping round to 0) that has a request waiting; the first",
        "  step starts at client 0. Each client's requests are served oldest first.",
        "- pending(): how many requests wait.",
    ]
    if level >= 2:
        doc.append("- cancel(ticket): withdraw a waiting request; False if none has that ticket.")
    if level >= 3:
        doc.append(
            "- drop(client): withdraw every waiting request of client; returns their "
            "tickets, sorted ([] if none or out of range)."
        )
    bound = clients * capacity
    doc += [
        "",
        f"Every request is served within {bound} (clients x capacity) steps, however "
        "busy the other clients are.",
    ]
    client_args = [[c] for c in (-1, *range(clients), clients)]
    choices: list[tuple[str, Any]] = [("submit", client_args), ("step", [[]]), ("step", [[]])]
    if level >= 2:
        choices.append(("cancel", [[t] for t in (0, 1, 2, 3, 5, 8)]))
    if level >= 3:
        choices.append(("drop", client_args))
    adversarial = [*boundary_runs(choices, 3), *_contention(clients, capacity)]
    mutants = _queue_mutants(methods)
    return Spec(
        cls,
        "\n".join(doc),
        [clients, capacity],
        methods,
        ["pending"],
        "bounded_wait",
        {"request": "submit", "serve": "step", "bound": bound, "cancel": "cancel", "drop": "drop"},
        lambda r: random_calls(r, choices, 6, 30),
        adversarial,
        mutants,
        drain=[("step", [])] * (bound + 1),
        state_size=bound,
    )


# --- lock: a lock with a first-come first-served queue of waiters ---------------------------

LOCK_NAMES = ("Lock", "Mutex", "Baton", "Token", "Latch", "Conch", "Talkstick")


def _lock_methods(level: int) -> dict[str, str]:
    methods = {
        "__init__": method(
            """
            def __init__(self, clients):
                self._clients = clients
                self._holder = None
                self._waiting = []
            """
        ),
        "acquire": method(
            """
            def acquire(self, client):
                if not 0 <= client < self._clients:
                    return False
                if client == self._holder or client in self._waiting:
                    return False
                if self._holder is None:
                    self._holder = client
                    return True
                self._waiting.append(client)
                return False
            """
        ),
        "release": method(
            """
            def release(self, client):
                if self._holder is None or client != self._holder:
                    return False
                self._holder = self._waiting.pop(0) if self._waiting else None
                return self._holder
            """
        ),
        "holder": method("def holder(self):\n    return self._holder"),
    }
    if level >= 2:
        methods["cancel"] = method(
            """
            def cancel(self, client):
                if client not in self._waiting:
                    return False
                self._waiting.remove(client)
                return True
            """
        )
    if level >= 3:
        methods["waiting"] = method("def waiting(self):\n    return list(self._waiting)")
    return methods


def _lock_mutants(methods: dict[str, str]) -> list[Mutant]:
    """The lock's wrong classes."""
    release = methods["release"]
    mutants = [
        Mutant(
            "newest-first",
            "release passes the lock to the newest waiter (the first starves under contention)",
            {"release": release.replace("self._waiting.pop(0)", "self._waiting.pop()")},
        ),
        Mutant(
            "forgets-waiters",
            "release frees the lock but does not hand it to a waiter",
            {
                "release": method(
                    """
                    def release(self, client):
                        if self._holder is None or client != self._holder:
                            return False
                        self._holder = None
                        return None
                    """
                )
            },
        ),
        Mutant(
            "anyone-releases",
            "release does not check that the caller holds the lock",
            {"release": release.replace(" or client != self._holder", "")},
        ),
    ]
    return mutants


def make_lock(level: int, rng: random.Random) -> Spec:
    cls = pick(rng, LOCK_NAMES)
    clients = rng.randrange(3, 5) + level - 1
    methods = _lock_methods(level)
    doc = [
        f"A lock shared by clients 0 to clients-1, `{cls}(clients)`.",
        "",
        "- acquire(client): if the lock is free, client takes it (True). Otherwise client",
        "  joins the end of the queue of waiters (False). A client that holds the lock or",
        "  already waits, or is out of range, changes nothing (False).",
        "- release(client): only the holder may release (else False, nothing changes). The",
        "  lock passes to the first waiter, who leaves the queue; returns the new holder, or",
        "  None if nobody waited (the lock is then free).",
        "- holder(): the client holding the lock, or None.",
    ]
    if level >= 2:
        doc.append("- cancel(client): client leaves the queue of waiters; False if not waiting.")
    if level >= 3:
        doc.append("- waiting(): the queue of waiters, first first, as a list.")
    bound = clients - 1
    doc += ["", f"A waiting client gets the lock within {bound} (clients - 1) releases."]
    client_args = [[c] for c in range(clients)]
    choices: list[tuple[str, Any]] = [("acquire", client_args), ("release", client_args)]
    if level >= 2:
        choices.append(("cancel", client_args))
    last = clients - 1
    adversarial = boundary_runs(choices, 3)
    churn: Steps = [("acquire", [c]) for c in range(clients)]
    for _ in range(3):
        for c in range(clients - 1):
            churn += [("release", [c]), ("acquire", [c])]
    adversarial.append(churn)
    adversarial.append(
        [
            ("acquire", [0]),
            ("acquire", [last]),
            ("acquire", [1]),
            *[
                s
                for _ in range(2 * clients)
                for s in (("release", [0]), ("acquire", [0]), ("release", [1]), ("acquire", [1]))
            ],
        ]
    )
    drain: Steps = [("release", [c]) for _ in range(clients) for c in range(clients)]
    mutants = _lock_mutants(methods)
    observe = ["holder", "waiting"] if level >= 3 else ["holder"]
    return Spec(
        cls,
        "\n".join(doc),
        [clients],
        methods,
        observe,
        "bounded_wait",
        {
            "style": "lock",
            "request": "acquire",
            "serve": "release",
            "bound": bound,
            "cancel": "cancel",
            "holder": "holder",
        },
        lambda r: random_calls(r, choices, 6, 30),
        adversarial,
        mutants,
        drain=drain,
        state_size=clients,
    )


# --- retry: a retry policy with capped exponential backoff that always gives up -----------

RETRY_NAMES = ("Retrier", "Backoff", "RetryPolicy", "Redial", "Reconnect", "Persist")


def _retry_methods(level: int) -> dict[str, str]:
    budget = level >= 3
    methods = {
        "__init__": method(
            f"""
            def __init__(self, attempts, base, cap{", budget" if budget else ""}):
                self._attempts = attempts
                self._base = base
                self._cap = cap
                self._failures = 0
            {"    self._budget = budget" if budget else ""}
            """
        ),
        "fail": method(
            f"""
            def fail(self):
                if self._failures >= self._attempts{" or self._budget == 0" if budget else ""}:
                    return None
                delay = min(self._cap, self._base * 2 ** self._failures)
                self._failures += 1
            {"    self._budget -= 1" if budget else ""}
                return delay
            """
        ),
        "succeed": method(
            """
            def succeed(self):
                self._failures = 0
            """
        ),
    }
    if level >= 2:
        methods["failures"] = method("def failures(self):\n    return self._failures")
        methods["stop"] = method(
            """
            def stop(self):
                self._failures = self._attempts
            """
        )
    if budget:
        methods["budget"] = method("def budget(self):\n    return self._budget")
    return methods


def _retry_mutants(methods: dict[str, str]) -> list[Mutant]:
    """The retry policy's wrong classes."""
    fail = methods["fail"]
    mutants = [
        Mutant(
            "off-by-one",
            "fail gives up only after more than `attempts` failures (one retry too many)",
            {
                "fail": fail.replace(
                    "self._failures >= self._attempts", "self._failures > self._attempts"
                )
            },
        ),
        Mutant(
            "restarts-after-giving-up",
            "fail resets its count when it gives up, so the loop starts over",
            {
                "fail": fail.replace(
                    "        return None\n", "        self._failures = 0\n        return None\n", 1
                )
            },
        ),
        Mutant(
            "success-kept",
            "succeed does not reset the count of failures",
            {"succeed": method("def succeed(self):\n    pass")},
        ),
        Mutant(
            "uncapped",
            "the delay is not capped",
            {
                "fail": fail.replace(
                    "min(self._cap, self._base * 2 ** self._failures)",
                    "self._base * 2 ** self._failures",
                )
            },
        ),
    ]
    return mutants


def make_retry(level: int, rng: random.Random) -> Spec:
    cls = pick(rng, RETRY_NAMES)
    attempts, base = rng.randrange(2, 6), rng.randrange(1, 4)
    cap = base * 2 ** (attempts - 2)
    init = [attempts, base, cap]
    budget = attempts + rng.randrange(1, 4) if level >= 3 else None
    if budget is not None:
        init.append(budget)
    methods = _retry_methods(level)
    sig = "attempts, base, cap" + (", budget" if budget is not None else "")
    doc = [
        f"A retry policy with capped exponential backoff, `{cls}({sig})`.",
        "",
        "- fail(): the operation failed. If fewer than `attempts` failures happened since the",
        "  last success, returns the delay before the next try, min(cap, base * 2 ** k) for",
        "  the k-th such failure counting from 0; otherwise returns None: give up (and fail()",
        "  keeps returning None until the next success).",
        "- succeed(): the operation succeeded; the count of failures starts again at 0.",
    ]
    if level >= 2:
        doc += [
            "- failures(): the failures counted since the last success.",
            "- stop(): give up now: fail() returns None until the next success.",
        ]
    if budget is not None:
        doc += [
            "- budget(): retries left in all: each delay returned uses one, and once none",
            "  is left fail() returns None for good (succeed() does not refill it).",
        ]
    doc += [
        "",
        f"A retry loop calling fail() ends: after at most {attempts} retries in a row "
        "fail() returns None.",
    ]
    choices: list[tuple[str, Any]] = [("fail", [[]]), ("fail", [[]]), ("succeed", [[]])]
    if level >= 2:
        choices.append(("stop", [[]]))
    adversarial = [
        [("fail", [])] * (attempts + 3),
        [*[("fail", [])] * (attempts + 1), ("succeed", []), *[("fail", [])] * (attempts + 1)],
        [s for _ in range(attempts + 2) for s in (("fail", []), ("succeed", []))],
    ]
    if level >= 2:
        adversarial.append(
            [("fail", []), ("stop", []), ("fail", []), ("succeed", []), ("fail", [])]
        )
    observe = (["failures"] if level >= 2 else []) + (["budget"] if budget is not None else [])
    mutants = _retry_mutants(methods)
    params: dict[str, Any] = {"fail": "fail", "reset": "succeed", "attempts": attempts}
    if budget is not None:
        params["budget"] = budget
    return Spec(
        cls,
        "\n".join(doc),
        init,
        methods,
        observe,
        "gives_up",
        params,
        lambda r: random_calls(r, choices, 4, 24),
        adversarial,
        mutants,
        drain=[("fail", [])] * (attempts + 1),
        state_size=len(init),
    )
