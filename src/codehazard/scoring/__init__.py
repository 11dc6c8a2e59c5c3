"""Scoring: pass@k (unbiased estimator), confidence intervals, breakdowns by task metadata."""

from codehazard.scoring._intervals import Interval, bootstrap_mean_interval, wilson_interval
from codehazard.scoring._passk import Scorable, Scores, TaskScore, breakdown, pass_at_k, score

__all__ = [
    "Interval",
    "Scorable",
    "Scores",
    "TaskScore",
    "bootstrap_mean_interval",
    "breakdown",
    "pass_at_k",
    "score",
    "wilson_interval",
]
