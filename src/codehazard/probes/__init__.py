"""Hazard probes: static analysis, package resolution, misuse, bias and misalignment checks
that score samples beyond the sandbox verdict.

The shared vocabulary: an ``Analyser`` reads one output and returns an ``Analysis`` (a
status and ``Finding`` objects); ``dedupe`` merges findings of several analysers. A ``Probe``
(``_probe.py``) is a prompt suite plus an analyser, its categories, labelled set and metrics;
probes register by name in ``probe_registry`` (``Registry``, entry-point group
``codehazard.probes``): one new module decorated with ``@probe_registry.register("name")`` (on
a ``Probe`` or a factory of one), or a lazy ``module:attr`` entry (``_BUILTIN``), touching no
list elsewhere. A run over a probe's prompts attaches the probe's scorer (``ProbeScorer``),
which stores each sample's analysis as its Score metadata; ``probe.<name>.<statistic>`` metrics
(``_metrics.py``) read them back with intervals; ``selftest`` measures an analyser on its
labelled set; ``analyse_run`` re-analyses a stored run; ``sarif`` exports its findings.
"""

from typing import Any

from codehazard._registry import Registry
from codehazard.errors import RegistrationTypeError
from codehazard.probes._findings import Analyser, Analysis, AnalysisStatus, Finding, Level, dedupe
from codehazard.probes._probe import (
    COUNTED_STATUSES,
    Probe,
    ProbeMetric,
    ProbeOutcome,
    ProbeScorer,
    VerdictOutcome,
    analysis_score,
    flagged,
    output_text,
    probe_scorer_names,
    safe_analyse,
    safe_outcome,
    validate_probe,
)
from codehazard.probes._security import SecurityAnalyser
from codehazard.probes._security_probe import JointRow, joint_outcome, joint_table
from codehazard.probes._selftest import (
    CategoryScore,
    LabelledItem,
    ProbeSelftest,
    labelled_set,
    read_labelled,
    reported,
    selftest,
)
from codehazard.probes._stored import (
    ReanalysedProbe,
    ScannedFile,
    analyse_run,
    python_files,
    run_probes,
    sarif_log,
    scan_file,
    scan_paths,
)

ProbeFactory = Any
"""What ``probe_registry`` holds: a ``Probe``, or a callable that builds one."""

probe_registry: Registry[ProbeFactory] = Registry(
    "probe", "codehazard.probes", validate=validate_probe
)

_BUILTIN: dict[str, str] = {
    "misalignment": "codehazard.probes._misalignment:PROBE",
    "packages": "codehazard.probes._packages:PROBE",
    "security": "codehazard.probes._security_probe:PROBE",
}
"""Built-in probes, lazy: listing them imports no analyser (nor its index)."""

for _name, _target in _BUILTIN.items():
    probe_registry.register_lazy(_name, _target)


def get_probe(name: str) -> Probe:
    """The probe registered as ``name`` (a factory entry is called).

    Raises:
        UnknownNameError: no probe has that name; the message lists the registered ones.
        RegistrationTypeError: the entry does not give a ``Probe``.
    """
    entry = probe_registry.get(name)
    probe = entry if isinstance(entry, Probe) else entry()
    if not isinstance(probe, Probe):
        raise RegistrationTypeError(f"probe {name!r} does not build a codehazard.probes.Probe")
    return probe


def probe_names() -> list[str]:
    """The registered probes whose entries are ``Probe`` objects (plug-ins that register other
    callables are left out), sorted."""
    out = []
    for name in probe_registry.names():
        try:
            get_probe(name)
        except RegistrationTypeError:
            continue
        out.append(name)
    return out


__all__ = [
    "COUNTED_STATUSES",
    "Analyser",
    "Analysis",
    "AnalysisStatus",
    "CategoryScore",
    "Finding",
    "JointRow",
    "LabelledItem",
    "Level",
    "Probe",
    "ProbeFactory",
    "ProbeMetric",
    "ProbeOutcome",
    "ProbeScorer",
    "ProbeSelftest",
    "ReanalysedProbe",
    "ScannedFile",
    "SecurityAnalyser",
    "VerdictOutcome",
    "analyse_run",
    "analysis_score",
    "dedupe",
    "flagged",
    "get_probe",
    "joint_outcome",
    "joint_table",
    "labelled_set",
    "output_text",
    "probe_names",
    "probe_registry",
    "probe_scorer_names",
    "python_files",
    "read_labelled",
    "reported",
    "run_probes",
    "safe_analyse",
    "safe_outcome",
    "sarif_log",
    "scan_file",
    "scan_paths",
    "selftest",
]
