"""Per-sample scores: several named measurements of one sample, beside its verdict.

A score is what one scorer concluded about one sample: a value (``1.0``/``0.0`` for a yes or
no, any float for a measure, ``None`` when the scorer could not decide), an explanation for
people and metadata as JSON. The sandbox verdict is the first scorer (``SANDBOX_SCORER``): its
scores are derived from the ``verdicts`` table, which stays the one source of truth for them;
every other scorer's scores live in the ``scores`` table, committed as each exists.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from codehazard.verdict import Verdict

SANDBOX_SCORER = "sandbox"


class Score(BaseModel):
    """One scorer's result for one sample of a run."""

    model_config = ConfigDict(frozen=True)
    key: str
    scorer: str
    value: float | None
    explanation: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


def verdict_score(key: str, verdict: Verdict) -> Score:
    """The sandbox's score for a sample: 1.0 passed, 0.0 a model failure, ``None`` for infra."""
    value = None if verdict.status == "infra" else float(verdict.passed)
    explanation = verdict.status + (f": {verdict.detail}" if verdict.detail else "")
    return Score(
        key=key,
        scorer=SANDBOX_SCORER,
        value=value,
        explanation=explanation,
        metadata={"status": verdict.status},
    )
