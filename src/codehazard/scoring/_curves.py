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
from dataclasses import dataclass

from codehazard.errors import ArgumentError
from codehazard.scoring._composition import Composition, composition_gap
from codehazard.scoring._decay import DecayFit, fit_decay
from codehazard.scoring._levels import LevelPoint, level_points
from codehazard.scoring._passk import Scorable


@dataclass(frozen=True)
class Curve:
    """Pass rate per level of one metadata key, the decay fit and, when known, composition."""

    key: str
    confidence: float
    levels: list[LevelPoint]
    fit: DecayFit
    composition: Composition | None = None


def capability_curve(
    records: Iterable[Scorable],
    key: str = "components",
    ks: Sequence[int] = (1,),
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    composition: bool = True,
) -> Curve:
    """pass@1 and pass@k per level of ``key``, the fitted decay and (if the tasks name their
    ``blocks``) the composition gap: everything ``codehazard curves`` shows.

    Raises:
        InputError: no record has an integer ``key`` in its task metadata.
        ValueError: a k below 1, a confidence outside (0, 1), or ``n_boot < 1``.
    """
    if n_boot < 1:
        raise ArgumentError(f"n_boot must be >= 1, got {n_boot}")
    records = list(records)
    levels = level_points(records, key, ks, confidence=confidence)
    fit = fit_decay(levels, confidence=confidence, n_boot=n_boot, seed=seed)
    comp = None
    if composition:
        comp = composition_gap(records, key, confidence=confidence, n_boot=n_boot, seed=seed)
    return Curve(key, confidence, levels, fit, comp)
