"""The verdict on one sample: the closed vocabulary of outcomes and what the sandbox recorded.

``infra`` means the harness failed (the sandbox broke, a worker died): it is retried, and it is
never counted as a model failure. Every other status is the model's own outcome.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

VERDICT_SCHEMA_VERSION = 1

Status = Literal["passed", "failed", "error", "timeout", "memory", "syntax", "infra"]
STATUSES: tuple[str, ...] = get_args(Status)
MODEL_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s != "infra")


class Verdict(BaseModel):
    """What happened when one sample was checked.

    ``detail`` is one human-readable line. For ``failed`` samples of differential checkers,
    ``failing_input``, ``expected`` and ``actual`` hold the first mismatch (as plain data); for
    test checkers the failing assertion's source line is in ``detail`` and the last call's
    arguments and return value in ``failing_input`` and ``actual``. Values are shown as their
    (truncated) ``repr``: a faithful display that no later reader can mistake for live data.
    ``isolation`` is the isolation actually obtained. ``failure_kind`` names what a checker
    found wrong, for checkers that tell kinds of failure apart (``invariant``, ``liveness``,
    ``race``, ``deadlock``, ``distribution``, ``contract``, ...); analyses count verdicts by it.
    It is ``None`` where the checker names no kind (every HumanEval test). ``observations``
    is what a checker measured beyond the verdict, as plain data computed by the trusted
    judge (never taken from the candidate): the ``counterfactual`` kind's decision changes
    per protected attribute, for the bias probe's metrics. It is empty for every other kind
    and for verdicts stored before it existed.
    """

    model_config = ConfigDict(frozen=True)
    schema_version: int = VERDICT_SCHEMA_VERSION
    status: Status
    detail: str = ""
    failing_input: str | None = None
    expected: str | None = None
    actual: str | None = None
    exception: str | None = None
    failure_kind: str | None = None
    duration: float = 0.0
    observations: dict[str, Any] = Field(default_factory=dict)
    isolation: dict[str, Any] = Field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True only for the ``passed`` status."""
        return self.status == "passed"
