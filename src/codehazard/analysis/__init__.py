"""Analyses that read the store or rerun the sandbox: failure localisation, the capability
profile.

``codehazard.scoring`` is pure maths on records; what needs a stored run, a suite's reference
chains or the sandbox lives here, one layer above it (see ``docs/architecture.md``).
"""

from codehazard.analysis._localise import (
    Certainty,
    Localisation,
    LocalisationKind,
    LocalisedRun,
    LocalisedSample,
    localise,
    localise_chain,
    localise_run,
)
from codehazard.analysis._localise_summary import (
    LocalisationSummary,
    summarise_localisations,
    summarise_run,
)
from codehazard.analysis._profile import (
    DEFAULT_THRESHOLDS,
    LEFT_OUT_REASONS,
    PROFILE_KIND,
    PROFILE_SCHEMA_VERSION,
    CapabilityProfile,
    CellInterval,
    DimensionProfile,
    GroupBy,
    HumanBaselineCell,
    ModelDimension,
    ProfileCell,
    ProfileModel,
    ProfileSource,
    Reliability,
    capability_profile,
    profile_runs,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LEFT_OUT_REASONS",
    "PROFILE_KIND",
    "PROFILE_SCHEMA_VERSION",
    "CapabilityProfile",
    "CellInterval",
    "Certainty",
    "DimensionProfile",
    "GroupBy",
    "HumanBaselineCell",
    "Localisation",
    "LocalisationKind",
    "LocalisationSummary",
    "LocalisedRun",
    "LocalisedSample",
    "ModelDimension",
    "ProfileCell",
    "ProfileModel",
    "ProfileSource",
    "Reliability",
    "capability_profile",
    "localise",
    "localise_chain",
    "localise_run",
    "profile_runs",
    "summarise_localisations",
    "summarise_run",
]
