"""One light stand-in for store records, so scoring and metric families are tested without a
store: the fields they read from ``codehazard.store.Record`` (the ``MetricRecord`` protocol),
plus the verdict's failure kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rec:
    """A checked (or, with ``status=None``, waiting) sample of one task."""

    task_id: str
    status: str | None
    metadata: dict[str, Any] = field(default_factory=dict)
    run_id: str = "run-1"
    key: str = ""
    failure_kind: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def make_records(
    task_id: str,
    statuses: list[str | None],
    *,
    run_id: str = "run-1",
    kinds: list[str | None] | None = None,
    **metadata: Any,
) -> list[Rec]:
    """One record per status for a task, keys ``<task>#<i>``; ``kinds`` gives each one's
    failure kind."""
    kinds = kinds or [None] * len(statuses)
    return [
        Rec(task_id, status, dict(metadata), run_id, f"{task_id}#{i}", kind)
        for i, (status, kind) in enumerate(zip(statuses, kinds, strict=True))
    ]
