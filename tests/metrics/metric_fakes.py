"""Light stand-ins for store records, so metric families can be tested without a store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FakeRecord:
    """The fields a metric family reads from ``codehazard.store.Record``."""

    run_id: str
    key: str
    task_id: str
    status: str | None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def make_records(
    task_id: str, statuses: list[str | None], *, run_id: str = "run-1", **metadata: Any
) -> list[FakeRecord]:
    """One record per status for a task, keys ``<task>#<i>``."""
    return [
        FakeRecord(run_id, f"{task_id}#{i}", task_id, status, dict(metadata))
        for i, status in enumerate(statuses)
    ]
