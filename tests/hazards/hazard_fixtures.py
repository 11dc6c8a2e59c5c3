"""Shared test data for the hazard tests: a 5 x 5 profile, small logs, a real temp store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict

# An ISO 14971-style 5 x 5 profile: no eliminated level, three risk levels.
FIVE_BY_FIVE = """\
schema_version: 1
name: ISO 14971-style 5x5
severities:
  - {id: S5, name: Catastrophic}
  - {id: S4, name: Critical}
  - {id: S3, name: Serious}
  - {id: S2, name: Minor}
  - {id: S1, name: Negligible}
likelihoods:
  - {id: P5, name: Frequent}
  - {id: P4, name: Probable}
  - {id: P3, name: Occasional}
  - {id: P2, name: Remote}
  - {id: P1, name: Improbable}
risk_levels:
  - {id: Unacceptable}
  - {id: Investigate}
  - {id: Acceptable}
matrix:
  S5: {P5: Unacceptable, P4: Unacceptable, P3: Unacceptable, P2: Investigate, P1: Investigate}
  S4: {P5: Unacceptable, P4: Unacceptable, P3: Investigate, P2: Investigate, P1: Acceptable}
  S3: {P5: Unacceptable, P4: Investigate, P3: Investigate, P2: Acceptable, P1: Acceptable}
  S2: {P5: Investigate, P4: Investigate, P3: Acceptable, P2: Acceptable, P1: Acceptable}
  S1: {P5: Investigate, P4: Acceptable, P3: Acceptable, P2: Acceptable, P1: Acceptable}
"""

SMALL_LOG = """\
schema_version: 1
title: Small log
profile: mil-std-882e
hazards:
  - id: H-FAIL
    title: Wrong code accepted
    source: over-reliance
    severity: 3
    likelihood: D
    residual_likelihood: E
    evidence:
      - metric: suite.humaneval.rate.failed
        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}
  - id: H-CAP
    title: Safety-critical use
    source: safety-critical-use
    severity: 1
    likelihood: E
    evidence:
      - metric: suite.abstraction.pass@1{level>=4}
        thresholds: {A: 0.8, B: 0.6, C: 0.4, D: 0.2}
  - id: H-ENV
    title: Energy use
    source: environmental
    severity: 4
    likelihood: A
"""

TaskSpec = tuple[str, dict[str, Any], Sequence[str]]


def add_run(store: Store, tasks: Sequence[TaskSpec], params: dict[str, Any] | None = None) -> str:
    """Create a run with one task per spec and one sample per status, verdicts recorded."""
    run_id = store.create_run("evaluate", params or {"model": "demo"})
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
        for tid, _, statuses in tasks
        for i in range(len(statuses))
    ]
    store.add_samples(run_id, samples)
    for tid, _, statuses in tasks:
        for i, status in enumerate(statuses):
            store.record_verdict(run_id, f"{tid}#{i}", Verdict(status=status))
    store.set_run_status(run_id, "complete")
    return run_id


def humaneval_tasks(fail_share: float, n_tasks: int = 10, per_task: int = 10) -> list[TaskSpec]:
    """HumanEval-named tasks (no metadata) where ``fail_share`` of samples fail."""
    fails = round(fail_share * per_task)
    statuses = ["failed"] * fails + ["passed"] * (per_task - fails)
    return [(f"HumanEval/{i}", {}, statuses) for i in range(n_tasks)]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
