"""What the ``nondeterminism`` templates share: a generated task's parts and exact distributions.

A template turns a seeded generator into a ``Draft``: the prompt (a signature or class header
and its docstring), the reference body, the wrong bodies (mutants, written as the mistakes a
model makes) and the ``StatisticalChecker`` with the exact expected probabilities, computed
here in fractions from the specification, never by sampling the reference.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from codehazard.tasks._kind_statistical import (
    ChiSquareTest,
    Contract,
    Projection,
    Sampling,
    SerialTest,
    StatisticalChecker,
    category_key,
    project,
)

MIN_EXPECTED = 120
"""The fewest expected observations of the rarest category: the chi-square approximation holds
far into the tail, where the Bonferroni levels lie."""
MIN_DRAWS, MAX_DRAWS = 2000, 30_000


@dataclass(frozen=True)
class Mutant:
    """One wrong body: the mistake's kind (``off-by-one``, ``seed-ignored``, ...), what it
    does, and its code (indented as the reference body is)."""

    kind: str
    detail: str
    body: str


@dataclass
class Draft:
    """One generated task before rendering."""

    template: str
    entry_point: str
    header: str
    """``def name(args) -> T:`` or ``class Name:``."""
    doc: str
    body: str
    checker: StatisticalChecker
    mutants: list[Mutant]
    params: dict[str, Any] = field(default_factory=dict)
    is_class: bool = False


Template = Callable[[random.Random, int], Draft]
"""``template(rng, index) -> Draft``: ``index`` picks the name so a level's tasks differ."""


def distribution(
    outcomes: Iterable[tuple[Any, Fraction | float]], projection: Projection | None = None
) -> dict[str, float]:
    """Exact category probabilities of the projected outcomes (outcome, probability)."""
    projection = projection or Projection()
    mass: dict[str, Fraction | float] = {}
    for outcome, p in outcomes:
        for value in project(projection, outcome):
            key = category_key(value)
            mass[key] = mass.get(key, 0) + p
    total = sum(mass.values())
    return {k: float(v / total) for k, v in sorted(mass.items()) if v > 0}


def uniform(values: Iterable[Any]) -> list[tuple[Any, Fraction]]:
    """Every value with the same probability."""
    items = list(values)
    return [(v, Fraction(1, len(items))) for v in items]


def binomial(n: int, p: Fraction) -> list[tuple[int, Fraction]]:
    """The law of the number of successes in ``n`` independent trials of probability ``p``."""
    return [(k, math.comb(n, k) * p**k * (1 - p) ** (n - k)) for k in range(n + 1)]


TAIL = Fraction(1, 50)
"""Rare integer outcomes are merged into tail bins holding at least this probability."""


def tails(pmf: Iterable[tuple[int, Fraction]], low: bool = True) -> Projection:
    """A projection merging the rare ends of an integer law into bins of mass >= ``TAIL``."""
    law = sorted(pmf)
    floor = clip = None
    if low:
        mass = Fraction(0)
        for value, p in law:
            mass += p
            if mass >= TAIL:
                floor = value
                break
    mass = Fraction(0)
    for value, p in reversed(law):
        mass += p
        if mass >= TAIL:
            clip = value
            break
    return Projection(floor=floor, clip=clip)


def draws_for(expected: dict[str, float], per: int = 1) -> int:
    """Samples enough for ``MIN_EXPECTED`` of the rarest category (``per`` values a sample)."""
    need = math.ceil(MIN_EXPECTED / min(expected.values()) / per)
    return max(MIN_DRAWS, min(MAX_DRAWS, need))


def seeds(rng: random.Random) -> dict[str, int]:
    """The per-draw and global seeds of a task, from its generator."""
    return {"seed": rng.randrange(1, 2**31), "global_seed": rng.randrange(1, 2**31)}


def pick_name(names: tuple[str, ...], index: int) -> str:
    """One of ``names``: successive tasks of a template take successive names (``index``
    counts the template's tasks, offset by the suite seed), so they never share one."""
    return names[index % len(names)]


def checker(
    sampling: Sampling,
    tests: list[Any],
    contracts: Iterable[Contract] = (),
    serial: bool = False,
) -> StatisticalChecker:
    """The task's checker; ``serial`` adds the successive-draws test on the first test's
    categories (one category per sample only)."""
    tests = list(tests)
    if serial and isinstance(tests[0], ChiSquareTest):
        first = tests[0]
        tests.append(
            SerialTest(label=first.label, projection=first.projection, expected=first.expected)
        )
    return StatisticalChecker(sampling=sampling, tests=tests, contracts=list(contracts))


REPEATABLE = Contract(contract="repeatable")
