"""The ``temporal`` suite's state-machine and rate-limit templates (safety).

A lifecycle that never takes a forbidden transition, and a sliding-window rate limiter that
never admits more than its limit in any window. Levels add events (states) and per-key state.
"""

from __future__ import annotations

import random

from codehazard.tasks.suites._temporal_spec import (
    Mutant,
    Spec,
    Steps,
    boundary_runs,
    method,
    pick,
    random_calls,
    repeated,
)

# --- machine: an order lifecycle ------------------------------------------------------------

MACHINE_NAMES = ("Order", "Parcel", "Shipment", "Purchase", "Delivery", "Consignment", "Job")
EVENTS = (  # (event, states it applies in, state it leads to, from level)
    ("pay", ("new",), "paid", 1),
    ("cancel", ("new", "paid"), "cancelled", 1),
    ("ship", ("paid",), "shipped", 2),
    ("deliver", ("shipped",), "delivered", 3),
    ("give_back", ("delivered",), "returned", 3),
)


def _event(name: str, sources: tuple[str, ...], target: str) -> str:
    test = (
        f'self._state != "{sources[0]}"'
        if len(sources) == 1
        else (f"self._state not in {sources!r}")
    )
    return method(
        f"""
        def {name}(self):
            if {test}:
                return False
            self._state = "{target}"
            return True
        """
    )


def _machine_mutants(level: int, methods: dict[str, str]) -> list[Mutant]:
    """The lifecycle's wrong classes (level 1 has no shipping to get wrong)."""
    pay, cancel = methods["pay"], methods["cancel"]
    refusal_none = {"pay": pay.replace("return False", "return None")}
    mutants = [
        Mutant(
            "checked-after-change",
            "pay sets the new state first and only then looks at the old one",
            {
                "pay": method(
                    """
                    def pay(self):
                        old, self._state = self._state, "paid"
                        return old == "new"
                    """
                )
            },
        ),
        Mutant("refusal-none", "pay answers None instead of False when refused", refusal_none),
    ]
    if level == 1:
        mutants += [
            Mutant(
                "wrong-guard",
                "pay refuses only when already paid (so a cancelled item can be paid)",
                {"pay": pay.replace('self._state != "new"', 'self._state == "paid"')},
            ),
            Mutant(
                "always-true",
                "cancel answers True even when it changes nothing",
                {"cancel": cancel.replace("return False", "return True")},
            ),
        ]
    else:
        mutants += [
            Mutant(
                "late-cancel",
                "cancel is refused only once cancelled (so a shipped item can be cancelled)",
                {
                    "cancel": cancel.replace(
                        "self._state not in ('new', 'paid')", 'self._state == "cancelled"'
                    )
                },
            ),
            Mutant(
                "skipped-payment",
                "ship also accepts an unpaid item",
                {
                    "ship": methods["ship"].replace(
                        'self._state != "paid"', "self._state not in ('new', 'paid')"
                    )
                },
            ),
        ]
    return mutants


def make_machine(level: int, rng: random.Random) -> Spec:
    cls = pick(rng, MACHINE_NAMES)
    events = [e for e in EVENTS if e[3] <= level]
    methods = {"__init__": method('def __init__(self):\n    self._state = "new"')}
    doc = [f'The lifecycle of one item, created with `{cls}()` in the state "new".', ""]
    for name, sources, target, _ in events:
        methods[name] = _event(name, sources, target)
        where = " or ".join(f'"{s}"' for s in sources)
        doc.append(
            f'- {name}(): from {where}, moves to "{target}" and returns True; in any '
            "other state changes nothing and returns False."
        )
    methods["state"] = method("def state(self):\n    return self._state")
    doc += [
        "- state(): the current state.",
        "",
        "No other change of state ever happens, whatever the calls.",
    ]
    allowed = [[s, target] for _, sources, target, _ in events for s in sources]
    names = [e[0] for e in events]
    choices = [(n, [[]]) for n in names]
    adversarial = boundary_runs(choices, 3)
    adversarial += [[(n, []) for n in names] * 2, [(n, []) for n in reversed(names)] * 2]
    adversarial.append([*repeated(("cancel", []), 2), *[(n, []) for n in names]])
    happy = [n for n in names if n != "cancel"]
    for depth in range(len(happy) + 1):  # every event in every state the happy path reaches
        adversarial.append([*((n, []) for n in happy[:depth]), *((n, []) for n in names)])
        adversarial.extend([*((n, []) for n in happy[:depth]), (n, [])] for n in names)
    mutants = _machine_mutants(level, methods)
    return Spec(
        cls,
        "\n".join(doc),
        [],
        methods,
        ["state"],
        "transitions",
        {"observe": "state", "allowed": allowed},
        lambda r: random_calls(r, choices, 3, 16),
        adversarial,
        mutants,
        state_size=len({t for *_, t, _ in events}) + 1,
    )


