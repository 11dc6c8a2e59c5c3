"""The summary of an evaluation run: what the terminal shows and ``--json`` prints."""

from __future__ import annotations

from typing import Any

from codehazard.scoring import breakdown, score
from codehazard.store import Store


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
    records = store.records(run_id)
    scores = score(records, ks)
    counts = store.status_counts(run_id)
    interval = scores.pass1_interval
    sampled = {r.task_id for r in records}
    return {
        "run_id": run_id,
        "n_tasks": len({r.task_id for r in records}),
        "n_samples": len(records),
        "pass_at_k": {str(k): v for k, v in scores.defined_pass_at_k().items()},
        "pass_at_k_undefined": [k for k, v in scores.pass_at_k.items() if v is None],
        "pass_at_k_tasks": scores.n_tasks,
        "tasks_without_samples": [t for t in store.tasks(run_id) if t not in sampled],
        "pass_at_1_interval": (
            {**interval.as_dict(), "method": scores.pass1_interval_method} if interval else None
        ),
        "status_counts": dict(sorted(counts.items())),
        "pending": sum(1 for r in records if r.verdict is None),
        "infra_rate": counts.get("infra", 0) / len(records) if records else 0.0,
        "isolation": run.params.get("isolation", {}),
        **({"breakdown": {key: _breakdown(records, key) for key in by}} if by else {}),
    }


def _breakdown(records: list[Any], key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value, scores in sorted(breakdown(records, key).items(), key=lambda kv: str(kv[0])):
        iv = scores.pass1_interval
        out[str(value)] = {
            "n_tasks": scores.n_tasks,
            "n_samples": scores.n_samples,
            "pass@1": scores.pass_at_k.get(1),
            "interval": {**iv.as_dict(), "method": scores.pass1_interval_method} if iv else None,
        }
    return out
