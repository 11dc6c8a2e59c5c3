"""Evaluation: what every run records and summarises (provenance, the summary), and the local
pool under its historical name ``Evaluator``. Runs themselves are ``codehazard.runs``."""

from codehazard.evaluation._provenance import code_version, host_profile
from codehazard.evaluation._selftest import (
    DEFAULT_RERUNS,
    Escape,
    SelftestResult,
    in_process_judge,
    selftest,
    selftest_many,
)
from codehazard.evaluation._summary import summarize
from codehazard.executors import LocalPool as Evaluator
from codehazard.sandbox import Limits

__all__ = [
    "DEFAULT_RERUNS",
    "Escape",
    "Evaluator",
    "Limits",
    "SelftestResult",
    "code_version",
    "host_profile",
    "in_process_judge",
    "selftest",
    "selftest_many",
    "summarize",
]
