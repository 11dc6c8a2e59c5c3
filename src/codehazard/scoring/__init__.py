"""Scoring: pass@k (unbiased estimator), confidence intervals, breakdowns by task metadata."""

from codehazard.scoring._composition import (
    BlockRate,
    Composition,
    LevelGap,
    block_rates,
    composition_gap,
)
from codehazard.scoring._curves import (
    Curve,
    DecayFit,
    FitQuality,
    LevelPoint,
    capability_curve,
    curve_to_dict,
    fit_decay,
    level_points,
    plot_curve,
    rate_interval,
)
from codehazard.scoring._intervals import Interval, bootstrap_mean_interval, wilson_interval
from codehazard.scoring._localise import (
    Localisation,
    LocalisationKind,
    LocalisationSummary,
    LocalisedSample,
    localise,
    localise_chain,
    localise_run,
    summarise_localisations,
)
from codehazard.scoring._passk import Scorable, Scores, TaskScore, breakdown, pass_at_k, score

__all__ = [
    "BlockRate",
    "Composition",
    "Curve",
    "DecayFit",
    "FitQuality",
    "Interval",
    "LevelGap",
    "LevelPoint",
    "Localisation",
    "LocalisationKind",
    "LocalisationSummary",
    "LocalisedSample",
    "Scorable",
    "Scores",
    "TaskScore",
    "block_rates",
    "bootstrap_mean_interval",
    "breakdown",
    "capability_curve",
    "composition_gap",
    "curve_to_dict",
    "fit_decay",
    "level_points",
    "localise",
    "localise_chain",
    "localise_run",
    "pass_at_k",
    "plot_curve",
    "rate_interval",
    "score",
    "summarise_localisations",
    "wilson_interval",
]