# --- limiter: at most `limit` admissions in any `width` consecutive time units ------------

LIMITER_NAMES = ("RateLimiter", "Throttle", "Gate", "Admission", "Turnstile", "Valve", "Meter")


def _limiter_methods(keyed: bool, level: int) -> dict[str, str]:
    return _keyed_limiter_methods() if keyed else _limiter_methods_by_level(level)


def _limiter_methods_by_level(level: int) -> dict[str, str]:
    methods = {
        "__init__": method(
            """
            def __init__(self, limit, width):
                self._limit = limit
                self._width = width
                self._times = []
                self._admitted = 0
            """
        ),
        "allow": method(
            """
            def allow(self, t):
                self._times = [s for s in self._times if s > t - self._width]
                if len(self._times) >= self._limit:
                    return False
                self._times.append(t)
                self._admitted += 1
                return True
            """
        ),
    }
    if level >= 2:
        methods["remaining"] = method(
            """
            def remaining(self, t):
                recent = [s for s in self._times if s > t - self._width]
                return self._limit - len(recent)
            """
        )
        methods["admitted"] = method("def admitted(self):\n    return self._admitted")
    return methods


def _keyed_limiter_methods() -> dict[str, str]:
    return {
        "__init__": method(
            """
            def __init__(self, limit, width):
                self._limit = limit
                self._width = width
                self._times = {}
                self._blocked = set()
            """
        ),
        "allow": method(
            """
            def allow(self, key, t):
                times = [s for s in self._times.get(key, []) if s > t - self._width]
                self._times[key] = times
                if key in self._blocked or len(times) >= self._limit:
                    return False
                times.append(t)
                return True
            """
        ),
        "remaining": method(
            """
            def remaining(self, key, t):
                if key in self._blocked:
                    return 0
                recent = [s for s in self._times.get(key, []) if s > t - self._width]
                return self._limit - len(recent)
            """
        ),
        "block": method(
            """
            def block(self, key):
                self._blocked.add(key)
                return True
            """
        ),
        "unblock": method(
            """
            def unblock(self, key):
                if key not in self._blocked:
                    return False
                self._blocked.discard(key)
                return True
            """
        ),
    }


def _limiter_steps(rng: random.Random, level: int, keys: list[str], width: int) -> Steps:
    now = rng.randrange(0, 3)
    out: Steps = []
    for _ in range(rng.randint(6, 30)):
        now += rng.choice((0, 0, 1, 1, 1, 2, width - 1, width))
        roll = rng.random()
        key = [rng.choice(keys)] if level >= 3 else []
        if level >= 2 and roll < 0.2:
            out.append(("remaining", [*key, now]))
        elif level >= 3 and roll < 0.28:
            out.append((rng.choice(("block", "unblock")), key))
        else:
            out.append(("allow", [*key, now]))
    return out


def _limiter_mutants(methods: dict[str, str], keyed: bool) -> list[Mutant]:
    """The rate limiter's wrong classes."""
    allow = methods["allow"]
    mutants = [
        Mutant(
            "fixed-window",
            "counts admissions per block of width time units, reset at each multiple of width",
            {"allow": allow.replace("s > t - self._width", "s // self._width == t // self._width")},
        ),
        Mutant(
            "off-by-one-limit",
            "admits while the count is at most the limit (one too many)",
            {"allow": allow.replace(">= self._limit", "> self._limit")},
        ),
        Mutant(
            "off-by-one-window",
            "forgets an admission one time unit too early",
            {"allow": allow.replace("s > t - self._width", "s > t - self._width + 1")},
        ),
        Mutant(
            "counts-refused",
            "records the request before checking, so refused requests count too",
            {"allow": _counts_refused(allow, keyed)},
        ),
    ]
    return mutants


