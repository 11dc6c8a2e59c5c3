"""Generated suites: seeded task families registered by name (see ``get_suite``)."""

from codehazard.tasks.suites import _binding, _building_blocks  # noqa: F401  (registration)
from codehazard.tasks.suites._chain import WrongSolution
from codehazard.tasks.suites._registry import (
    Suite,
    SuiteParam,
    get_suite,
    list_suites,
    register_suite,
)

__all__ = ["Suite", "SuiteParam", "WrongSolution", "get_suite", "list_suites", "register_suite"]
