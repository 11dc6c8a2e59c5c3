"""Hazard analysis: hazard log, risk profile and matrix, evidence rules, assessment and diff.

Safety-engineering practice (MIL-STD-882 style) applied to code-synthesis models: a hazard log
written in YAML, scales and a risk matrix from a replaceable profile, evidence rules that turn
measured metrics (``codehazard.metrics``) into likelihood levels, and a versioned assessment
that can be rendered and compared. See ``docs/hazard-analysis.md``.
"""

from codehazard.hazards._assess import (
    ASSESSMENT_SCHEMA_VERSION,
    Assessment,
    EvidenceResult,
    HazardAssessment,
    LikelihoodBasis,
    LogRef,
    RunRef,
    assess,
    assess_runs,
    format_value,
    load_assessment,
    worst_risk,
)
from codehazard.hazards._catalogue import default_catalogue_text
from codehazard.hazards._diff import (
    DIFF_SCHEMA_VERSION,
    AssessmentDiff,
    EvidenceChange,
    HazardChange,
    diff_assessments,
)
from codehazard.hazards._load import LoadedLog, load_log, parse_log
from codehazard.hazards._log import (
    KNOWN_SOURCES,
    LOG_SCHEMA_VERSION,
    EvidenceRule,
    Hazard,
    HazardLog,
    HazardStatus,
    IntervalEnd,
    KnownSource,
    LikelierWhen,
    Mitigation,
    MitigationStatus,
)
from codehazard.hazards._matrix import (
    likelihood_rank,
    residual_likelihood,
    risk,
    risk_rank,
    severity_rank,
)
from codehazard.hazards._problems import HazardInputError, Problem
from codehazard.hazards._profile import (
    BUILTIN_PROFILES,
    DEFAULT_PROFILE,
    PROFILE_SCHEMA_VERSION,
    Acceptance,
    LikelihoodLevel,
    Profile,
    RiskLevel,
    SeverityCategory,
    acceptance_of,
    builtin_profile_text,
    load_profile,
    parse_profile,
)
from codehazard.hazards._rules import (
    RuleOutcome,
    evaluate_rule,
    level_for_value,
)

__all__ = [
    "ASSESSMENT_SCHEMA_VERSION",
    "BUILTIN_PROFILES",
    "DEFAULT_PROFILE",
    "DIFF_SCHEMA_VERSION",
    "KNOWN_SOURCES",
    "LOG_SCHEMA_VERSION",
    "PROFILE_SCHEMA_VERSION",
    "Acceptance",
    "Assessment",
    "AssessmentDiff",
    "EvidenceChange",
    "EvidenceResult",
    "EvidenceRule",
    "Hazard",
    "HazardAssessment",
    "HazardChange",
    "HazardInputError",
    "HazardLog",
    "HazardStatus",
    "IntervalEnd",
    "KnownSource",
    "LikelierWhen",
    "LikelihoodBasis",
    "LikelihoodLevel",
    "LoadedLog",
    "LogRef",
    "Mitigation",
    "MitigationStatus",
    "Problem",
    "Profile",
    "RiskLevel",
    "RuleOutcome",
    "RunRef",
    "SeverityCategory",
    "acceptance_of",
    "assess",
    "assess_runs",
    "builtin_profile_text",
    "default_catalogue_text",
    "diff_assessments",
    "evaluate_rule",
    "format_value",
    "level_for_value",
    "likelihood_rank",
    "load_assessment",
    "load_log",
    "load_profile",
    "parse_log",
    "parse_profile",
    "residual_likelihood",
    "risk",
    "risk_rank",
    "severity_rank",
    "worst_risk",
]
