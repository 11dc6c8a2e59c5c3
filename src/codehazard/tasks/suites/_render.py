"""Rendering shared by the generated suites: HumanEval ``check`` code and docstring length."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from codehazard.errors import ArgumentError

_TOKEN = re.compile(r"\w+|[^\w\s]")


def docstring_tokens(text: str) -> int:
    """Length of ``text`` in word-level tokens: runs of word characters, and each other symbol.

    A tokenizer-free proxy (no model's BPE vocabulary is assumed), so the number is the same
    whatever model is evaluated; it is monotone in what a reader has to take in.
    """
    return len(_TOKEN.findall(text))


def check_code(inputs: Sequence[Sequence[Any]], outputs: Sequence[Any]) -> str:
    """HumanEval-style test code: ``check(candidate)`` asserting each expected output.

    Values are written with ``repr``, which round-trips the strings and integers these suites
    use; any harness that runs HumanEval tests can run the result.

    Raises:
        ValueError: ``inputs`` and ``outputs`` differ in length.
    """
    if len(inputs) != len(outputs):
        raise ArgumentError(f"{len(inputs)} inputs but {len(outputs)} outputs")
    lines = ["def check(candidate):"]
    for args, expected in zip(inputs, outputs, strict=True):
        call = ", ".join(repr(a) for a in args)
        lines.append(f"    assert candidate({call}) == {expected!r}")
    return "\n".join(lines) + "\n"