def _limiter_doc(cls: str, level: int, keyed: bool) -> list[str]:
    """The rate limiter's specification, by level."""
    k = "key, " if keyed else ""
    doc = [
        f"A sliding-window rate limiter, `{cls}(limit, width)`. Times t are whole numbers that "
        "never decrease from one call to the next.",
        "",
        f"- allow({k}t): admit a request at time t (True) unless `limit` requests"
        f"{' of that key' if keyed else ''} were already admitted at times s with "
        "t - width < s <= t (then False; a refused request is not counted).",
    ]
    if level >= 2:
        doc.append(
            f"- remaining({k}t): how many more requests allow({k}t) would admit now "
            "(it admits nothing itself)."
        )
    if level == 2:
        doc.append("- admitted(): how many requests were admitted so far.")
    if keyed:
        doc += [
            "- block(key): refuse every request of key from now on; returns True.",
            "- unblock(key): stop refusing key; False if it was not blocked.",
            "  remaining(key, t) is 0 while key is blocked. Keys are limited separately.",
        ]
    doc += ["", "At most `limit` requests are admitted in any `width` consecutive time units."]
    return doc


def make_limiter(level: int, rng: random.Random) -> Spec:
    cls = pick(rng, LIMITER_NAMES)
    limit, width = rng.randrange(2, 5), rng.randrange(3, 9)
    keyed = level >= 3
    keys = ["a", "b", "c"][: 1 + level]
    methods = _limiter_methods(keyed, level)
    doc = _limiter_doc(cls, level, keyed)
    pick_key = (lambda i: [keys[i % len(keys)]]) if keyed else (lambda i: [])
    burst = [("allow", [*pick_key(0), 5]) for _ in range(limit + 2)]
    edge = [("allow", [*pick_key(0), t]) for t in (width - 1,) * limit + (width,) * limit]
    steady = [("allow", [*pick_key(i), i]) for i in range(3 * width)]
    crossing = [
        ("allow", [*pick_key(0), t])
        for t in [width - 1] * limit + [width] * limit + [width + 1] * limit
    ]
    # a full window, then the last time unit still inside it and the first one after it
    ends = [("allow", [*pick_key(0), t]) for t in [1] * limit + [width, width + 1, width + 1]]
    adversarial = [
        ends,
        burst,
        edge,
        steady,
        crossing,
        [("allow", [*pick_key(0), t]) for t in range(0, 4 * width, 2)],
    ]
    if level >= 2:
        adversarial.append(
            [
                s
                for i in range(limit + 1)
                for s in (("remaining", [*pick_key(0), i]), ("allow", [*pick_key(0), i]))
            ]
        )
    if keyed:
        adversarial.append(
            [
                ("block", ["a"]),
                ("allow", ["a", 1]),
                ("unblock", ["a"]),
                ("allow", ["a", 1]),
                ("unblock", ["a"]),
            ]
        )
    mutants = _limiter_mutants(methods, keyed)
    params = {
        "method": "allow",
        "limit": limit,
        "width": width,
        "time_arg": 1 if keyed else 0,
        "key_arg": 0 if keyed else None,
    }
    return Spec(
        cls,
        "\n".join(doc),
        [limit, width],
        methods,
        ["admitted"] if level == 2 else [],
        "window",
        params,
        lambda r: _limiter_steps(r, level, keys, width),
        adversarial,
        mutants,
        state_size=limit * len(keys),
    )


def _counts_refused(allow: str, keyed: bool) -> str:
    moved = (
        allow.replace("    times.append(t)\n", "")
        if keyed
        else allow.replace("    self._times.append(t)\n", "")
    )
    anchor = "    if key in self._blocked" if keyed else "    if len(self._times)"
    append = "    times.append(t)\n" if keyed else "    self._times.append(t)\n"
    return moved.replace(anchor, append + anchor, 1)
