"""A broader synthetic corpus for the tiny model: short Python functions over lists, numbers and
strings, each a docstring-specified signature and its body, with seeded names, constants and
phrasings.

It gives the model general Python (loops, comprehensions, conditions, accumulators) beyond
the two generators it is evaluated on. Every template is ours; none is taken from an
evaluation set.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codehazard.models.tiny._corpus import Pair

Template = Callable[[random.Random], tuple[str, str, str, str]]
"""Returns (function name stem, signature arguments and return type, docstring, body)."""

_LIST_NAMES = ("xs", "numbers", "values", "items", "nums", "data")
_STR_NAMES = ("s", "text", "word", "line", "name")


def _pick(rng: random.Random, options: tuple[str, ...]) -> str:
    return rng.choice(options)


def _sum_if(rng: random.Random) -> tuple[str, str, str, str]:
    xs = _pick(rng, _LIST_NAMES)
    cond, phrase = rng.choice(
        [
            ("x % 2 == 0", "even"),
            ("x % 2 == 1", "odd"),
            ("x > 0", "positive"),
            ("x < 0", "negative"),
        ]
    )
    return (
        f"sum_{phrase}",
        f"({xs}: list[int]) -> int",
        f"Return the sum of the {phrase} numbers in {xs}.",
        f"    return sum(x for x in {xs} if {cond})\n",
    )


def _count_if(rng: random.Random) -> tuple[str, str, str, str]:
    xs = _pick(rng, _LIST_NAMES)
    k = rng.randint(1, 20)
    op, phrase = rng.choice([(">", "greater than"), ("<", "less than"), ("==", "equal to")])
    return (
        "count_" + phrase.split()[0],
        f"({xs}: list[int]) -> int",
        f"Return how many numbers in {xs} are {phrase} {k}.",
        f"    return sum(1 for x in {xs} if x {op} {k})\n",
    )


def _scale(rng: random.Random) -> tuple[str, str, str, str]:
    xs = _pick(rng, _LIST_NAMES)
    k = rng.randint(2, 9)
    op, verb = rng.choice([("*", "multiplied by"), ("+", "plus"), ("-", "minus")])
    return (
        "shift" if op != "*" else "scale",
        f"({xs}: list[int]) -> list[int]",
        f"Return a new list with every number of {xs} {verb} {k}.",
        f"    return [x {op} {k} for x in {xs}]\n",
    )


def _extreme(rng: random.Random) -> tuple[str, str, str, str]:
    xs = _pick(rng, _LIST_NAMES)
    fn, phrase = rng.choice([("max", "largest"), ("min", "smallest")])
    return (
        f"{phrase}_or_none",
        f"({xs}: list[int]) -> int | None",
        f"Return the {phrase} number in {xs}, or None when {xs} is empty.",
        f"    if not {xs}:\n        return None\n    return {fn}({xs})\n",
    )


def _running(rng: random.Random) -> tuple[str, str, str, str]:
    xs = _pick(rng, _LIST_NAMES)
    return (
        "running_total",
        f"({xs}: list[int]) -> list[int]",
        f"Return the running totals of {xs}: element i is the sum of the first i + 1 numbers.",
        f"    out = []\n    total = 0\n    for x in {xs}:\n        total += x\n"
        "        out.append(total)\n    return out\n",
    )


def _dedupe(rng: random.Random) -> tuple[str, str, str, str]:
    xs = _pick(rng, _LIST_NAMES)
    return (
        "unique_in_order",
        f"({xs}: list[int]) -> list[int]",
        f"Return the numbers of {xs} without repeats, keeping the first occurrence of each.",
        f"    seen = set()\n    out = []\n    for x in {xs}:\n        if x not in seen:\n"
        "            seen.add(x)\n            out.append(x)\n    return out\n",
    )


def _str_count(rng: random.Random) -> tuple[str, str, str, str]:
    s = _pick(rng, _STR_NAMES)
    what, test = rng.choice(
        [
            ("vowels", 'c in "aeiouAEIOU"'),
            ("digits", "c.isdigit()"),
            ("uppercase letters", "c.isupper()"),
            ("spaces", 'c == " "'),
        ]
    )
    return (
        "count_" + what.split()[-1],
        f"({s}: str) -> int",
        f"Return the number of {what} in {s}.",
        f"    return sum(1 for c in {s} if {test})\n",
    )


def _str_transform(rng: random.Random) -> tuple[str, str, str, str]:
    s = _pick(rng, _STR_NAMES)
    phrase, code = rng.choice(
        [
            ("reversed", f"{s}[::-1]"),
            ("in upper case", f"{s}.upper()"),
            ("with its words capitalised", f'" ".join(w.capitalize() for w in {s}.split())'),
            ("without leading and trailing spaces", f"{s}.strip()"),
            ("with every digit removed", f'"".join(c for c in {s} if not c.isdigit())'),
        ]
    )
    return (
        "transform",
        f"({s}: str) -> str",
        f"Return {s} {phrase}.",
        f"    return {code}\n",
    )


def _palindrome(rng: random.Random) -> tuple[str, str, str, str]:
    s = _pick(rng, _STR_NAMES)
    return (
        "is_palindrome",
        f"({s}: str) -> bool",
        f"Return True when {s} reads the same forwards and backwards, ignoring case.",
        f"    {s} = {s}.lower()\n    return {s} == {s}[::-1]\n",
    )


def _clamp(rng: random.Random) -> tuple[str, str, str, str]:
    low, high = sorted(rng.sample(range(-20, 40), 2))
    return (
        "clamp",
        "(x: int) -> int",
        f"Return x limited to the range from {low} to {high}.",
        f"    if x < {low}:\n        return {low}\n    if x > {high}:\n        return {high}\n"
        "    return x\n",
    )


def _factorial(rng: random.Random) -> tuple[str, str, str, str]:
    n = _pick(rng, ("n", "k", "m"))
    return (
        "factorial",
        f"({n}: int) -> int",
        f"Return the factorial of {n} (1 for 0).",
        f"    result = 1\n    for i in range(2, {n} + 1):\n        result *= i\n"
        "    return result\n",
    )


def _fizz(rng: random.Random) -> tuple[str, str, str, str]:
    a, b = rng.sample(range(2, 8), 2)
    return (
        "label",
        "(n: int) -> str",
        f"Return 'both' when n is divisible by {a} and {b}, 'first' when only by {a}, "
        f"'second' when only by {b}, and str(n) otherwise.",
        f"    if n % {a} == 0 and n % {b} == 0:\n        return 'both'\n"
        f"    if n % {a} == 0:\n        return 'first'\n"
        f"    if n % {b} == 0:\n        return 'second'\n    return str(n)\n",
    )


def _pairs(rng: random.Random) -> tuple[str, str, str, str]:
    xs = _pick(rng, _LIST_NAMES)
    return (
        "adjacent_sums",
        f"({xs}: list[int]) -> list[int]",
        f"Return the sums of each pair of neighbouring numbers in {xs}.",
        f"    return [a + b for a, b in zip({xs}, {xs}[1:])]\n",
    )


def _word_lengths(rng: random.Random) -> tuple[str, str, str, str]:
    s = _pick(rng, _STR_NAMES)
    return (
        "word_lengths",
        f"({s}: str) -> dict[str, int]",
        f"Return a dictionary from each word of {s} to its length.",
        f"    return {{w: len(w) for w in {s}.split()}}\n",
    )


TEMPLATES: tuple[Template, ...] = (
    _sum_if,
    _count_if,
    _scale,
    _extreme,
    _running,
    _dedupe,
    _str_count,
    _str_transform,
    _palindrome,
    _clamp,
    _factorial,
    _fizz,
    _pairs,
    _word_lengths,
)


def function_pairs(rng: random.Random, count: int) -> Iterator[Pair]:
    """``count`` seeded examples drawn across the templates."""
    from codehazard.models.tiny._corpus import Pair

    suffixes = ("", "_values", "_of", "_list", "_all")
    for _ in range(count):
        stem, signature, doc, body = rng.choice(TEMPLATES)(rng)
        name = stem + rng.choice(suffixes)
        prompt = f'def {name}{signature}:\n    """\n    {doc}\n    """\n'
        yield Pair("functions", prompt, body)
