"""Comparing two assessments: model A against model B, or version 1 against version 2.

Hazards are matched by id. The diff lists hazards added and removed, and for each hazard in both
whose risk, residual risk, severity, likelihood or evidence changed: the old and new values and
the evidence that moved (metric values, intervals, sample counts and the levels the rules set).
Risk directions compare ranks within each assessment's own profile; the diff says when the two
profiles differ, since levels of different scales are not strictly comparable.
Rendering the diff (text, Markdown) is the report package's (``report.assessment_diff_text``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from codehazard.hazards._assess import Assessment, EvidenceResult, HazardAssessment, format_value
from codehazard.hazards._matrix import risk_rank

DIFF_SCHEMA_VERSION = 1

Direction = Literal["up", "down", "same"]


class AssessmentRef(BaseModel):
    """Which assessment one side of the diff is."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    created: str
    log_source: str
    log_sha256: str
    profile: str
    runs: list[str]


class HazardRef(BaseModel):
    """A hazard present on one side only."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    risk: str
    residual_risk: str


class EvidenceChange(BaseModel):
    """A rule whose metric value, interval, sample count, level or definition differs.

    Rules are matched by metric and, when a hazard cites one metric in several rules, by their
    order among those rules (``occurrence``, 1 for the first).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    metric: str
    occurrence: int = 1
    rule_changed: bool = False
    old: str
    new: str
    old_level: str | None = None
    new_level: str | None = None
    old_value: float | None = None
    new_value: float | None = None


class HazardChange(BaseModel):
    """A hazard in both assessments whose assessment changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    old_risk: str
    new_risk: str
    risk_direction: Direction
    old_residual_risk: str
    new_residual_risk: str
    residual_direction: Direction
    old_severity: str
    new_severity: str
    old_likelihood: str
    new_likelihood: str
    old_basis: str
    new_basis: str
    old_expert_likelihood: str = ""
    new_expert_likelihood: str = ""
    old_residual_severity: str = ""
    new_residual_severity: str = ""
    old_residual_likelihood: str = ""
    new_residual_likelihood: str = ""
    evidence: list[EvidenceChange] = Field(default_factory=list)


class AssessmentDiff(BaseModel):
    """What changed between two assessments (versioned, persisted as JSON)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = DIFF_SCHEMA_VERSION
    kind: Literal["codehazard.assessment-diff"] = "codehazard.assessment-diff"
    old: AssessmentRef
    new: AssessmentRef
    profile_changed: bool
    added: list[HazardRef] = Field(default_factory=list)
    removed: list[HazardRef] = Field(default_factory=list)
    changed: list[HazardChange] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)

    def risk_increased(self) -> bool:
        """True when a hazard's risk or residual risk went up, or a hazard was added."""
        return bool(self.added) or any(
            "up" in (c.risk_direction, c.residual_direction) for c in self.changed
        )


def _ref(a: Assessment) -> AssessmentRef:
    return AssessmentRef(
        created=a.created,
        log_source=a.log.source,
        log_sha256=a.log.sha256,
        profile=a.profile.name,
        runs=[r.id for r in a.runs],
    )


def _direction(old: Assessment, old_risk: str, new: Assessment, new_risk: str) -> Direction:
    before = risk_rank(old.profile, old_risk) / len(old.profile.risk_levels)
    after = risk_rank(new.profile, new_risk) / len(new.profile.risk_levels)
    return "up" if after > before else "down" if after < before else "same"


def _keyed(results: list[EvidenceResult]) -> dict[tuple[str, int], EvidenceResult]:
    out: dict[tuple[str, int], EvidenceResult] = {}
    for r in results:
        nth = 1 + sum(1 for metric, _ in out if metric == r.metric)
        out[(r.metric, nth)] = r
    return out


def _evidence_changes(old: list[EvidenceResult], new: list[EvidenceResult]) -> list[EvidenceChange]:
    before, after = _keyed(old), _keyed(new)
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        b, a = before.get(key), after.get(key)
        old_text = format_value(b) if b else "(no rule)"
        new_text = format_value(a) if a else "(no rule)"
        old_level = b.outcome.level if b else None
        new_level = a.outcome.level if a else None
        rule_changed = b is not None and a is not None and b.rule != a.rule
        if old_text != new_text or old_level != new_level or rule_changed:
            out.append(
                EvidenceChange(
                    metric=key[0],
                    occurrence=key[1],
                    rule_changed=rule_changed,
                    old=old_text,
                    new=new_text,
                    old_level=old_level,
                    new_level=new_level,
                    old_value=b.value if b else None,
                    new_value=a.value if a else None,
                )
            )
    return out


_COMPARED = (
    "risk",
    "residual_risk",
    "severity",
    "likelihood",
    "likelihood_basis",
    "expert_likelihood",
    "residual_severity",
    "residual_likelihood",
    "expert_residual_likelihood",
)


def _change(
    old: Assessment, o: HazardAssessment, new: Assessment, n: HazardAssessment
) -> HazardChange | None:
    evidence = _evidence_changes(o.evidence, n.evidence)
    if not evidence and all(getattr(o, f) == getattr(n, f) for f in _COMPARED):
        return None
    return HazardChange(
        id=n.id,
        title=n.title,
        old_risk=o.risk,
        new_risk=n.risk,
        risk_direction=_direction(old, o.risk, new, n.risk),
        old_residual_risk=o.residual_risk,
        new_residual_risk=n.residual_risk,
        residual_direction=_direction(old, o.residual_risk, new, n.residual_risk),
        old_severity=o.severity,
        new_severity=n.severity,
        old_likelihood=o.likelihood,
        new_likelihood=n.likelihood,
        old_basis=o.likelihood_basis,
        new_basis=n.likelihood_basis,
        old_expert_likelihood=o.expert_likelihood,
        new_expert_likelihood=n.expert_likelihood,
        old_residual_severity=o.residual_severity,
        new_residual_severity=n.residual_severity,
        old_residual_likelihood=o.residual_likelihood,
        new_residual_likelihood=n.residual_likelihood,
        evidence=evidence,
    )


def diff_assessments(old: Assessment, new: Assessment) -> AssessmentDiff:
    """Compare two assessments hazard by hazard (hazards listed in the new one's risk order)."""
    before = {h.id: h for h in old.hazards}
    after = {h.id: h for h in new.hazards}
    changed, unchanged = [], []
    for h in new.hazards:
        if h.id in before:
            change = _change(old, before[h.id], new, h)
            if change is None:
                unchanged.append(h.id)
            else:
                changed.append(change)
    return AssessmentDiff(
        old=_ref(old),
        new=_ref(new),
        profile_changed=old.profile != new.profile,
        added=[
            HazardRef(id=h.id, title=h.title, risk=h.risk, residual_risk=h.residual_risk)
            for h in new.hazards
            if h.id not in before
        ],
        removed=[
            HazardRef(id=h.id, title=h.title, risk=h.risk, residual_risk=h.residual_risk)
            for h in old.hazards
            if h.id not in after
        ],
        changed=changed,
        unchanged=unchanged,
    )
