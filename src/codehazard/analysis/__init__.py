"""Analyses that read the store or rerun the sandbox: failure localisation.

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
from codehazard.analysis._localise_summary import LocalisationSummary, summarise_localisations

__all__ = [
    "Certainty",
    "Localisation",
    "LocalisationKind",
    "LocalisationSummary",
    "LocalisedRun",
    "LocalisedSample",
    "localise",
    "localise_chain",
    "localise_run",
    "summarise_localisations",
]
