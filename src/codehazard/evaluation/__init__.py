"""Evaluation: judging samples in the sandbox pool, recording verdicts, summarising runs."""

from codehazard.evaluation._evaluate import (
    EvaluationResult,
    evaluate_file,
    results_path_for,
    write_results,
)
from codehazard.evaluation._pool import Evaluator
from codehazard.evaluation._provenance import code_version, host_profile
from codehazard.evaluation._summary import summarize
from codehazard.sandbox import Limits

__all__ = [
    "EvaluationResult",
    "Evaluator",
    "Limits",
    "code_version",
    "evaluate_file",
    "host_profile",
    "results_path_for",
    "summarize",
    "write_results",
]
