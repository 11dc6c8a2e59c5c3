"""The ``sequence`` kind's trusted driver: run one call sequence on one object, in one trip.

Runs inside the candidate's process (standard library only, imported before the candidate's
code). What it reports is evidence, never a verdict: the judge compares every answer with the
reference class it runs itself, checks the property on the values reported, and reads the
final state back through the channel to confirm the report (``_check_sequence``).
"""

from __future__ import annotations

from typing import Any


def _snapshot(value: Any) -> Any:
    """A copy of plain data as it is now: a method may answer a list it keeps changing (or
    holding lists it changes), and the report must show the state after each call, not the
    last one. Only exact builtin containers are copied; anything else is left for the codec
    (which refuses what is not plain data)."""
    kind = type(value)
    if kind is list:
        return [_snapshot(v) for v in value]
    if kind is tuple:
        return tuple(_snapshot(v) for v in value)
    if kind is dict:
        return {k: _snapshot(v) for k, v in value.items()}
    if kind is set:
        return set(value)
    return value


def _describe(exc: BaseException) -> list[str]:
    try:
        return ["raise", type(exc).__name__, str(exc)[:200]]
    except BaseException:
        return ["raise", "Exception", ""]


def drive_steps(subject: Any, steps: list[Any], observe: list[str]) -> dict[str, Any]:
    """Call each ``[method, args]`` of ``steps`` on ``subject``; after each (and once before
    the first) call every method of ``observe``.

    Returns ``{"initial": [observed...], "steps": [[["ok", value] | ["raise", type, message],
    [observed...]], ...]}``; the first call or observation that raises ends the run (its
    observations are then ``[]``).
    """
    initial = []
    for name in observe:
        try:
            initial.append(_snapshot(getattr(subject, name)()))
        except BaseException as exc:
            return {"initial": [], "steps": [[_describe(exc), []]]}
    out: list[Any] = []
    for name, args in steps:
        try:
            outcome: list[Any] = ["ok", _snapshot(getattr(subject, name)(*args))]
        except BaseException as exc:
            out.append([_describe(exc), []])
            break
        seen = []
        try:
            for observer in observe:
                seen.append(_snapshot(getattr(subject, observer)()))
        except BaseException as exc:
            out.append([_describe(exc), []])
            break
        out.append([outcome, seen])
    return {"initial": initial, "steps": out}


def drive_many(
    subject: Any, init: list[Any], sequences: list[Any], observe: list[str]
) -> list[dict[str, Any]]:
    """``drive_steps`` for each of ``sequences``, each on a fresh object ``subject(*init)``
    (``subject`` is the entry-point class): many sequences in one round trip. A constructor
    that raises ends the run (the judge sees the candidate's exception)."""
    return [drive_steps(subject(*init), steps, observe) for steps in sequences]
