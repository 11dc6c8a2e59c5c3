"""Generated suites: seeded task families registered by name (see ``get_suite``)."""

from codehazard.tasks.suites._registry import (
    Suite,
    SuiteParam,
    get_suite,
    list_suites,
    register_suite,
    suite_registry,
)

__all__ = ["Suite", "SuiteParam", "get_suite", "list_suites", "register_suite", "suite_registry"]
