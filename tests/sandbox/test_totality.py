"""The judge's handling of candidate-controlled data is total: decoding, rebuilding exceptions
and comparing answers never raise anything but the documented errors, on any input."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.sandbox import CodecError, comparator, decode
from codehazard.sandbox._codec import MAX_DEPTH, REQUEST_DEPTH, encode
from codehazard.sandbox._raised import CandidateRaised, describe, rebuild

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from("tdsfbcx") | st.text(max_size=3), children, max_size=2)
    ),
    max_leaves=25,
)
"""Any JSON value, biased towards the codec's tags."""

numbers = (
    st.integers(min_value=-(2**14000), max_value=2**14000)
    | st.floats()
    | st.complex_numbers()
    | st.booleans()
    | st.sampled_from([10**400, -(10**400), 2**1024, 0.0, -0.0, math.inf, -math.inf, math.nan])
)
plain = st.recursive(
    numbers | st.none() | st.text(max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.frozensets(numbers, max_size=3)
        | st.dictionaries(st.text(max_size=2) | st.integers(), children, max_size=2)
    ),
    max_leaves=12,
)


@settings(max_examples=300)
@given(json_values)
def test_decode_raises_only_codec_errors(wire: Any) -> None:
    try:
        decode(wire)
    except CodecError:
        pass


@settings(max_examples=300)
@given(json_values)
def test_rebuild_always_gives_an_exception(description: Any) -> None:
    for shaped in (description, ["UnicodeDecodeError", "m", description], [description] * 3):
        exc = rebuild(shaped)
        assert isinstance(exc, CandidateRaised) and isinstance(str(exc), str)


def test_rebuild_derives_the_builtin_base_and_keeps_arguments() -> None:
    original = UnicodeDecodeError("utf-8", b"a\xff", 1, 2, "invalid start byte")
    exc = rebuild(json.loads(json.dumps(describe(original))))
    assert isinstance(exc, UnicodeDecodeError) and exc.start == 1 and exc.object == b"a\xff"
    assert str(exc) == str(original)


def test_a_class_named_like_a_builtin_does_not_pass_for_it() -> None:
    class UnicodeDecodeError(Exception):
        pass

    exc = rebuild(json.loads(json.dumps(describe(UnicodeDecodeError("x")))))
    assert type(exc).__name__ == "UnicodeDecodeError"
    assert not isinstance(exc, ValueError)


@settings(max_examples=400)
@given(plain, plain, st.sampled_from(["exact", "float", "unordered"]))
def test_comparators_are_total(expected: Any, actual: Any, oracle: str) -> None:
    assert type(comparator(oracle)(expected, actual)) is bool


@settings(max_examples=200)
@given(plain)
def test_exact_is_reflexive_for_identical_values(value: Any) -> None:
    assert comparator("exact")(value, value)


def test_exact_means_identical_floats() -> None:
    exact = comparator("exact")
    assert not exact(0.0, -0.0) and not exact([0.0], [-0.0])
    assert not exact({0.0}, {-0.0}) and not exact({-0.0: 1}, {0.0: 1})
    assert not exact(complex(0.0, 0.0), complex(0.0, -0.0))
    assert exact(math.nan, math.nan) and exact(complex(math.nan, 1.0), complex(math.nan, 1.0))
    assert not exact(1, 1.0) and not exact(1, True) and not exact((1,), [1])


def test_float_oracle_on_numbers_beyond_floats() -> None:
    close = comparator("float")
    assert not close(1.0, 10**400) and not close(math.inf, 10**400)
    assert close(10**400, 10**400 + 1) and not close(10**400, 2 * 10**400)
    assert close(-0.0, 0.0) and close(1, 1.0) and not close(True, 1)


def test_an_answer_at_the_depth_limit_fits_in_a_request() -> None:
    value: Any = 0
    for _ in range(MAX_DEPTH):
        value = [value]
    assert decode(json.loads(json.dumps(encode(value)))) == value
    encode([[value]], REQUEST_DEPTH)  # sent back, wrapped: no limit of the candidate's met


def test_unordered_is_exact_and_linear() -> None:
    import time

    same = comparator("unordered")
    many = [[i, {"k": float(i)}] for i in range(20_000)]
    start = time.process_time()
    assert same(many, list(reversed(many)))
    assert not same(many, [*many[:-1], [0, {"k": 0.0}]])
    assert time.process_time() - start < 5.0  # quadratic matching took minutes
    assert not same([0.0], [-0.0]) and not same([1], [True]) and not same([{1: 2}], [{1: 2.0}])
    assert same([math.nan, 1], [1, math.nan]) and same([[1, 2], [3]], [[3], [1, 2]])


@settings(max_examples=200)
@given(st.lists(plain, max_size=5), st.randoms())
def test_unordered_agrees_with_exact_on_permutations(items: list[Any], rnd: Any) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert comparator("unordered")(items, shuffled)
