"""Scoring: pass@k (unbiased estimator), confidence intervals, breakdowns by task metadata."""

from codehazard.scoring._composition import (
    BlockRate,
    Composition,
    LevelGap,
    block_rates,
    composition_gap,
)
from codehazard.scoring._curve_output import curve_to_dict, plot_curve
from codehazard.scoring._curves import (
    Curve,
    DecayFit,
    FitQuality,
    LevelPoint,
    capability_curve,
    fit_decay,
    level_points,
)
from codehazard.scoring._intervals import (
    Interval,
    bootstrap_mean_interval,
    clustered_wilson_interval,
    design_effect,
    rate_interval,
    task_mean_interval,
    wilson_interval,
)
from codehazard.scoring._localise import (
    Certainty,
    Localisation,
    LocalisationKind,
    LocalisedRun,
    LocalisedSample,
    localise,
    localise_chain,
    localise_run,
)
from codehazard.scoring._localise_summary import LocalisationSummary, summarise_localisations
from codehazard.scoring._passk import Scorable, Scores, TaskScore, breakdown, pass_at_k, score

__all__ = [
    "BlockRate",
    "Certainty",
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
    "LocalisedRun",
    "LocalisedSample",
    "Scorable",
    "Scores",
    "TaskScore",
    "block_rates",
    "bootstrap_mean_interval",
    "breakdown",
    "capability_curve",
    "clustered_wilson_interval",
    "composition_gap",
    "curve_to_dict",
    "design_effect",
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
    "task_mean_interval",
    "wilson_interval",
]
