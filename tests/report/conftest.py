"""Fixtures of the report tests: a real temp store with two runs of the toy suite (model A
weak at higher levels, model B strong), the toy log assessed on run A, and reports of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixtures import Toy, assessment_of, strong, weak, write_run

from codehazard.report import ReportOptions, build_report
from codehazard.store import Store


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> Toy:
    folder = tmp_path_factory.mktemp("toy")
    store = Store(folder / "store.db")
    a = write_run(store, model="openai/model-a", fails=weak)
    b = write_run(store, model="openai/model-b", fails=strong)
    assessment = assessment_of(store, folder, [a])
    single = build_report(store, [a], assessment=assessment, options=ReportOptions(cap_per_cell=8))
    compared = build_report(
        store, [a, b], assessment=assessment, options=ReportOptions(cap_per_cell=8, compare=True)
    )
    return Toy(store, a, b, assessment, single, compared)


@pytest.fixture
def store_path(toy: Toy) -> Path:
    """Where the toy store lives."""
    return Path(toy.store.path)
