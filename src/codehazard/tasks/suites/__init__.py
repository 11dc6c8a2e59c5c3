"""Generated suites: seeded task families registered by name (see ``get_suite``).

``Chain`` and its variants are public because analyses above the tasks layer (failure
localisation) rebuild a task's reference chain from its metadata.
"""

from codehazard.tasks.suites._chain import (
    HYPOTHESIS_KINDS,
    Chain,
    HypothesisKind,
    Variant,
    same_value,
)
from codehazard.tasks.suites._registry import (
    Suite,
    SuiteParam,
    get_suite,
    list_suites,
    register_suite,
    suite_registry,
)

__all__ = [
    "HYPOTHESIS_KINDS",
    "Chain",
    "HypothesisKind",
    "Suite",
    "SuiteParam",
    "Variant",
    "get_suite",
    "list_suites",
    "register_suite",
    "same_value",
    "suite_registry",
]
