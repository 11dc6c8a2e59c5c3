"""The composition gap: how far chains fall below what the model's own single steps promise.

The human yardstick (``DOMAIN.md`` section 2): a developer who can implement each step can
implement any chain of them. A model that composed reliably would fail a chain only when it
fails one of its steps, so from its own single-block pass rates ``q_b`` we compute, per chain:

* ``product``: ``prod q_b`` over the chain's blocks, the success expected if step failures were
  independent;
* ``weakest``: ``min q_b``, the weakest-block bound: no reliable composer does better than its
  weakest step, and one whose failures all fell on the same tasks would reach it.

The **gap** is expected minus observed, averaged over the tasks of a level. Design choices (ours):
single-block rates pool every sample of the tasks that consist of that one block; a chain with a
block that has no single-block rate is left out of its level (and counted); the interval of the
product gap is a bootstrap that redraws each block's rate binomially from its samples and
resamples the chains of the level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from codehazard.scoring._curves import level_of
from codehazard.scoring._intervals import Interval, wilson_interval
from codehazard.scoring._passk import Scorable


@dataclass(frozen=True)
class BlockRate:
    """A block's single-block pass rate, pooled over the samples of its one-block tasks."""

    block: str
    n_tasks: int
    n_samples: int
    passes: int
    rate: float
    interval: Interval

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "n_tasks": self.n_tasks,
            "n_samples": self.n_samples,
            "rate": self.rate,
            "interval": self.interval.as_dict(),
        }


@dataclass(frozen=True)
class LevelGap:
    """Observed and composed-expected success at one level, over the chains with known blocks."""

    level: int
    n_tasks: int
    n_uncovered: int
    observed: float
    product: float
    weakest: float
    gap_product: float
    gap_weakest: float
    gap_interval: Interval

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the level itself is left to the caller)."""
        return {
            "n_tasks": self.n_tasks,
            "n_uncovered": self.n_uncovered,
            "observed": self.observed,
            "product": self.product,
            "weakest": self.weakest,
            "gap_product": self.gap_product,
            "gap_weakest": self.gap_weakest,
            "gap_interval": self.gap_interval.as_dict(),
        }


@dataclass(frozen=True)
class Composition:
    """Single-block rates and the gap per level; ``notes`` says why a part is missing."""

    key: str
    blocks: dict[str, BlockRate]
    levels: list[LevelGap]
    notes: tuple[str, ...] = field(default=())

    def level(self, level: int) -> LevelGap | None:
        """The gap at ``level``, if it was computed."""
        return next((g for g in self.levels if g.level == level), None)


@dataclass
class _TaskTally:
    blocks: tuple[str, ...]
    level: int | None
    n: int = 0
    c: int = 0


def _tally(records: Iterable[Scorable], key: str) -> dict[str, _TaskTally]:
    tasks: dict[str, _TaskTally] = {}
    for rec in records:
        if rec.status is None or rec.status == "infra":
            continue
        blocks = rec.metadata.get("blocks")
        if not isinstance(blocks, list) or not blocks:
            continue
        tally = tasks.get(rec.task_id)
        if tally is None:
            tally = _TaskTally(tuple(str(b) for b in blocks), level_of(rec.metadata, key))
            tasks[rec.task_id] = tally
        tally.n += 1
        tally.c += int(rec.passed)
    return tasks


def block_rates(records: Iterable[Scorable], *, confidence: float = 0.95) -> dict[str, BlockRate]:
    """Each block's pass rate over the samples of the tasks made of that block alone.

    Raises:
        ValueError: a confidence outside (0, 1).
    """
    pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for tally in _tally(records, "components").values():
        if len(tally.blocks) == 1:
            entry = pooled[tally.blocks[0]]
            entry[0] += 1
            entry[1] += tally.n
            entry[2] += tally.c
    return {
        block: BlockRate(block, t, n, c, c / n, wilson_interval(c, n, confidence))
        for block, (t, n, c) in sorted(pooled.items())
    }


def _level_gap(
    level: int,
    chains: list[_TaskTally],
    uncovered: int,
    rates: dict[str, BlockRate],
    rng: np.random.Generator,
    n_boot: int,
    confidence: float,
) -> LevelGap:
    names = sorted(rates)
    column = {b: i for i, b in enumerate(names)}
    counts = np.zeros((len(chains), len(names)), dtype=int)
    for row, tally in enumerate(chains):
        for block in tally.blocks:
            counts[row, column[block]] += 1
    q = np.array([rates[b].rate for b in names])
    observed = np.array([t.c / t.n for t in chains])
    product = np.prod(q[None, :] ** counts, axis=1)
    weakest = np.where(counts > 0, q[None, :], np.inf).min(axis=1)
    # bootstrap: block rates redrawn from their samples, chains resampled within the level
    n_samples = np.array([rates[b].n_samples for b in names])
    q_boot = rng.binomial(n_samples[None, :], q[None, :], size=(n_boot, len(names))) / n_samples
    idx = rng.integers(0, len(chains), size=(n_boot, len(chains)))
    expected_boot = np.prod(q_boot[:, None, :] ** counts[idx], axis=2).mean(axis=1)
    gap_boot = expected_boot - observed[idx].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = (float(v) for v in np.quantile(gap_boot, [alpha, 1 - alpha]))
    return LevelGap(
        level=level,
        n_tasks=len(chains),
        n_uncovered=uncovered,
        observed=float(observed.mean()),
        product=float(product.mean()),
        weakest=float(weakest.mean()),
        gap_product=float(product.mean() - observed.mean()),
        gap_weakest=float(weakest.mean() - observed.mean()),
        gap_interval=Interval(low, high, confidence),
    )


def composition_gap(
    records: Iterable[Scorable],
    key: str = "components",
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> Composition:
    """Composed expectations (product, weakest block) and the gap to observed success per level.

    Uses the task metadata ``blocks`` (the chain's block names) and the integer level ``key``.
    Without one-block tasks there are no single-block rates and no levels: ``notes`` says so.

    Raises:
        ValueError: a confidence outside (0, 1) or ``n_boot < 1``.
    """
    if n_boot < 1:
        raise ValueError(f"n_boot must be >= 1, got {n_boot}")
    records = list(records)
    tallies = _tally(records, key)
    if not tallies:
        return Composition(key, {}, [], ("the tasks name no 'blocks' in their metadata",))
    rates = block_rates(records, confidence=confidence)
    if not rates:
        return Composition(key, {}, [], ("no one-block tasks: no single-block rates",))
    by_level: dict[int, list[_TaskTally]] = defaultdict(list)
    for tally in tallies.values():
        if tally.level is not None:
            by_level[tally.level].append(tally)
    rng = np.random.default_rng(seed)
    levels, notes = [], []
    for level in sorted(by_level):
        covered = [t for t in by_level[level] if all(b in rates for b in t.blocks)]
        uncovered = len(by_level[level]) - len(covered)
        if uncovered:
            notes.append(f"level {level}: {uncovered} task(s) use a block with no one-block rate")
        if covered:
            levels.append(_level_gap(level, covered, uncovered, rates, rng, n_boot, confidence))
    return Composition(key, rates, levels, tuple(notes))
