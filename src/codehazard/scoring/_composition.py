"""The composition gap: how far chains fall below what the model's own single steps promise.

The human yardstick (``DOMAIN.md`` section 2): a developer who can implement each step can
implement any chain of them. A model that composed reliably would fail a chain only when it
fails one of its steps, so from its own single-block pass rates ``q_b`` we compute, per chain:

* ``product``: ``prod q_b`` over the chain's blocks, the success expected if step failures were
  independent;
* ``weakest``: ``min q_b``, the weakest-block bound: no reliable composer does better than its
  weakest step, and one whose failures all fell on the same tasks would reach it.

The **gap** is expected minus observed, averaged over the tasks of a level. Design choices (ours):
single-block rates pool every sample of the tasks that consist of that one block (their interval
is the cluster-score interval of a rate over tasks' samples, as for every rate); a chain with a
block that has no single-block rate is left out of its level (and counted); the interval of the
product gap is a bootstrap that redraws each block's rate binomially from its samples and
resamples the chains of the level.

**A step every task shares** (``final_step`` in the task metadata: variable-binding's combining
``return``) is in every single-block task too, so ``q_b`` is the rate of the block *and* the
final step. Multiplying ``q_b`` over a chain of ``m`` blocks would count the final step ``m``
times. Its own rate ``r`` comes from the tasks made of the final step alone (no ``blocks``;
variable-binding's ``m = 0``); each block's own rate is ``q_b / r`` (at most 1), and a chain
expects ``r * prod(q_b / r)``. Without such tasks ``r`` is unknown: the plain product is
reported, with a note that it counts the final step once per block.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from codehazard.errors import ArgumentError
from codehazard.scoring._intervals import Interval, task_rate_interval
from codehazard.scoring._levels import level_of
from codehazard.scoring._passk import Scorable


@dataclass(frozen=True)
class BlockRate:
    """A block's single-block pass rate, pooled over the samples of its one-block tasks.

    ``step_rate`` is the block's own rate: ``rate`` with the shared final step divided out
    (``rate`` itself where the tasks have no final step, or its rate is unknown). For the
    final step (``final`` true), both are the rate of the tasks made of it alone.
    """

    block: str
    n_tasks: int
    n_samples: int
    passes: int
    rate: float
    interval: Interval
    step_rate: float | None = None
    final: bool = False

    @property
    def own(self) -> float:
        """The block's own rate (``step_rate``, else ``rate``)."""
        return self.rate if self.step_rate is None else self.step_rate

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "n_tasks": self.n_tasks,
            "n_samples": self.n_samples,
            "rate": self.rate,
            "interval": self.interval.as_dict(),
            "step_rate": self.own,
            "final_step": self.final,
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
    final: str | None
    n: int = 0
    c: int = 0


def _tally(records: Iterable[Scorable], key: str) -> dict[str, _TaskTally]:
    tasks: dict[str, _TaskTally] = {}
    for rec in records:
        if rec.status is None or rec.status == "infra":
            continue
        blocks = rec.metadata.get("blocks")
        final = rec.metadata.get("final_step")
        final = str(final) if final else None
        if not isinstance(blocks, list) or not (blocks or final):
            continue
        tally = tasks.get(rec.task_id)
        if tally is None:
            blocks_t = tuple(str(b) for b in blocks)
            tally = _TaskTally(blocks_t, level_of(rec.metadata, key), final)
            tasks[rec.task_id] = tally
        tally.n += 1
        tally.c += int(rec.passed)
    return tasks


Pooled = dict[str, list[tuple[int, int]]]


def _pool(tallies: Iterable[_TaskTally]) -> tuple[Pooled, Pooled]:
    """Each task's (passes, samples) per single block, and per final step alone."""
    blocks: Pooled = defaultdict(list)
    finals: Pooled = defaultdict(list)
    for tally in tallies:
        if len(tally.blocks) == 1:
            blocks[tally.blocks[0]].append((tally.c, tally.n))
        elif not tally.blocks and tally.final:
            finals[tally.final].append((tally.c, tally.n))
    return blocks, finals


def _block_rate(name: str, counts: list[tuple[int, int]], confidence: float) -> BlockRate:
    """A block's pooled rate with the interval of a rate over tasks' samples."""
    n, c = sum(m for _, m in counts), sum(p for p, _ in counts)
    interval = task_rate_interval(counts, confidence=confidence, weight="samples").interval
    return BlockRate(name, len(counts), n, c, c / n, interval)


