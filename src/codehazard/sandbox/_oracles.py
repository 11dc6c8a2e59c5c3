"""Trusted comparisons of plain values (both sides decoded by ``_codec``, so builtin types only).

``exact``: identical values, the same type at every level (``1`` is not ``1.0`` nor ``True``;
a list is not a tuple; set members and dict keys are typed too), and floats identical, not
merely equal: ``-0.0`` is not ``0.0`` (also inside complex numbers, set members and dict keys),
and NaN is identical to NaN (the channel carries one NaN, so sign and payload of a NaN never
reach the judge). ``float``: numbers (int or float) within the task's relative/absolute
tolerance (``-0.0`` is within any tolerance of ``0.0``), computed exactly for integers too
large for a float; bools only equal bools; complex numbers part by part; containers element
by element. ``unordered``: a list or tuple result holding the same elements as the expected
one in any order (compared exactly).

Every comparator is total on decoded values: whatever the candidate answered, it returns a
bool and never raises (a failed comparison would otherwise be the judge's failure).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from codehazard.errors import UnknownNameError

Comparator = Callable[[Any, Any], bool]


_MISSING = object()


def _typed(value: Any) -> Any:
    """A hashable key equal only for exactly equal values (``exact``), at every level.

    Python's own set and dict equality treats ``1``, ``1.0`` and ``True`` as one key, and
    ``0.0`` as ``-0.0``; an exact oracle must not, or a set of floats would pass for a set of
    ints. Lists and dicts get keys too, so ``unordered`` can count elements in linear time.
    """
    kind = type(value)
    if kind is tuple or kind is list:
        return (kind, tuple(_typed(v) for v in value))
    if kind is frozenset or kind is set:
        return (kind, frozenset(_typed(v) for v in value))
    if kind is dict:
        return (kind, frozenset((_typed(k), _typed(v)) for k, v in value.items()))
    if kind is float:
        return (kind, _float_key(value))
    if kind is complex:
        return (kind, _float_key(value.real), _float_key(value.imag))
    return (kind, value)


def _float_key(value: float) -> Any:
    """Equal only for identical floats: NaN is NaN, and the sign of zero counts."""
    if math.isnan(value):
        return "nan"
    return (value, math.copysign(1.0, value))


def _identical(a: float, b: float) -> bool:
    return _float_key(a) == _float_key(b)


def _same(a: Any, b: Any, num: Callable[[Any, Any], bool] | None) -> bool:
    ta, tb = type(a), type(b)
    if num is not None and ta in (int, float) and tb in (int, float):
        return num(a, b)
    if ta is not tb:
        return False
    if ta is float:
        return _identical(a, b)
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
    if ta is complex:
        if num is not None:
            return num(a.real, b.real) and num(a.imag, b.imag)
        return _identical(a.real, b.real) and _identical(a.imag, b.imag)
    return bool(a == b)


def exact(expected: Any, actual: Any) -> bool:
    """Equal values of identical builtin types, recursively."""
    return _same(expected, actual, None)


def tolerant(rel_tol: float, abs_tol: float) -> Comparator:
    """A comparator treating numbers as equal within the given tolerances."""

    def num(a: float, b: float) -> bool:
        if type(a) is bool or type(b) is bool:
            return type(a) is type(b) and a == b
        return _close(a, b, rel_tol, abs_tol)

    return lambda expected, actual: _same(expected, actual, num)


def _close(a: float, b: float, rel_tol: float, abs_tol: float) -> bool:
    """``math.isclose`` on ints and floats of any size (``10**400`` against a float, say)."""
    a_nan = type(a) is float and math.isnan(a)
    b_nan = type(b) is float and math.isnan(b)
    if a_nan or b_nan:
        return a_nan and b_nan
    if a == b:  # exact for any int/float mix; also equal infinities
        return True
    if (type(a) is float and math.isinf(a)) or (type(b) is float and math.isinf(b)):
        return False
    try:
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
    except OverflowError:  # an int beyond the float range: compare exactly, as rationals
        fa, fb = Fraction(a), Fraction(b)
        bound = max(Fraction(rel_tol) * max(abs(fa), abs(fb)), Fraction(abs_tol))
        return abs(fa - fb) <= bound


def unordered(expected: Any, actual: Any) -> bool:
    """The same elements in any order (lists or tuples of plain values), compared exactly.

    Elements are counted by their exact key, one step per element (so the judge's timer can
    interrupt a list built to collide), in linear time: a correct answer of many elements must
    not time out in the comparison.
    """
    if type(expected) not in (list, tuple) or type(actual) is not type(expected):
        return exact(expected, actual)
    if len(expected) != len(actual):
        return False
    counts: dict[Any, int] = {}
    for item in expected:
        key = _typed(item)
        counts[key] = counts.get(key, 0) + 1
    for item in actual:
        key = _typed(item)
        left = counts.get(key, 0)
        if left == 0:
            return False
        counts[key] = left - 1
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
