"""Hazard probes: static analysis, package resolution, misuse, bias and misalignment checks
that score samples beyond the sandbox verdict.

The shared vocabulary: an ``Analyser`` reads one output and returns an ``Analysis`` (a
status and ``Finding`` objects); ``dedupe`` merges findings of several analysers. The registry:
``probe_registry`` (``Registry``, entry-point group
``codehazard.probes``). A probe is registered by name as a factory of the object that scores
a sample (the ``Scorer`` protocol of the per-sample scores); each probe is one new module
decorated with ``@probe_registry.register("name")``, or a lazy ``module:attr`` entry when it
needs an optional package, and touches no list elsewhere.
"""

from collections.abc import Callable
from typing import Any

from codehazard._registry import Registry
from codehazard.probes._findings import Analyser, Analysis, AnalysisStatus, Finding, Level, dedupe
from codehazard.probes._security import SecurityAnalyser

ProbeFactory = Callable[..., Any]
"""Builds a probe from its options; what it returns follows the ``Scorer`` protocol."""

probe_registry: Registry[ProbeFactory] = Registry("probe", "codehazard.probes")

__all__ = [
    "Analyser",
    "Analysis",
    "AnalysisStatus",
    "Finding",
    "Level",
    "ProbeFactory",
    "SecurityAnalyser",
    "dedupe",
    "probe_registry",
]
