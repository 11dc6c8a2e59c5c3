"""Per-level pass rates of one metadata key: the points a capability curve and a decay fit
are built from, with the failure kinds counted per level.

A level is an integer value of the key (``components``, ``level``) or, for keys that name
categories (``dimension``), a text value; the suite a record belongs to is ``suite_of``'s
(the rule the metric names use too).

Kept apart from ``_curves`` (the curve and its fit) and ``_composition`` (the composed
expectation) so that both, and ``_decay``, depend on it and not on each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codehazard.errors import InputError
from codehazard.scoring._intervals import Interval, task_passk_interval, task_rate_interval
from codehazard.scoring._passk import Scorable, score


@dataclass(frozen=True)
class LevelPoint:
    """One complexity level: its tasks, samples, pass@1 with interval, and pass@k.

    ``task_rates`` and ``task_samples`` are each task's pass fraction and sample count (the
    decay fit models task variation from them); ``pass_at_k_intervals`` holds an interval for
    each k of ``pass_at_k`` that every task supports; ``failure_kinds`` counts the level's
    checked samples by the failure kind their verdict names (kinds no verdict names are absent).
    """

    level: int | str
    n_tasks: int
    n_samples: int
    pass_at_1: float
    interval: Interval
    pass_at_k: dict[int, float | None]
    task_rates: tuple[float, ...] = field(repr=False, default=())
    task_samples: tuple[int, ...] = field(repr=False, default=())
    pass_at_k_intervals: dict[int, Interval | None] = field(default_factory=dict)
    failure_kinds: dict[str, int] = field(default_factory=dict)


def pass_at_k_interval(
    counts: Sequence[tuple[int, int]], k: int = 1, *, confidence: float = 0.95
) -> Interval:
    """Interval of a level's pass@k from its tasks' ``(passes, samples)``:
    ``task_passk_interval``'s.

    Raises:
        ValueError: no counts, a task with fewer than k samples, or a confidence outside (0, 1).
    """
    return task_passk_interval(counts, k, confidence=confidence).interval


def level_of(metadata: dict[str, Any], key: str) -> int | None:
    """The integer level of a task under ``key`` (``None`` when absent or not an integer)."""
    value = metadata.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def group_of(metadata: dict[str, Any], key: str) -> int | str | None:
    """The level of a task under ``key`` for a curve: an integer, or a non-empty text value (a
    category such as a ``dimension``, former names read as today's); ``None`` when absent or
    of another type."""
    value = canonical_metadata(metadata).get(key)
    if isinstance(value, str):
        return value or None
    return level_of(metadata, key)


DIMENSION_KEY = "dimension"
"""The task metadata key naming the attribute of a specification a task grades."""

DIMENSIONS: dict[str, str] = {
    "specification-complexity": "chain length",
    "variable-binding": "variable binding",
    "interdependence": "variable interdependence",
    "temporal-safety": "temporal safety",
    "temporal-liveness": "temporal liveness",
    "concurrency": "concurrency",
    "hyperproperties": "hyperproperties",
    "nondeterminism": "nondeterminism",
    "abstraction": "abstraction",
}
"""The framework's dimensions, in the order the capability profile shows them, with the label
it shows: specification complexity (the chain length, variable binding), the expressivity
attributes, and abstraction. A dimension not listed is shown after these, by name."""

DIMENSION_ALIASES: dict[str, str] = {"variable-interdependency": "variable-binding"}
"""Names tasks were recorded under before, and the dimension they mean now. The
``variable-binding`` suite wrote ``variable-interdependency`` up to its generator version 2,
but binding each operation to the right one of k variables is a matter of specification
complexity; variable interdependence (state over several variables kept consistent) is the
expressivity attribute of the ``interdependence`` suite."""


def dimension_of(metadata: Mapping[str, Any]) -> str | None:
    """The dimension a task grades: its ``dimension`` metadata, a former name read as the one
    it means now (``DIMENSION_ALIASES``); ``None`` when it names none."""
    value = metadata.get(DIMENSION_KEY)
    if not isinstance(value, str) or not value:
        return None
    return DIMENSION_ALIASES.get(value, value)


def canonical_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata with a former dimension name replaced by the one it means now (the same
    dict when there is nothing to replace), so selectors and groupings read old runs too."""
    value = metadata.get(DIMENSION_KEY)
    if isinstance(value, str) and value in DIMENSION_ALIASES:
        return {**metadata, DIMENSION_KEY: DIMENSION_ALIASES[value]}
    return metadata


def suite_of(record: Scorable) -> str | None:
    """The suite a record belongs to (lowercased): its task metadata ``suite``, else the task
    id's prefix before ``/`` (``HumanEval/12`` is ``humaneval``); ``None`` when neither says."""
    suite = record.metadata.get("suite")
    if isinstance(suite, str) and suite:
        return suite.lower()
    prefix, sep, _ = record.task_id.partition("/")
    return prefix.lower() if sep and prefix else None


def failure_kinds(records: Iterable[Scorable]) -> dict[str, int]:
    """How many checked samples name each failure kind (``infra`` and waiting ones left out),
    most frequent first."""
    counts: Counter[str] = Counter()
    for rec in records:
        kind = getattr(rec, "failure_kind", None)
        if isinstance(kind, str) and kind and rec.status not in (None, "infra"):
            counts[kind] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def level_points(
    records: Iterable[Scorable],
    key: str = "components",
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
) -> list[LevelPoint]:
    """pass@1 (with interval), pass@k (with interval) and failure kinds per level of ``key``:
    its integer values in order (a scale; text values among them are skipped), or, where no
    task has an integer value, its text values (categories) in order.

    Samples without a verdict, or with an ``infra`` verdict, are left out (as in ``score``).

    Raises:
        InputError: no record has an integer or text ``key`` in its task metadata.
        ValueError: a k below 1 or a confidence outside (0, 1).
    """
    groups: dict[int | str, list[Scorable]] = defaultdict(list)
    for rec in records:
        level = group_of(rec.metadata, key)
        if level is not None:
            groups[level].append(rec)
    if any(isinstance(level, int) for level in groups):  # a scale: stray text values are skipped
        groups = defaultdict(list, {k: v for k, v in groups.items() if isinstance(k, int)})
    if not groups:
        raise InputError(
            f"no task has an integer {key!r} in its metadata (nor a text value); was the run "
            "made on a suite whose tasks carry it (building-blocks: components; every suite: "
            "level)?"
        )
    points = []
    for level in sorted(groups):  # type: ignore[type-var]  # all int or all str
        scores = score(groups[level], ks, confidence=confidence)
        if scores.n_tasks == 0:
            continue
        tasks = list(scores.per_task.values())
        rates = tuple(t.c / t.n for t in tasks)
        p1 = float(np.mean(rates))
        counts = [(t.c, t.n) for t in tasks]
        intervals: dict[int, Interval | None] = {
            k: None if value is None else pass_at_k_interval(counts, k, confidence=confidence)
            for k, value in scores.pass_at_k.items()
        }
        points.append(
            LevelPoint(
                level=level,
                n_tasks=scores.n_tasks,
                n_samples=scores.n_samples,
                pass_at_1=p1,
                interval=task_rate_interval(counts, confidence=confidence).interval,
                pass_at_k=dict(scores.pass_at_k),
                task_rates=rates,
                task_samples=tuple(t.n for t in tasks),
                pass_at_k_intervals=intervals,
                failure_kinds=failure_kinds(groups[level]),
            )
        )
    return points
