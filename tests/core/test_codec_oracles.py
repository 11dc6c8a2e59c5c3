"""The plain-data channel format and the trusted oracles."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codehazard.sandbox import CodecError, comparator, decode, encode

plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=3) | st.integers(), children, max_size=3)
    ),
    max_leaves=20,
)


@given(plain)
def test_round_trip_preserves_value_and_types(value: object) -> None:
    back = decode(json.loads(json.dumps(encode(value))))
    assert comparator("exact")(value, back)


def test_subclasses_with_forged_equality_are_refused() -> None:
    class Liar(int):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = int.__hash__

    for value in (Liar(3), [Liar(1)], {"k": Liar(2)}, (1, Liar(0))):
        with pytest.raises(CodecError):
            encode(value)


@pytest.mark.parametrize(
    "wire",
    [{"t": 1}, {"zz": []}, {"d": [[1]]}, {"a": 1, "b": 2}, {"s": [[1]]}, {"c": [1, 2]}],
)
def test_malformed_wire_is_rejected(wire: object) -> None:
    with pytest.raises(CodecError):
        decode(wire)


def test_depth_limit() -> None:
    deep: list[object] = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(CodecError):
        encode(deep)


def test_exact_oracle_is_type_strict() -> None:
    exact = comparator("exact")
    assert exact([1, (2, 3)], [1, (2, 3)])
    assert not exact(1, 1.0)
    assert not exact(1, True)
    assert not exact([1, 2], (1, 2))
    assert exact(math.nan, math.nan)


def test_float_and_unordered_oracles() -> None:
    close = comparator("float", rel_tol=1e-6, abs_tol=1e-9)
    assert close([1.0, 2], [1.0000001, 2.0])
    assert not close(1.0, 1.1)
    assert not close(True, 1)
    unordered = comparator("unordered")
    assert unordered([1, 2, 2], [2, 1, 2])
    assert not unordered([1, 2, 2], [2, 1, 1])
    with pytest.raises(ValueError, match="unknown oracle"):
        comparator("fuzzy")
