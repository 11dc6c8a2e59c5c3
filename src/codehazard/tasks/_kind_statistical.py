"""The ``statistical`` checker kind: distribution-level properties of a random program.

A program whose output may legitimately differ between runs has no one expected output; what
its specification fixes is a distribution and some contracts. A ``StatisticalChecker`` says how
to draw samples from the candidate (``Sampling``: call the entry point, or build objects and
call a method, ``draws`` times, passing seeds or ``random.Random`` instances where the
specification takes them), which goodness-of-fit tests the samples must pass (``tests``:
chi-square against exact probabilities, Kolmogorov-Smirnov against a uniform distribution,
chi-square of transitions) and which contracts every sample must keep (``contracts``: a
permutation of the input, distinct elements, a length, a range, seeded runs that repeat).

Every test is two-sided with per-tail level ``alpha / (2 * number of tests)`` (Bonferroni), so
a correct program fails a task in at most ``alpha`` of its runs (1e-4 by default); the judge
(``sandbox._check_statistical``) decides everything from the plain data the samples are.

Argument placeholders (in ``Sampling.args`` and ``Sampling.init``), resolved per draw by the
trusted driver in the candidate's process:

- ``{"$seed": null}``: an int seed, ``Sampling.seed + i`` for draw ``i``;
- ``{"$rng": null}``: a fresh ``random.Random(Sampling.seed + i)``;
- ``{"$iter": [...]}``: a one-pass iterator over a copy of the list (a stream).
"""

from __future__ import annotations

import itertools
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from codehazard.errors import InputError
from codehazard.tasks._checkers import CheckerSpec, checker_kind

DEFAULT_ALPHA = 1e-4
"""The false-alarm rate per task run: a correct program passes at least 9,999 runs in 10,000."""

