"""Trusted comparisons of plain values (both sides decoded by ``_codec``, so builtin types only).

``exact``: same value and the same type at every level (``1`` is not ``1.0`` nor ``True``;
a list is not a tuple; set members and dict keys are typed too); NaN equals NaN. ``float``:
numbers (int or float) within the task's relative/absolute tolerance, containers compared
element-wise. ``unordered``: a list or tuple result holding the same elements as the expected
one in any order (compared exactly).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from codehazard.errors import UnknownNameError

Comparator = Callable[[Any, Any], bool]


_MISSING = object()


def _typed(value: Any) -> Any:
    """A hashable key equal only for values of the same types at every level.

    Python's own set and dict equality treats ``1``, ``1.0`` and ``True`` as one key; an exact
    oracle must not, or a set of floats would pass for a set of ints.
    """
    kind = type(value)
    if kind is tuple:
        return (kind, tuple(_typed(v) for v in value))
    if kind is frozenset:
        return (kind, frozenset(_typed(v) for v in value))
    if kind is float and math.isnan(value):
        return (kind, "nan")
    return (kind, value)


def _same(a: Any, b: Any, num: Callable[[Any, Any], bool] | None) -> bool:
    ta, tb = type(a), type(b)
    if num is not None and ta in (int, float) and tb in (int, float):
        return num(a, b)
    if ta is not tb:
        return False
    if ta is float:
        return a == b or (math.isnan(a) and math.isnan(b))
    if ta in (list, tuple):
        return len(a) == len(b) and all(_same(x, y, num) for x, y in zip(a, b, strict=True))
    if ta is dict:
        if len(a) != len(b):
            return False
        typed_b = {_typed(k): v for k, v in b.items()}
        for k, v in a.items():
            other = typed_b.get(_typed(k), _MISSING)
            if other is _MISSING or not _same(v, other, num):
                return False
        return True
    if ta in (set, frozenset):
        return len(a) == len(b) and {_typed(x) for x in a} == {_typed(x) for x in b}
    if ta is complex and num is not None:
        return num(a.real, b.real) and num(a.imag, b.imag)
    return bool(a == b)


def exact(expected: Any, actual: Any) -> bool:
    """Equal values of identical builtin types, recursively."""
    return _same(expected, actual, None)


def tolerant(rel_tol: float, abs_tol: float) -> Comparator:
    """A comparator treating numbers as equal within the given tolerances."""

    def num(a: float, b: float) -> bool:
        if type(a) is bool or type(b) is bool:
            return type(a) is type(b) and a == b
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)

    return lambda expected, actual: _same(expected, actual, num)


def unordered(expected: Any, actual: Any) -> bool:
    """The same elements in any order (lists or tuples of plain values)."""
    if type(expected) not in (list, tuple) or type(actual) is not type(expected):
        return exact(expected, actual)
    if len(expected) != len(actual):
        return False
    remaining = list(actual)
    for item in expected:
        for i, other in enumerate(remaining):
            if exact(item, other):
                del remaining[i]
                break
        else:
            return False
    return True


def comparator(oracle: str, rel_tol: float = 1e-6, abs_tol: float = 1e-9) -> Comparator:
    """The comparison for a task's oracle name.

    Raises:
        ValueError: unknown oracle.
    """
    if oracle == "exact":
        return exact
    if oracle == "float":
        return tolerant(rel_tol, abs_tol)
    if oracle == "unordered":
        return unordered
    raise UnknownNameError(
        f"unknown oracle {oracle!r}; use exact, float or unordered", kind="oracle", name=oracle
    )
