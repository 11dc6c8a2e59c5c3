"""Records for tests: one light stand-in for store records, so scoring and metric families
are tested without a store (the fields they read from ``codehazard.store.Record``, the
``MetricRecord`` protocol, plus the verdict's failure kind), and ``add_run``, which writes a
run of such tasks and verdicts into a real store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict


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


Outcome = str | tuple[str, str | None]
"""A verdict status, or a status with the failure kind the verdict names."""
TaskSpec = tuple[str, dict[str, Any], Sequence[Outcome]]
"""A task id, its metadata, and one outcome per sample."""


def add_run(store: Store, tasks: Sequence[TaskSpec], params: dict[str, Any] | None = None) -> str:
    """Create a run with one task per spec and one sample per outcome, verdicts recorded."""
    run_id = store.create_run("evaluate", params or {"model": "simulated"})
    store.add_tasks(
        run_id,
        [
            Task(
                task_id=tid,
                prompt="def f():\n",
                entry_point="f",
                checker=TestChecker(test="def check(candidate):\n    pass\n"),
                metadata=meta,
            )
            for tid, meta, _ in tasks
        ],
    )
    samples = [
        Sample(f"{tid}#{i}", tid, i, {"completion": "    return 1\n"}, "def f():\n    return 1\n")
        for tid, _, outcomes in tasks
        for i in range(len(outcomes))
    ]
    store.add_samples(run_id, samples)
    for tid, _, outcomes in tasks:
        for i, outcome in enumerate(outcomes):
            status, kind = (outcome, None) if isinstance(outcome, str) else outcome
            verdict = Verdict(status=status, failure_kind=kind)  # type: ignore[arg-type]
            store.record_verdict(run_id, f"{tid}#{i}", verdict)
    store.set_run_status(run_id, "complete")
    return run_id
