"""Shared fixtures: the default suites, built once per session (a few seconds each)."""

from __future__ import annotations

import pytest

from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite


@pytest.fixture(scope="session")
def building_blocks() -> list[Task]:
    """The default building-blocks suite (lengths 1-10, 30 per length, seed 0)."""
    return get_suite("building-blocks").build()


@pytest.fixture(scope="session")
def variable_binding() -> list[Task]:
    """The default variable-binding suite (k 2-8, m 1-12, 4 per cell, seed 0)."""
    return get_suite("variable-binding").build()
