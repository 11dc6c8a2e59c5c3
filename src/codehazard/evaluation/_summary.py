"""The summary of an evaluation run: what the terminal shows and ``--json`` prints.

It is computed from counts (``Store.task_outcomes``: samples per task and status, one query),
never from a list of every record, so summarising 100,000 samples takes no more memory than
summarising ten.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from codehazard.scoring import breakdown, score
from codehazard.store import Store


@dataclass(frozen=True)
class _Outcome:
    """What scoring reads of a sample (``Scorable``), shared by every sample of one task and
    status: the summary repeats it rather than reading each sample."""

    task_id: str
    status: str | None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def _outcomes(groups: Sequence[tuple[_Outcome, int]]) -> Iterator[_Outcome]:
    """Each group's outcome as many times as it has samples, in the store's order."""
    return itertools.chain.from_iterable(itertools.repeat(o, n) for o, n in groups)


def summarize(
    store: Store, run_id: str, ks: tuple[int, ...] = (1,), by: tuple[str, ...] = ()
) -> dict[str, Any]:
    """pass@k for every k all tasks support, its interval, status counts and isolation.

    pass@k is over the ``pass_at_k_tasks`` tasks that have a judged sample; the run's tasks
    without any sample are listed in ``tasks_without_samples``, never silently dropped; the
    ``infra_rate`` is the share of samples the harness failed to judge.

    ``by`` names task-metadata keys to break pass@1 down by (with intervals and counts).

    Raises:
        StoreError: no such run.
    """
    run = store.get_run(run_id)
    meta = store.task_metadata(run_id)
    groups = [
        (_Outcome(task_id, status, meta.get(task_id, {})), n)
        for task_id, status, n in store.task_outcomes(run_id)
    ]
    scores = score(_outcomes(groups), ks)
    counts = store.status_counts(run_id)
    interval = scores.pass1_interval
    sampled = {o.task_id for o, _ in groups}
    n_samples = sum(n for _, n in groups)
    return {
        "run_id": run_id,
        "n_tasks": len(sampled),
        "n_samples": n_samples,
        "pass_at_k": {str(k): v for k, v in scores.defined_pass_at_k().items()},
        "pass_at_k_undefined": [k for k, v in scores.pass_at_k.items() if v is None],
        "pass_at_k_tasks": scores.n_tasks,
        "tasks_without_samples": [t for t in store.tasks(run_id) if t not in sampled],
        "pass_at_1_interval": (
            {**interval.as_dict(), "method": scores.pass1_interval_method} if interval else None
        ),
        "status_counts": dict(sorted(counts.items())),
        "pending": sum(n for o, n in groups if o.status is None),
        "infra_rate": counts.get("infra", 0) / n_samples if n_samples else 0.0,
        "isolation": run.params.get("isolation", {}),
        **({"breakdown": {key: _breakdown(groups, key) for key in by}} if by else {}),
    }


def _breakdown(groups: Sequence[tuple[_Outcome, int]], key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value, scores in sorted(
        breakdown(_outcomes(groups), key).items(), key=lambda kv: str(kv[0])
    ):
        iv = scores.pass1_interval
        out[str(value)] = {
            "n_tasks": scores.n_tasks,
            "n_samples": scores.n_samples,
            "pass@1": scores.pass_at_k.get(1),
            "interval": {**iv.as_dict(), "method": scores.pass1_interval_method} if iv else None,
        }
    return out
