"""Capability curves: pass rate against specification complexity, and a fitted decay model.

The Codex paper's complexity finding is a decay: each added building block divided Codex-12B's
pass rate by roughly two to three. We measure it as a log-linear model,
``pass(L) = a * r ** (L - L0)`` (``codehazard.scoring._decay``). Design choices (ours):

* **Tasks are the unit.** A level's rate is the mean over its tasks of each task's fraction of
  passing samples; pass@k per level is the mean of each task's unbiased pass@k. Both get the
  one interval every mean over tasks gets, the cluster-score interval
  (``codehazard.scoring._intervals.task_rate_interval`` and ``task_passk_interval``): as
  tight as the binomial when tasks do not vary, as wide as the spread between tasks demands
  when they do, never degenerate at 0 or 1. ``docs/metrics.md`` has the method and its
  measured coverage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from codehazard.errors import ArgumentError
from codehazard.scoring._composition import Composition, composition_gap
from codehazard.scoring._decay import DecayFit, fit_decay
from codehazard.scoring._levels import LevelPoint, group_of, level_points, suite_of
from codehazard.scoring._passk import Scorable


@dataclass(frozen=True)
class Curve:
    """Pass rate per level of one metadata key, the decay fit and, when known, composition;
    ``suite`` is the suite the curve is of (``None``: every record given)."""

    key: str
    confidence: float
    levels: list[LevelPoint]
    fit: DecayFit
    composition: Composition | None = None
    suite: str | None = None

    @property
    def categorical(self) -> bool:
        """Whether the levels are categories (text values), which have no order to fit."""
        return any(isinstance(p.level, str) for p in self.levels)


def capability_curve(
    records: Iterable[Scorable],
    key: str = "components",
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    composition: bool = True,
    suite: str | None = None,
) -> Curve:
    """pass@1 and pass@k per level of ``key``, the fitted decay and (if the tasks name their
    ``blocks``) the composition gap: everything ``codehazard curves`` shows.

    ``suite`` keeps the records of that suite only (``suite_of``; ``None``: all of them) and
    names the curve. Levels that are categories
    (a text ``key`` such as ``dimension``) get no decay fit and no composition: they have no
    order.

    Raises:
        InputError: no record has an integer or text ``key`` in its task metadata.
        ValueError: a k below 1, a confidence outside (0, 1), or ``n_boot < 1``.
    """
    if n_boot < 1:
        raise ArgumentError(f"n_boot must be >= 1, got {n_boot}")
    records = [r for r in records if suite is None or suite_of(r) == suite.lower()]
    levels = level_points(records, key, ks, confidence=confidence)
    if any(isinstance(p.level, str) for p in levels):
        notes = (f"the levels of {key!r} are categories, not a scale: no decay to fit",)
        return Curve(key, confidence, levels, DecayFit("insufficient", notes=notes), None, suite)
    fit = fit_decay(levels, confidence=confidence, n_boot=n_boot, seed=seed)
    comp = None
    if composition:
        comp = composition_gap(records, key, confidence=confidence, n_boot=n_boot, seed=seed)
    return Curve(key, confidence, levels, fit, comp, suite)


def suite_curves(
    records: Iterable[Scorable],
    key: str = "components",
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    composition: bool = True,
) -> list[Curve]:
    """One ``capability_curve`` per suite among the records whose tasks carry ``key``, by suite
    name (records of no suite, ``None``, last): levels of different suites are different
    tasks, so they are never pooled into one curve or fit.

    Raises:
        InputError: no record has an integer or text ``key`` in its task metadata.
        ValueError: a k below 1, a confidence outside (0, 1), or ``n_boot < 1``.
    """
    records = list(records)
    by_suite: dict[str | None, list[Scorable]] = {}
    for rec in records:
        by_suite.setdefault(suite_of(rec), []).append(rec)
    suites = {
        s
        for s, recs in by_suite.items()
        if any(group_of(r.metadata, key) is not None for r in recs)
    }
    if len(suites) <= 1:  # one suite (or none): every record, as capability_curve takes them
        chosen = {next(iter(suites), None): records}
    else:
        chosen = {s: by_suite[s] for s in sorted(suites, key=lambda s: (s is None, s or ""))}
    return [
        replace(
            capability_curve(
                recs,
                key,
                ks,
                confidence=confidence,
                n_boot=n_boot,
                seed=seed,
                composition=composition,
            ),
            suite=suite,
        )
        for suite, recs in chosen.items()
    ]
