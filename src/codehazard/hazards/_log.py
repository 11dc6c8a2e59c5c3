"""The hazard log: the models of a YAML hazard log (versioned), one hazard per entry.

The models check types and closed vocabularies only. Everything that depends on context (which
severity and likelihood ids the profile defines, which metric names the registered suites and
probes define) is checked by the loader, which reports every problem at once.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from codehazard.errors import InputError, UnknownNameError
from codehazard.hazards._profile import DEFAULT_PROFILE, Ident

LOG_SCHEMA_VERSION = 1

KnownSource = Literal[
    "misalignment",
    "bias-and-representation",
    "security",
    "misuse",
    "safety-critical-use",
    "over-reliance",
    "economic-and-labour",
    "legal-and-ip",
    "privacy",
    "environmental",
]
KNOWN_SOURCES: tuple[str, ...] = get_args(KnownSource)
CUSTOM_SOURCE_PREFIX = "custom:"
HazardStatus = Literal["open", "mitigated", "accepted", "closed"]
MitigationStatus = Literal["proposed", "planned", "implemented", "verified"]
LikelierWhen = Literal["higher", "lower"]
IntervalEnd = Literal["conservative", "point", "low", "high"]

HazardId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=64)]


class Mitigation(BaseModel):
    """A control that lowers a hazard's likelihood or severity, with its status and owner."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    description: str = Field(min_length=1)
    status: MitigationStatus = "proposed"
    owner: str | None = None


class EvidenceRule(BaseModel):
    """How a measured metric sets a hazard's likelihood.

    ``thresholds`` maps likelihood ids to bounds. With ``likelier_when: higher`` (the default) a
    level applies when the value is at or above its bound; with ``lower``, at or below. The most
    frequent level that applies wins; when none does, ``otherwise`` (default: the least
    frequent non-eliminated level). ``interval`` picks the number compared: ``conservative``
    (the end of the confidence interval that makes the hazard likelier), ``point``, ``low`` or
    ``high``. Fewer than ``min_samples`` samples make the evidence insufficient.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    metric: str = Field(min_length=1)
    thresholds: dict[Ident, float] = Field(min_length=1)
    likelier_when: LikelierWhen = "higher"
    interval: IntervalEnd = "conservative"
    otherwise: Ident | None = None
    min_samples: int = Field(default=1, ge=1)
    rationale: str = ""


class Hazard(BaseModel):
    """One entry of the hazard log.

    ``severity`` and ``likelihood`` are the expert's assessment (ids of the profile's scales);
    the likelihood is replaced by evidence when a rule's metric is measured. ``residual_*``
    default to the unmitigated values. ``source`` is one of ``KNOWN_SOURCES`` or
    ``custom:<name>`` for a user-defined source.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: HazardId
    title: str = Field(min_length=1)
    description: str = ""
    source: str = Field(
        description="one of " + ", ".join(KNOWN_SOURCES) + f", or {CUSTOM_SOURCE_PREFIX}<name>"
    )
    causes: list[str] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)
    affected_parties: list[str] = Field(default_factory=list)
    deployment_context: str = ""
    severity: Ident
    likelihood: Ident
    rationale: str = ""
    mitigations: list[Mitigation] = Field(default_factory=list)
    residual_severity: Ident | None = None
    residual_likelihood: Ident | None = None
    status: HazardStatus = "open"
    evidence: list[EvidenceRule] = Field(default_factory=list)
    unmeasured: str = Field(
        default="",
        description="why no evidence rule can measure this hazard here (the expert's "
        "likelihood stands); empty when it has evidence rules",
    )

    @model_validator(mode="after")
    def _evidence_or_reason(self) -> Hazard:
        if self.evidence and self.unmeasured.strip():
            raise InputError(
                "it has evidence rules and says it is unmeasured; "
                "remove its unmeasured field or its evidence rules"
            )
        return self

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        if value in KNOWN_SOURCES:
            return value
        name = value.removeprefix(CUSTOM_SOURCE_PREFIX)
        if value.startswith(CUSTOM_SOURCE_PREFIX) and name and name.replace("-", "").isalnum():
            return value
        raise InputError(
            f"unknown source {value!r}; use one of {', '.join(KNOWN_SOURCES)}, "
            f"or {CUSTOM_SOURCE_PREFIX}<name> for your own"
        )

    @property
    def residual_severity_id(self) -> str:
        """The residual severity, defaulting to the severity."""
        return self.residual_severity or self.severity

    @property
    def residual_likelihood_id(self) -> str:
        """The expert's residual likelihood, defaulting to the likelihood."""
        return self.residual_likelihood or self.likelihood


class LogHeader(BaseModel):
    """The top of a hazard log: version, what system it is about, which profile it uses."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = LOG_SCHEMA_VERSION
    title: str = "Hazard log"
    system: str = ""
    profile: str = DEFAULT_PROFILE


class HazardLog(LogHeader):
    """A whole hazard log. ``profile`` names a built-in profile or a profile YAML file."""

    hazards: list[Hazard] = Field(default_factory=list)

    def hazard(self, hazard_id: str) -> Hazard:
        """The hazard with this id.

        Raises:
            KeyError: no hazard has that id.
        """
        for hazard in self.hazards:
            if hazard.id == hazard_id:
                return hazard
        raise UnknownNameError(f"no hazard {hazard_id!r}", kind="hazard", name=hazard_id)