ProjectionOf = Literal["value", "sorted", "item", "count", "sum", "each", "blocks", "pairs"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Projection(_Frozen):
    """What of one sample a test counts (a sample is one call's answer, or for objects the
    list of one object's method answers).

    ``value``: the sample itself; ``sorted``: its elements in order (a set drawn as a list);
    ``item``: element ``index``; ``count``: how many elements equal ``value``; ``sum``: the sum
    of its elements; ``each``: every element; ``blocks``: consecutive slices of ``size``
    (each a category); ``pairs``: consecutive overlapping pairs of those slices (for
    transitions). ``clip`` merges every integer above it into it and ``floor`` every integer
    below it (an infinite support made finite, rare tails merged).
    """

    of: ProjectionOf = "value"
    index: int = 0
    value: Any = None
    size: int = Field(1, ge=1)
    clip: int | None = None
    floor: int | None = None


class ChiSquareTest(_Frozen):
    """Pearson's chi-square of the projected categories against exact probabilities.

    ``expected`` maps each possible category (its canonical JSON text, as
    ``json.dumps(value, sort_keys=True)`` writes it, tuples as lists) to its probability; a
    category not listed is an impossible answer (a ``contract`` failure).
    """

    test: Literal["chi-square"] = "chi-square"
    label: str
    projection: Projection = Projection()
    expected: dict[str, float]

    @model_validator(mode="after")
    def _sums_to_one(self) -> ChiSquareTest:
        total = sum(self.expected.values())
        if len(self.expected) < 2 or abs(total - 1.0) > 1e-9:
            raise InputError(
                f"chi-square test {self.label!r}: expected needs at least two categories whose "
                f"probabilities sum to 1 (they sum to {total})"
            )
        return self


class TransitionTest(_Frozen):
    """Chi-square of transitions: for each previous category, the next one's distribution.

    The projection must give pairs (``pairs``); ``expected`` maps a previous category to the
    probabilities of the next. Degrees of freedom: the sum over previous categories seen of
    (possible next categories - 1), as for a Markov chain with known transitions.
    """

    test: Literal["transitions"] = "transitions"
    label: str
    projection: Projection = Projection(of="pairs")
    expected: dict[str, dict[str, float]]


class UniformKSTest(_Frozen):
    """Kolmogorov-Smirnov of the projected numbers against the uniform distribution on
    ``[low, high]``."""

    test: Literal["ks-uniform"] = "ks-uniform"
    label: str
    projection: Projection = Projection()
    low: float
    high: float


class SerialTest(_Frozen):
    """Independence of successive draws: non-overlapping pairs of successive samples'
    categories, grouped into ``groups`` bins of near-equal probability, against the product of
    the ``expected`` marginal. Catches a report that has the right counts in a made order."""

    test: Literal["serial"] = "serial"
    label: str
    projection: Projection = Projection()
    expected: dict[str, float]
    groups: int = Field(4, ge=2, le=8)


StatTest = Annotated[
    ChiSquareTest | TransitionTest | UniformKSTest | SerialTest, Field(discriminator="test")
]


class Contract(_Frozen):
    """A property every sample must have (a failure is of kind ``contract``).

    ``permutation``: the projected part is a rearrangement of ``of`` (every element once);
    ``distinct``: its elements are distinct members of ``of``; ``length``: it has ``length``
    elements; ``range``: every number in it lies in ``[low, high]``; ``repeatable``: a second
    run with the same seeds (and another seed of the global generator) gives the same samples.
    """

    contract: Literal["permutation", "distinct", "length", "range", "repeatable"]
    projection: Projection = Projection()
    of: list[Any] | None = None
    length: int | None = None
    low: float | None = None
    high: float | None = None


class Sampling(_Frozen):
    """How samples are drawn from the candidate, by the trusted ``sample`` driver.

    ``form``: ``function`` calls the entry point ``draws`` times with ``args``; ``object``
    builds ``draws`` objects (the entry point is a class) with ``init`` and calls ``method``
    ``calls`` times on each with ``args``. ``seed`` is the first per-draw seed; the judge seeds
    the candidate's global ``random`` with ``global_seed`` before the draws, so a program that
    uses the module's functions gets the same verdict on every rerun. ``spot_checks`` draws
    are repeated by direct calls and compared with the driver's report (int seeds only).
    """

    form: Literal["function", "object"] = "function"
    args: list[Any] = Field(default_factory=list)
    init: list[Any] = Field(default_factory=list)
    method: str | None = None
    draws: int = Field(ge=1, le=100_000)
    calls: int = Field(1, ge=1, le=10_000)
    seed: int = 0
    global_seed: int = 0
    spot_checks: int = Field(3, ge=0, le=50)


@checker_kind(
    prepare="codehazard.sandbox._check_statistical:prepare_statistical",
    help="samples drawn from the candidate, judged by goodness-of-fit tests and contracts",
    drivers=("codehazard.sandbox._drivers:sample",),
)
class StatisticalChecker(CheckerSpec):
    """Samples from the candidate, two-sided goodness-of-fit tests and contracts (see the
    module docstring). ``alpha`` is the false-alarm rate of the whole task."""

    kind: Literal["statistical"] = "statistical"
    sampling: Sampling
    tests: list[StatTest] = Field(default_factory=list)
    contracts: list[Contract] = Field(default_factory=list)
    alpha: float = Field(DEFAULT_ALPHA, gt=0, lt=0.5)

    @model_validator(mode="after")
    def _has_a_check(self) -> StatisticalChecker:
        if not self.tests and not self.contracts:
            raise InputError("a statistical checker needs at least one test or contract")
        if self.sampling.form == "object" and not self.sampling.method:
            raise InputError("sampling.method: the object form names the method to call")
        return self

    @property
    def per_tail_alpha(self) -> float:
        """The level of each tail of each test: ``alpha`` split by Bonferroni."""
        return self.alpha / (2 * max(1, len(self.tests)))


# categories: shared by the generators (which write ``expected``) and the judge ----------------


class MalformedSample(Exception):
    """A sample lacks the structure a projection needs (the candidate's answer is malformed).

    Raised by ``project`` and ``category_key``; the judge reports it as a ``contract`` failure.
    """


def _canonical(value: Any) -> Any:
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind in (list, tuple):
        return [_canonical(v) for v in value]
    raise MalformedSample(f"{kind.__name__} is not a possible answer here")


def freeze(value: Any) -> Any:
    """A hashable form of a plain value that keeps its types apart (``True``, ``1`` and
    ``1.0`` stay three values; a tuple and a list of the same elements are one).

    Raises:
        MalformedSample: the value holds something else than None, bool, int, float, str or
            lists and tuples of them.
    """
    kind = type(value)
    if kind is list or kind is tuple:
        return (list, tuple(freeze(v) for v in value))
    if value is None or kind in (bool, int, float, str):
        return (kind, value)
    raise MalformedSample(f"{kind.__name__} is not a possible answer here")


_KEYS: dict[Any, str] = {}


def category_key(value: Any) -> str:
    """The canonical text of a category: ``json.dumps`` of the value, tuples as lists (so
    ``True``, ``1`` and ``1.0`` are three different categories, as they are different answers).

    Raises:
        MalformedSample: the value holds something else than None, bool, int, float, str or
            lists.
    """
    frozen = freeze(value)
    key = _KEYS.get(frozen)
    if key is None:
        key = json.dumps(_canonical(value), sort_keys=True)
        if len(_KEYS) > 100_000:
            _KEYS.clear()
        _KEYS[frozen] = key
    return key


def _same(value: Any, target: Any) -> bool:
    """``category_key(value) == category_key(target)``, fast for scalars."""
    if type(value) in (bool, int, str, float) or value is None:
        return type(value) is type(target) and value == target
    return category_key(value) == category_key(target)


def _as_list(sample: Any, what: str) -> list[Any]:
    if type(sample) not in (list, tuple):
        raise MalformedSample(f"{what} needs a list, got {type(sample).__name__}")
    return list(sample)


def _number(value: Any) -> float | int:
    if type(value) not in (int, float):
        raise MalformedSample(f"expected a number, got {type(value).__name__}")
    return value  # type: ignore[no-any-return]


def _blocks(sample: Any, size: int) -> list[list[Any]]:
    items = _as_list(sample, "a block projection")
    if len(items) % size:
        raise MalformedSample(f"{len(items)} answers do not split into blocks of {size}")
    return [items[i : i + size] if size > 1 else items[i] for i in range(0, len(items), size)]


def project(projection: Projection, sample: Any) -> list[Any]:
    """The values of one sample that a test counts, as ``Projection`` describes.

    Raises:
        MalformedSample: the sample lacks the structure the projection needs.
    """
    of = projection.of
    if of == "value":
        values = [sample]
    elif of == "sorted":
        items = _as_list(sample, "sorted")
        try:
            values = [sorted(items)]
        except TypeError:
            values = [sorted(items, key=category_key)]
    elif of == "item":
        items = _as_list(sample, "item")
        if not -len(items) <= projection.index < len(items):
            raise MalformedSample(f"no element {projection.index} in {len(items)} answers")
        values = [items[projection.index]]
    elif of == "count":
        values = [sum(_same(v, projection.value) for v in _as_list(sample, "count"))]
    elif of == "sum":
        values = [sum(_number(v) for v in _as_list(sample, "sum"))]
    elif of == "each":
        values = _as_list(sample, "each")
    elif of == "blocks":
        values = _blocks(sample, projection.size)
    else:
        blocks = _blocks(sample, projection.size)
        values = [[a, b] for a, b in itertools.pairwise(blocks)]
    if projection.clip is not None:
        clip = projection.clip
        values = [min(v, clip) if type(v) is int else v for v in values]
    if projection.floor is not None:
        floor = projection.floor
        values = [max(v, floor) if type(v) is int else v for v in values]
    return values
