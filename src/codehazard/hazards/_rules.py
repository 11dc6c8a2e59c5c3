"""Evidence rules: from a measured metric to a likelihood level. Pure functions.

The choices are deliberate and documented in ``docs/hazard-analysis.md``:

* bounds are inclusive: a value exactly at a level's bound falls in that level;
* the most frequent level whose bound is met wins, so a value is never under-classified;
* by default the *conservative* end of the confidence interval is compared (the end that makes
  the hazard likelier), so thin evidence cannot make a hazard look rarer than the data allow;
* evidence cannot eliminate a hazard: thresholds may not name the eliminated level.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from codehazard.hazards._log import EvidenceRule, IntervalEnd, LikelierWhen
from codehazard.hazards._matrix import is_eliminated, likelihood_rank
from codehazard.hazards._problems import Loc
from codehazard.hazards._profile import Profile
from codehazard.metrics import Measurement

ComparedEnd = Literal["point", "low", "high"]


class RuleOutcome(BaseModel):
    """What one rule concluded: the level it set (when it fired), the number compared, why."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    fired: bool
    level: str | None = None
    compared_value: float | None = None
    compared: ComparedEnd | None = None
    reason: str


def ordered_thresholds(profile: Profile, rule: EvidenceRule) -> list[tuple[str, float]]:
    """The rule's (level, bound) pairs, most frequent level first (unknown levels dropped)."""
    order = profile.likelihood_ids()
    return sorted(
        ((lvl, b) for lvl, b in rule.thresholds.items() if lvl in order),
        key=lambda pair: order.index(pair[0]),
    )


def default_otherwise(profile: Profile) -> str:
    """The level of a value meeting no bound: the least frequent non-eliminated level."""
    return [lk for lk in profile.likelihood_ids() if not is_eliminated(profile, lk)][-1]


def threshold_problems(profile: Profile, rule: EvidenceRule) -> list[tuple[Loc, str]]:
    """Everything wrong with a rule's levels and bounds, as (field path, message)."""
    known = profile.likelihood_ids()
    out: list[tuple[Loc, str]] = []
    for level, bound in rule.thresholds.items():
        if level not in known:
            out.append((("thresholds", level), f"unknown likelihood {level!r}; use {known}"))
        elif is_eliminated(profile, level):
            out.append((("thresholds", level), "evidence cannot eliminate a hazard"))
        if not math.isfinite(bound):
            out.append((("thresholds", level), "bound must be a finite number"))
    if rule.otherwise is not None:
        if rule.otherwise not in known:
            out.append((("otherwise",), f"unknown likelihood {rule.otherwise!r}; use {known}"))
        elif is_eliminated(profile, rule.otherwise):
            out.append((("otherwise",), "evidence cannot eliminate a hazard"))
    pairs = ordered_thresholds(profile, rule)
    for (l1, b1), (l2, b2) in itertools.pairwise(pairs):
        rising = rule.likelier_when == "higher"
        if (rising and not b1 > b2) or (not rising and not b1 < b2):
            rel = "below" if rising else "above"
            out.append(
                (
                    ("thresholds", l2),
                    f"bound {b2:g} must be strictly {rel} {b1:g}, the bound of the more "
                    f"frequent level {l1} (likelier_when: {rule.likelier_when})",
                )
            )
    if rule.otherwise is not None and rule.otherwise in known and pairs:
        if likelihood_rank(profile, rule.otherwise) >= likelihood_rank(profile, pairs[-1][0]):
            out.append((("otherwise",), "must be less frequent than every threshold level"))
    return out


def compared_end(interval: IntervalEnd, likelier_when: LikelierWhen) -> ComparedEnd:
    """Which number a rule compares: ``conservative`` is the end that makes the hazard likelier."""
    if interval == "conservative":
        return "high" if likelier_when == "higher" else "low"
    return interval


def level_for_value(
    thresholds: Sequence[tuple[str, float]],
    likelier_when: LikelierWhen,
    value: float,
    otherwise: str,
) -> str:
    """The most frequent level whose bound ``value`` meets (inclusive), else ``otherwise``.

    ``thresholds`` must be ordered most frequent level first.
    """
    for level, bound in thresholds:
        if (value >= bound) if likelier_when == "higher" else (value <= bound):
            return level
    return otherwise


def _pick(measurement: Measurement, end: ComparedEnd) -> tuple[float | None, ComparedEnd, str]:
    if end == "point" or measurement.interval is None:
        note = "" if end == "point" else "no interval available; compared the point value"
        return measurement.value, "point", note
    bound = measurement.interval.low if end == "low" else measurement.interval.high
    return bound, end, ""


def evaluate_rule(
    profile: Profile, rule: EvidenceRule, measurement: Measurement | None
) -> RuleOutcome:
    """Apply one rule to its measurement (``None`` when the metric could not be measured).

    Never raises for missing or thin data: the outcome says it did not fire, and why.

    Raises:
        KeyError: the rule names levels the profile lacks (validate the log first).
    """
    if measurement is None or not measurement.available:
        why = measurement.note if measurement is not None and measurement.note else "no data"
        return RuleOutcome(fired=False, reason=f"no evidence: {why}")
    if measurement.n < rule.min_samples:
        return RuleOutcome(
            fired=False,
            reason=f"insufficient evidence: {measurement.n} samples, the rule needs "
            f"{rule.min_samples}",
        )
    value, end, note = _pick(measurement, compared_end(rule.interval, rule.likelier_when))
    if value is None or not math.isfinite(value):
        return RuleOutcome(fired=False, reason="no evidence: the value is not a finite number")
    otherwise = rule.otherwise or default_otherwise(profile)
    pairs = ordered_thresholds(profile, rule)
    level = level_for_value(pairs, rule.likelier_when, value, otherwise)
    bound = dict(pairs).get(level)
    if bound is None:
        why = f"{end} value {value:.4g} meets no bound; level {level} (otherwise)"
    else:
        sign = ">=" if rule.likelier_when == "higher" else "<="
        why = f"{end} value {value:.4g} {sign} {bound:g}, the bound of level {level}"
    return RuleOutcome(
        fired=True,
        level=level,
        compared_value=value,
        compared=end,
        reason=why + (f" ({note})" if note else ""),
    )
