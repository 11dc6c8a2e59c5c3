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
    # Python's own set and dict equality merge 1, 1.0 and True; the exact oracle must not.
    assert exact({1, 2}, {2, 1}) and exact({(1, 2): [3]}, {(1, 2): [3]})
    assert not exact({0, 1}, {False, 1.0})
    assert not exact({1: "a"}, {1.0: "a"})
    assert not exact(frozenset({(1, 2)}), frozenset({(1.0, 2)}))
    assert not exact({1: "a"}, {1: "b"})


def test_integers_beyond_what_json_readers_accept_are_refused() -> None:
    assert decode(json.loads(json.dumps(encode(10**4000)))) == 10**4000
    with pytest.raises(CodecError, match="too large"):
        encode([10**5000])


def test_stop_iteration_from_the_candidate_cannot_end_a_test_loop() -> None:
    from codehazard.sandbox._judge import _raised_class

    assert not issubclass(_raised_class("StopIteration"), StopIteration)
    assert issubclass(_raised_class("ValueError"), ValueError)


def test_candidate_text_is_made_storable_and_inert() -> None:
    from codehazard.sandbox._judge import clean_text

    cleaned = clean_text("lone \ud800 \x1b[2J\x00 end\nnext")
    cleaned.encode("utf-8")
    assert "\x1b" not in cleaned and "\x00" not in cleaned and "\nnext" in cleaned


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
