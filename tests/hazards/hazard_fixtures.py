"""Shared test data for the hazard tests: a 5 x 5 profile, small logs, a real temp store."""

from __future__ import annotations

from pathlib import Path

from record_fakes import TaskSpec, add_run

__all__ = ["TaskSpec", "add_run"]  # re-exported for the hazard tests

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


def humaneval_tasks(fail_share: float, n_tasks: int = 10, per_task: int = 10) -> list[TaskSpec]:
    """HumanEval-named tasks (no metadata) where ``fail_share`` of samples fail."""
    fails = round(fail_share * per_task)
    statuses = ["failed"] * fails + ["passed"] * (per_task - fails)
    return [(f"HumanEval/{i}", {}, statuses) for i in range(n_tasks)]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
