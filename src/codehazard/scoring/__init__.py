"""Scoring: pure maths on records: pass@k (unbiased estimator), confidence intervals, breakdowns
by task metadata, capability curves, decay fits and the composition gap.

Depends on ``codehazard.errors`` and numpy only (``tests/test_layers.py`` keeps it so):
analyses that read the store or rerun the sandbox are in ``codehazard.analysis``, rendering
in ``codehazard.report``.
"""

from codehazard.scoring._composition import (
    BlockRate,
    Composition,
    LevelGap,
    block_rates,
    composition_gap,
)
from codehazard.scoring._crossed import (
    CROSSED_METHOD,
    CrossedMean,
    PooledLevel,
    crossed_mean,
    crossed_rate,
    crossed_variance,
    human_ratio,
    pooled_levels,
)
from codehazard.scoring._curves import Curve, capability_curve, suite_curves
from codehazard.scoring._decay import DecayFit, FitQuality, fit_decay
from codehazard.scoring._intervals import (
    METHOD_LEGEND,
    TASK_MEAN_METHOD,
    Interval,
    TaskMeanInterval,
    cluster_score_interval,
    clustered_wilson_interval,
    design_effect,
    rate_interval,
    t_quantile,
    task_passk_interval,
    task_rate_interval,
    wilson_interval,
)
from codehazard.scoring._levels import (
    DIMENSION_ALIASES,
    DIMENSION_KEY,
    DIMENSIONS,
    LevelPoint,
    canonical_metadata,
    dimension_of,
    failure_kinds,
    group_of,
    level_of,
    level_points,
    suite_of,
)
from codehazard.scoring._passk import Scorable, Scores, TaskScore, breakdown, pass_at_k, score

__all__ = [
    "CROSSED_METHOD",
    "DIMENSIONS",
    "DIMENSION_ALIASES",
    "DIMENSION_KEY",
    "METHOD_LEGEND",
    "TASK_MEAN_METHOD",
    "BlockRate",
    "Composition",
    "CrossedMean",
    "Curve",
    "DecayFit",
    "FitQuality",
    "Interval",
    "LevelGap",
    "LevelPoint",
    "PooledLevel",
    "Scorable",
    "Scores",
    "TaskMeanInterval",
    "TaskScore",
    "block_rates",
    "breakdown",
    "canonical_metadata",
    "capability_curve",
    "cluster_score_interval",
    "clustered_wilson_interval",
    "composition_gap",
    "crossed_mean",
    "crossed_rate",
    "crossed_variance",
    "design_effect",
    "dimension_of",
    "failure_kinds",
    "fit_decay",
    "group_of",
    "human_ratio",
    "level_of",
    "level_points",
    "pass_at_k",
    "pooled_levels",
    "rate_interval",
    "score",
    "suite_curves",
    "suite_of",
    "t_quantile",
    "task_passk_interval",
    "task_rate_interval",
    "wilson_interval",
]