def block_rates(records: Iterable[Scorable], *, confidence: float = 0.95) -> dict[str, BlockRate]:
    """Each block's pass rate over the samples of the tasks made of that block alone, with its
    own rate once a shared final step's rate (from tasks made of it alone) is divided out; the
    final step's own entry is keyed by its name.

    Raises:
        ValueError: a confidence outside (0, 1).
    """
    tallies = list(_tally(records, "components").values())
    pooled, finals = _pool(tallies)
    final_names = {t.final for t in tallies if t.final}
    final_rate = None
    if len(final_names) == 1 and (name := next(iter(final_names))) in finals:
        final_rate = _block_rate(name, finals[name], confidence).rate
    out = {}
    for block, counts in sorted(pooled.items()):
        rate = _block_rate(block, counts, confidence)
        if final_rate is not None:
            own = min(1.0, rate.rate / final_rate) if final_rate > 0 else 1.0
            rate = replace(rate, step_rate=own)
        out[block] = rate
    for name, counts in sorted(finals.items()):
        rate = _block_rate(name, counts, confidence)
        out[name] = replace(rate, step_rate=rate.rate, final=True)
    return out


def _own_rates(raw: np.ndarray, is_final: np.ndarray, divide: bool) -> np.ndarray:
    """Own rates from raw rates (``(..., columns)``): blocks divided by the final step's rate."""
    if not divide:
        return raw
    final = raw[..., is_final].max(axis=-1, keepdims=True)  # one final step at most
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(final > 0, np.minimum(1.0, raw / np.where(final > 0, final, 1.0)), 1.0)
    return np.where(is_final, raw, own)


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
    is_final = np.array([rates[b].final for b in names])
    divide = bool(is_final.any())
    counts = np.zeros((len(chains), len(names)), dtype=int)
    for row, tally in enumerate(chains):
        for block in tally.blocks:
            counts[row, column[block]] += 1
        if divide and tally.final:
            counts[row, column[tally.final]] += 1
    raw = np.array([rates[b].rate for b in names])
    q = _own_rates(raw, is_final, divide)
    observed = np.array([t.c / t.n for t in chains])
    product = np.prod(q[None, :] ** counts, axis=1)
    weakest = np.where(counts > 0, q[None, :], np.inf).min(axis=1)
    # bootstrap: block rates redrawn from their samples, chains resampled within the level
    n_samples = np.array([rates[b].n_samples for b in names])
    raw_boot = rng.binomial(n_samples[None, :], raw[None, :], size=(n_boot, len(names)))
    q_boot = _own_rates(raw_boot / n_samples, is_final, divide)
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

    Uses the task metadata ``blocks`` (the chain's block names), ``final_step`` (a step every
    task ends with, if any) and the integer level ``key``. Without one-block tasks there are no
    single-block rates and no levels: ``notes`` says so.

    Raises:
        ValueError: a confidence outside (0, 1) or ``n_boot < 1``.
    """
    if n_boot < 1:
        raise ArgumentError(f"n_boot must be >= 1, got {n_boot}")
    records = list(records)
    tallies = _tally(records, key)
    if not tallies:
        return Composition(key, {}, [], ("the tasks name no 'blocks' in their metadata",))
    rates = block_rates(records, confidence=confidence)
    if not any(not r.final for r in rates.values()):
        return Composition(key, rates, [], ("no one-block tasks: no single-block rates",))
    notes = []
    finals = {t.final for t in tallies.values() if t.final}
    if len(finals) > 1:
        notes.append(
            f"tasks end with different final steps ({', '.join(sorted(finals))}): their rates "
            "are not divided out, so the product counts them once per block"
        )
        rates = {b: r for b, r in rates.items() if not r.final}
    elif finals and not any(r.final for r in rates.values()):
        notes.append(
            f"no task is the final step {'/'.join(sorted(finals))} alone: its rate is unknown, "
            "so the product counts it once per block and understates a reliable composer"
        )
    by_level: dict[int, list[_TaskTally]] = defaultdict(list)
    for tally in tallies.values():
        if tally.level is not None:
            by_level[tally.level].append(tally)
    rng = np.random.default_rng(seed)
    levels = []
    for level in sorted(by_level):
        covered = [t for t in by_level[level] if _covered(t, rates)]
        uncovered = len(by_level[level]) - len(covered)
        if uncovered:
            notes.append(f"level {level}: {uncovered} task(s) use a block with no one-block rate")
        if covered:
            levels.append(_level_gap(level, covered, uncovered, rates, rng, n_boot, confidence))
    return Composition(key, rates, levels, tuple(notes))


def _covered(tally: _TaskTally, rates: dict[str, BlockRate]) -> bool:
    """Every block has a rate, and a chain of no blocks has its final step's."""
    if not tally.blocks:
        return tally.final in rates
    return all(b in rates and not rates[b].final for b in tally.blocks)
