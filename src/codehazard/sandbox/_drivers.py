"""Trusted drivers: small pieces of our code that run inside the candidate's process.

A checker kind that needs many calls in one round trip (a sampler called ten thousand times) or
code beside the candidate's objects (threads that hammer a shared object) names a driver in
``PreparedTask.drivers``; the runner imports it before the candidate's program runs and the
judge calls it with ``Channel.drive``. A driver runs among the candidate's objects, so the
candidate can patch anything it uses: what a driver reports is evidence for the judge to
validate, never a verdict. Each kind's documentation (``docs/suites/``) says why tampering with
its driver cannot gain a pass that a correct candidate would not get.

Drivers take the subject (the entry point, or the object of a handle) first, then plain-data
arguments, and return plain data. Standard library only: this runs inside the sandbox.
"""

from __future__ import annotations

import random
from typing import Any

REPEAT = "codehazard.sandbox._drivers:repeat"


def repeat(
    subject: Any, times: int, args: list[Any] | None = None, method: str | None = None
) -> list[Any]:
    """Call ``subject`` (or its method ``method``) ``times`` times with ``args``; the answers.

    For statistical checkers: one round trip instead of ``times``. An exception ends the run
    and reaches the judge as the candidate's.
    """
    fn = subject if method is None else getattr(subject, method)
    call_args = list(args or ())
    return [fn(*call_args) for _ in range(int(times))]


SAMPLE = "codehazard.sandbox._drivers:sample"

_Random = random.Random  # taken at import, before the candidate's code runs
_seed_global = random.seed


def _resolve(value: Any, seed: int) -> Any:
    """A fresh copy of plain argument data, its placeholders made into what they name."""
    if type(value) is dict:
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "$seed":
                return seed
            if key == "$rng":
                return _Random(seed)
            if key == "$iter":
                return iter([_resolve(v, seed) for v in inner])
        return {k: _resolve(v, seed) for k, v in value.items()}
    if type(value) is list:
        return [_resolve(v, seed) for v in value]
    return value


def sample(subject: Any, spec: dict[str, Any]) -> list[Any]:
    """Draw ``spec["draws"]`` samples from ``subject`` as the ``statistical`` checker says.

    ``spec`` holds the fields of ``tasks.Sampling``: the ``function`` form calls ``subject``
    with ``args`` per draw; the ``object`` form builds ``subject(*init)`` per draw and calls
    its ``method`` ``calls`` times (the sample is the list of answers). Placeholders
    (``{"$seed": None}``, ``{"$rng": None}``, ``{"$iter": [...]}``) become the draw's seed, a
    ``random.Random`` of it, or a one-pass iterator. The global generator is seeded with
    ``global_seed`` first. An exception ends the run and reaches the judge as the candidate's.
    """
    _seed_global(int(spec["global_seed"]))
    base, draws = int(spec["seed"]), int(spec["draws"])
    args = spec.get("args") or []
    out: list[Any] = []
    if spec.get("form", "function") == "function":
        for i in range(draws):
            out.append(subject(*_resolve(args, base + i)))
        return out
    init, method, calls = spec.get("init") or [], str(spec["method"]), int(spec["calls"])
    for i in range(draws):
        obj = subject(*_resolve(init, base + i))
        fn = getattr(obj, method)
        out.append([fn(*_resolve(args, (base + i) * calls + c)) for c in range(calls)])
    return out
