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
