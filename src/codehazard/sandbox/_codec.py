"""The narrow channel's data format: plain builtin values as tagged JSON, checked on decode.

Only exact builtin types cross the boundary between the candidate and the trusted judge:
``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``, ``list``, ``tuple``,
``set``, ``frozenset`` and ``dict``. Subclasses (an ``int`` whose ``__eq__`` always answers
True, say) are refused when encoding, and decoding builds fresh builtin objects from JSON, so a
value the judge compares can never carry code of the candidate's. No pickle, no marshal.

Wire form: JSON arrays are lists, JSON scalars are themselves, and every other type is a
one-key object: ``{"t": [...]}`` tuple, ``{"s": [...]}`` set, ``{"f": [...]}`` frozenset,
``{"d": [[k, v], ...]}`` dict, ``{"b": "hex"}`` bytes, ``{"c": [re, im]}`` complex,
``{"x": "nan" | "inf" | "-inf"}`` non-finite float.

This module is imported inside the sandbox too; it uses nothing but the standard library.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 100
"""How deeply an answer may nest (the candidate's values)."""
REQUEST_DEPTH = MAX_DEPTH + 16
"""How deeply a call's arguments may nest: deeper than any answer, so a test that sends an answer
back (as an argument, or wrapped a few levels) never meets a limit the candidate's value set."""
# JSON readers refuse integers longer than 4300 digits (CPython's int/str conversion limit);
# refusing them here, when encoding, makes an over-long answer the candidate's error.
MAX_INT_BITS = 14_000


class CodecError(ValueError):
    """A value cannot be encoded (not plain data) or a message cannot be decoded."""


class CodecLimitError(CodecError):
    """Plain data over one of the channel's size limits (nesting depth, integer size)."""


def _enc(value: Any, depth: int, limit: int) -> Any:
    if depth > limit:
        raise CodecLimitError(f"value nested deeper than {limit}")
    kind = type(value)
    if kind is int:
        if value.bit_length() > MAX_INT_BITS:
            raise CodecLimitError(f"integer too large to send (over {MAX_INT_BITS} bits)")
        return value
    if value is None or kind is bool or kind is str:
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        return {"x": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if kind is list:
        return [_enc(v, depth + 1, limit) for v in value]
    if kind is tuple:
        return {"t": [_enc(v, depth + 1, limit) for v in value]}
    if kind is dict:
        return {
            "d": [[_enc(k, depth + 1, limit), _enc(v, depth + 1, limit)] for k, v in value.items()]
        }
    if kind is set or kind is frozenset:
        tag = "s" if kind is set else "f"
        return {tag: [_enc(v, depth + 1, limit) for v in value]}
    if kind is bytes:
        return {"b": value.hex()}
    if kind is complex:
        return {"c": [_enc(value.real, depth + 1, limit), _enc(value.imag, depth + 1, limit)]}
    raise CodecError(f"unsupported type {kind.__module__}.{kind.__qualname__}")


def encode(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    """Turn plain data into its JSON-ready wire form.

    Raises:
        CodecLimitError: the value nests deeper than ``max_depth`` or holds a too large integer.
        CodecError: the value holds a non-builtin type.
    """
    return _enc(value, 0, max_depth)


_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _dec_items(items: Any, depth: int, limit: int) -> list[Any]:
    if type(items) is not list:
        raise CodecError("malformed container")
    return [_dec(v, depth + 1, limit) for v in items]


def _dec(wire: Any, depth: int, limit: int) -> Any:
    if depth > limit:
        raise CodecLimitError(f"value nested deeper than {limit}")
    kind = type(wire)
    if kind is int:
        if wire.bit_length() > MAX_INT_BITS:
            raise CodecLimitError(f"integer larger than {MAX_INT_BITS} bits")
        return wire
    if wire is None or kind in (bool, str, float):
        return wire
    if kind is list:
        return [_dec(v, depth + 1, limit) for v in wire]
    if kind is not dict or len(wire) != 1:
        raise CodecError("malformed value")
    ((tag, body),) = wire.items()
    if tag == "t":
        return tuple(_dec_items(body, depth, limit))
    if tag == "d":
        out = {}
        for pair in _dec_items(body, depth, limit):
            if type(pair) is not list or len(pair) != 2:
                raise CodecError("malformed dict item")
            out[pair[0]] = pair[1]
        return out
    if tag in ("s", "f"):
        members = set()
        for item in _dec_items(body, depth, limit):  # one add per step: a timer can interrupt
            members.add(item)  # (a set of colliding hashes is quadratic to build)
        return members if tag == "s" else frozenset(members)
    if tag == "b" and type(body) is str:
        return bytes.fromhex(body)
    if tag == "c" and type(body) is list and len(body) == 2:
        re_, im = (_dec(v, depth + 1, limit) for v in body)
        if type(re_) is not float or type(im) is not float:
            raise CodecError("malformed complex")
        return complex(re_, im)
    if tag == "x" and body in _NONFINITE:
        return _NONFINITE[body]
    raise CodecError(f"unknown tag {tag!r}")


def decode(wire: Any, max_depth: int = MAX_DEPTH) -> Any:
    """Rebuild plain data from its wire form, building only fresh builtin objects.

    Total on any JSON value: every malformed form (unhashable set members or dict keys, bad
    hexadecimal, an integer over the limit) is a ``CodecError``.

    Raises:
        CodecLimitError: the value nests deeper than ``max_depth`` or holds a too large integer.
        CodecError: the wire form is malformed.
    """
    try:
        return _dec(wire, 0, max_depth)
    except (TypeError, ValueError) as exc:  # unhashable key or member, bad hexadecimal
        if isinstance(exc, CodecError):
            raise
        raise CodecError(f"malformed value: {str(exc)[:80]}") from None


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
"""One encoder for every message: ``json.dumps`` with options builds a new one per call."""


def dumps(message: dict[str, Any]) -> bytes:
    """One protocol message as a newline-terminated JSON line."""
    return _ENCODER.encode(message).encode() + b"\n"


def loads(line: bytes) -> dict[str, Any]:
    """Parse one protocol message line.

    Raises:
        CodecError: not a JSON object, or malformed.
    """
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise CodecError(f"malformed message: {str(exc)[:80]}") from None
    if type(obj) is not dict:
        raise CodecError("malformed message: not an object")
    return obj
