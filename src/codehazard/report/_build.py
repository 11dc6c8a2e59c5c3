"""Building a ``Report`` from stored runs (and optionally an assessment).

Orchestration only: the numbers come from ``codehazard.scoring`` (level points, the
composition gap), ``codehazard.metrics`` (every measured rate) and ``codehazard.hazards``
(the assessment, its matrix and diff); this module reads the store, picks what to embed and
fills the model. The sections themselves are built in ``_sections`` (capability, hazards,
comparison) and ``_samples`` (which samples are embedded).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from codehazard.analysis import LocalisationSummary
from codehazard.errors import ArgumentError, InputError, StoreError
from codehazard.hazards import Assessment
from codehazard.metrics import MetricRegistry, default_registry
from codehazard.report._compare import comparison_section
from codehazard.report._hazard_view import hazard_section, overall_verdict
from codehazard.report._localise_table import localisation_tables
from codehazard.report._model import (
    Capability,
    ProfileTable,
    Report,
    ReportWarning,
    Summary,
)
from codehazard.report._profile_table import runs_profile_table
from codehazard.report._runs import LoadedRun, load_runs, run_warnings
from codehazard.report._samples import DEFAULT_CAP, DEFAULT_TEXT_LIMIT, choose_samples
from codehazard.report._sections import capability_section, family_sections
from codehazard.store import Store


@dataclass(frozen=True)
class ReportOptions:
    """How a report is built: the interval level, the sample cap per cell and its seed, the
    longest text embedded per field, whether two runs are compared."""

    confidence: float = 0.95
    cap_per_cell: int = DEFAULT_CAP
    seed: int = 0
    text_limit: int = DEFAULT_TEXT_LIMIT
    compare: bool = False
    min_samples: int = 30
    title: str = ""
    extra_metrics: tuple[str, ...] = field(default_factory=tuple)


def _check(options: ReportOptions, run_ids: Sequence[str]) -> None:
    if not 0 < options.confidence < 1:
        raise ArgumentError(f"confidence must be in (0, 1), got {options.confidence}")
    if options.cap_per_cell < 1 or options.text_limit < 100:
        raise ArgumentError(
            "cap_per_cell must be at least 1 and text_limit at least 100, got "
            f"cap_per_cell={options.cap_per_cell}, text_limit={options.text_limit}"
        )
    if not run_ids:
        raise InputError("a report needs at least one run id; `codehazard runs list` shows them")
    if options.compare and len(dict.fromkeys(run_ids)) != 2:
        raise InputError(f"a comparison needs exactly two runs, got {len(dict.fromkeys(run_ids))}")


def _summary(
    runs: list[LoadedRun],
    assessment: Assessment | None,
    options: ReportOptions,
    warnings: list[ReportWarning],
) -> Summary:
    views = [r.view for r in runs]
    isolation = sorted({v.isolation for v in views})
    hazards = assessment.hazards if assessment else []
    title = options.title or (assessment.log.title if assessment else "") or "Evaluation report"
    return Summary(
        title=title,
        system=assessment.log.system if assessment else "",
        runs=views,
        models=sorted({v.model or v.backend for v in views}),
        suites=sorted({s for v in views for s in v.suites}),
        probes=sorted({p for v in views for p in v.probes}),
        n_tasks=sum(v.n_tasks for v in views),
        n_samples=sum(v.n_samples for v in views),
        isolation=", ".join(isolation) or "unknown",
        verdict=overall_verdict(assessment) if assessment else None,
        risk_counts=assessment.risk_counts() if assessment else {},
        residual_risk_counts=assessment.risk_counts(residual=True) if assessment else {},
        measured=[h.id for h in hazards if h.likelihood_basis == "evidence"],
        expert=[h.id for h in hazards if h.likelihood_basis != "evidence"],
        warnings=warnings,
    )


def build_report(
    store: Store,
    run_ids: Sequence[str],
    *,
    assessment: Assessment | None = None,
    options: ReportOptions | None = None,
    registry: MetricRegistry | None = None,
    capability_profile: ProfileTable | None = None,
    localisations: Mapping[str, LocalisationSummary] | None = None,
) -> Report:
    """The report of ``run_ids`` (ids or unique prefixes), with the hazard analysis of
    ``assessment`` when given; with ``options.compare`` the second run is set against the
    first (and the assessment's hazard log is assessed on each run alone). A capability
    profile's table, when given, is shown with the capability section as it comes, and so
    are the failure localisations given per run id (``analysis.localise_run``, which reruns
    samples in the sandbox: the caller decides whether to pay for it).

    Raises:
        ArgumentError: a confidence outside (0, 1), a cap below 1 or a text limit below 100.
        InputError: no run ids, a run not in the store, or ``compare`` without exactly two.
        StoreError: the store cannot be read.
    """
    from codehazard import __version__

    options = options or ReportOptions()
    _check(options, run_ids)
    registry = registry or default_registry()
    try:
        runs = load_runs(store, list(dict.fromkeys(run_ids)), confidence=options.confidence)
    except StoreError as exc:
        raise InputError(str(exc)) from None
    warnings = run_warnings(runs, assessment, min_samples=options.min_samples)
    samples = choose_samples(
        runs, cap=options.cap_per_cell, seed=options.seed, text_limit=options.text_limit
    )
    if samples.embedded < samples.total:
        warnings.append(ReportWarning(code="samples-capped", text=samples.note))
    capability: Capability = capability_section(runs, registry, options.confidence)
    if capability_profile is None and not options.compare:
        capability_profile = runs_profile_table(store, [run.id for run in runs], options.confidence)
    comparison = None
    if options.compare:
        comparison = comparison_section(
            runs[0], runs[1], capability, assessment, registry, options.confidence
        )
    return Report(
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        codehazard_version=__version__,
        confidence=options.confidence,
        summary=_summary(runs, assessment, options, warnings),
        capability=capability,
        families=family_sections(
            runs, assessment, registry, options.confidence, options.extra_metrics
        ),
        capability_profile=capability_profile,
        tables=[
            t
            for run in runs
            if localisations and run.id in localisations
            for t in localisation_tables(run.view.label, localisations[run.id])
        ],
        hazards=hazard_section(assessment, samples) if assessment else None,
        samples=samples,
        comparison=comparison,
    )
