"""Assessment: a hazard log plus measured evidence gives each hazard its likelihood and risk.

For each hazard, every evidence rule's metric is measured on the samples of the runs given, each
rule that has data sets a likelihood level, and the most frequent of those levels wins (the
conservative combination). A hazard whose rules have no data, or that has no rules, keeps the
expert's likelihood, and the assessment says which case applies. Eliminated (by design) is
absorbing: evidence is recorded but does not change it.

The assessment is persisted as versioned JSON and is self-contained: it copies the profile, the
rules, and every measurement with the run ids and sample keys behind it, so it can be rendered,
audited and compared (``diff_assessments``) without the store or the log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codehazard.errors import ArgumentError, InputError, StoreError
from codehazard.hazards._load import LoadedLog
from codehazard.hazards._log import LOG_SCHEMA_VERSION, EvidenceRule, Hazard, Mitigation
from codehazard.hazards._matrix import (
    is_eliminated,
    likeliest,
    residual_likelihood,
    risk,
    risk_rank,
    risk_sort_key,
)
from codehazard.hazards._problems import HazardInputError, Problem, format_loc
from codehazard.hazards._profile import Profile
from codehazard.hazards._rules import RuleOutcome, evaluate_rule
from codehazard.metrics import (
    Measurement,
    MetricInterval,
    MetricRecord,
    MetricRegistry,
    default_registry,
)
from codehazard.runs import RunRecord, load_run

ASSESSMENT_SCHEMA_VERSION = 1
ASSESSMENT_KIND = "codehazard.assessment"

LikelihoodBasis = Literal["evidence", "no-rules", "no-data", "eliminated-by-design"]


class RunRef(BaseModel):
    """A run whose samples were evidence: id, kind, status, creation time and parameters.

    ``model``, ``simulated`` and ``samples_digest`` are read from the run's typed manifest
    (of version ``manifest_version``) when the assessment is made; ``params`` keeps the
    manifest as recorded. References read from older assessments have only ``params``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    kind: str = ""
    status: str = ""
    created: float | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    model: str | None = None
    simulated: bool = False
    samples_digest: str | None = None
    manifest_version: int | None = None

    @classmethod
    def from_record(cls, record: RunRecord) -> RunRef:
        """The reference to a stored run."""
        manifest = record.manifest
        return cls(
            id=record.id,
            kind=record.kind,
            status=record.status,
            created=record.created,
            params=manifest.to_params(),
            model=manifest.model or None,
            simulated=manifest.simulated or bool(manifest.backend.get("simulated")),
            samples_digest=manifest.samples_digest or None,
            manifest_version=manifest.schema_version,
        )


class LogRef(BaseModel):
    """Which hazard log was assessed (its digest detects later edits)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    source: str
    sha256: str
    title: str
    system: str = ""
    schema_version: int = LOG_SCHEMA_VERSION


class EvidenceResult(BaseModel):
    """One rule applied: the rule, a summary of its measurement, and what it concluded.

    The full measurement, with the sample keys, is in ``Assessment.measurements[metric]``.
    ``decisive`` marks the rules whose level became the hazard's likelihood.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    rule: EvidenceRule
    metric: str
    value: float | None
    interval: MetricInterval | None = None
    n: int = 0
    n_tasks: int = 0
    runs: list[str] = Field(default_factory=list)
    outcome: RuleOutcome
    decisive: bool = False


def format_value(result: EvidenceResult) -> str:
    """``0.288 [0.221, 0.357] n=1640 (164 tasks)`` or ``no data``."""
    if result.value is None:
        return "no data"
    text = f"{result.value:.3g}"
    if result.interval is not None:
        text += f" [{result.interval.low:.3g}, {result.interval.high:.3g}]"
    return text + f" n={result.n} ({result.n_tasks} tasks)"


class HazardAssessment(BaseModel):
    """A hazard's assessed severity, likelihood (and its basis), risk and residual risk."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    source: str
    status: str
    severity: str
    expert_likelihood: str
    likelihood: str
    likelihood_basis: LikelihoodBasis
    risk: str
    residual_severity: str
    expert_residual_likelihood: str
    residual_likelihood: str
    residual_risk: str
    rationale: str = ""
    mitigations: list[Mitigation] = Field(default_factory=list)
    evidence: list[EvidenceResult] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Assessment(BaseModel):
    """A complete, self-contained assessment (versioned; hazards sorted worst risk first)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = ASSESSMENT_SCHEMA_VERSION
    kind: Literal["codehazard.assessment"] = ASSESSMENT_KIND
    created: str
    codehazard_version: str
    confidence: float
    log: LogRef
    profile: Profile
    runs: list[RunRef] = Field(default_factory=list)
    hazards: list[HazardAssessment] = Field(default_factory=list)
    measurements: dict[str, Measurement] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def risk_counts(self, *, residual: bool = False) -> dict[str, int]:
        """How many hazards sit at each risk level (every level listed, highest first)."""
        counts = dict.fromkeys(self.profile.risk_ids(), 0)
        for h in self.hazards:
            counts[h.residual_risk if residual else h.risk] += 1
        return counts


def _measure_all(
    hazards: Iterable[Hazard],
    records: Sequence[MetricRecord],
    registry: MetricRegistry,
    confidence: float,
) -> dict[str, Measurement]:
    out: dict[str, Measurement] = {}
    for hazard in hazards:
        for rule in hazard.evidence:
            key = registry.resolve(rule.metric).metric.text
            if key not in out:
                out[key] = registry.measure(key, records, confidence=confidence)
    return out


def _evidence(
    hazard: Hazard, profile: Profile, registry: MetricRegistry, measured: dict[str, Measurement]
) -> list[EvidenceResult]:
    results = []
    for rule in hazard.evidence:
        key = registry.resolve(rule.metric).metric.text
        m = measured[key]
        results.append(
            EvidenceResult(
                rule=rule,
                metric=key,
                value=m.value,
                interval=m.interval,
                n=m.n,
                n_tasks=m.n_tasks,
                runs=m.runs,
                outcome=evaluate_rule(profile, rule, m),
            )
        )
    return results


def _likelihood(
    hazard: Hazard, profile: Profile, results: list[EvidenceResult]
) -> tuple[str, LikelihoodBasis, list[EvidenceResult], list[str]]:
    expert = hazard.likelihood
    fired = [r.outcome.level for r in results if r.outcome.fired and r.outcome.level]
    if is_eliminated(profile, expert):
        note = "eliminated by design: the expert-set likelihood stands"
        return (
            expert,
            "eliminated-by-design",
            results,
            [note + ("; evidence recorded but not applied" if results else "")],
        )
    if not results:
        why = f" (not measurable here: {hazard.unmeasured.strip()})" if hazard.unmeasured else ""
        return expert, "no-rules", results, [f"no evidence rules{why}: expert-set likelihood"]
    if not fired:
        reasons = "; ".join(f"{r.metric}: {r.outcome.reason}" for r in results)
        return (
            expert,
            "no-data",
            results,
            [f"no evidence in the runs given ({reasons}): expert-set likelihood kept"],
        )
    level = likeliest(profile, fired)
    assert level is not None
    marked = [r.model_copy(update={"decisive": r.outcome.level == level}) for r in results]
    notes = [f"likelihood {level} set by evidence (expert had {expert})"]
    notes += [f"{r.metric}: {r.outcome.reason}" for r in results if not r.outcome.fired]
    return level, "evidence", marked, notes


def assess_hazard(
    hazard: Hazard,
    profile: Profile,
    registry: MetricRegistry,
    measured: dict[str, Measurement],
) -> HazardAssessment:
    """Assess one validated hazard from measurements already taken (keyed by canonical name).

    Raises:
        KeyError: the hazard uses ids the profile lacks, or a measurement is missing.
        MetricNameError: a rule names a metric the registry does not define.
    """
    results = _evidence(hazard, profile, registry, measured)
    likelihood, basis, results, notes = _likelihood(hazard, profile, results)
    residual_l = residual_likelihood(
        profile, hazard.likelihood, hazard.residual_likelihood_id, likelihood
    )
    return HazardAssessment(
        id=hazard.id,
        title=hazard.title,
        source=hazard.source,
        status=hazard.status,
        severity=hazard.severity,
        expert_likelihood=hazard.likelihood,
        likelihood=likelihood,
        likelihood_basis=basis,
        risk=risk(profile, hazard.severity, likelihood),
        residual_severity=hazard.residual_severity_id,
        expert_residual_likelihood=hazard.residual_likelihood_id,
        residual_likelihood=residual_l,
        residual_risk=risk(profile, hazard.residual_severity_id, residual_l),
        rationale=hazard.rationale.strip(),
        mitigations=list(hazard.mitigations),
        evidence=results,
        notes=notes,
    )


def run_model(run: RunRef) -> str | None:
    """The model a run's samples came from, as the run recorded it (``None``: not recorded).

    Generation runs record ``model``; ``evaluate`` runs of a samples file do not know it.
    References in assessments written before runs were typed carry it in ``params`` only.
    """
    if run.manifest_version is not None:
        return run.model
    model = run.params.get("model")
    if model is None and isinstance(run.params.get("config"), dict):
        model = run.params["config"].get("model")
    return str(model) if model not in (None, "") else None


def _is_simulated(run: RunRef) -> bool:
    backend = run.params.get("backend")
    return run.simulated or (isinstance(backend, dict) and bool(backend.get("simulated")))


def _run_notes(runs: Sequence[RunRef], records: Sequence[MetricRecord]) -> list[str]:
    """What the reader must know about the evidence: pooling, simulation, unfinished runs."""
    notes = []
    models = {run_model(r) for r in runs}
    unnamed = [r.id for r in runs if run_model(r) is None]
    pooled = "their samples are pooled into one rate per metric as if one model wrote them"
    advice = "assess each model separately and compare with `codehazard assess diff`"
    if len(models - {None}) > 1:
        named = ", ".join(sorted(m for m in models if m is not None))
        notes.append(f"runs come from different models ({named}); {pooled}: {advice}")
    elif len(runs) > 1 and unnamed:
        notes.append(
            f"run(s) {', '.join(unnamed)} do not record which model wrote their samples; "
            f"{pooled}; if they are different models, {advice}"
        )
    digests: dict[str, list[str]] = {}
    for r in runs:
        digest = r.samples_digest or r.params.get("samples_digest")
        if isinstance(digest, str) and digest:
            digests.setdefault(digest, []).append(r.id)
    for same in digests.values():
        if len(same) > 1:
            notes.append(
                f"runs {', '.join(same)} checked the same samples file: those samples are "
                "counted once per run"
            )
    simulated = [r.id for r in runs if _is_simulated(r)]
    if simulated:
        notes.append(
            f"run(s) {', '.join(simulated)} come from the simulator: the likelihoods "
            "they set measure no model"
        )
    pending: dict[str, int] = {}
    for rec in records:
        if rec.status is None:
            pending[rec.run_id] = pending.get(rec.run_id, 0) + 1
    for r in runs:
        if r.status not in ("", "complete") or pending.get(r.id):
            waiting = (
                f", {pending[r.id]} sample(s) unchecked and left out" if pending.get(r.id) else ""
            )
            notes.append(f"run {r.id} is {r.status or 'of unknown status'}{waiting}")
    empty = sorted({r.id for r in runs} - {rec.run_id for rec in records})
    if empty:
        notes.append(f"run(s) without samples: {', '.join(empty)}")
    if not runs:
        notes.append("no runs given: every likelihood is expert-set")
    return notes


def assess(
    loaded: LoadedLog,
    records: Sequence[MetricRecord],
    *,
    runs: Sequence[RunRef] = (),
    registry: MetricRegistry | None = None,
    confidence: float = 0.95,
) -> Assessment:
    """Assess a validated hazard log against the records of some runs.

    Raises:
        ValueError: ``confidence`` outside (0, 1).
        MetricNameError: a rule names a metric the registry does not define (validate the log
            with the same registry to catch this earlier).
    """
    from codehazard import __version__

    if not 0 < confidence < 1:
        raise ArgumentError(f"confidence must be in (0, 1), got {confidence}")
    registry = registry or default_registry()
    profile, log = loaded.profile, loaded.log
    measured = _measure_all(log.hazards, records, registry, confidence)
    hazards = [assess_hazard(h, profile, registry, measured) for h in log.hazards]
    hazards.sort(key=lambda h: risk_sort_key(profile, h.risk, h.severity, h.likelihood, h.id))
    return Assessment(
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        codehazard_version=__version__,
        confidence=confidence,
        log=LogRef(
            source=loaded.source,
            sha256=loaded.sha256,
            title=log.title,
            system=log.system,
            schema_version=log.schema_version,
        ),
        profile=profile,
        runs=list(runs),
        hazards=hazards,
        measurements=measured,
        notes=_run_notes(runs, records),
    )


def assess_runs(
    loaded: LoadedLog,
    store: Any,
    run_ids: Sequence[str],
    *,
    registry: MetricRegistry | None = None,
    confidence: float = 0.95,
) -> Assessment:
    """Assess a log against runs of a ``codehazard.store.Store`` (each run id once).

    Raises:
        InputError: a run id is not in the store (the message says how to list runs).
        ValueError: ``confidence`` outside (0, 1).
    """
    runs: list[RunRef] = []
    records: list[MetricRecord] = []
    for run_id in dict.fromkeys(run_ids):
        try:
            record = load_run(store, run_id)
        except StoreError as exc:
            raise InputError(str(exc)) from None
        runs.append(RunRef.from_record(record))
        records += store.records(record.id)
    return assess(loaded, records, runs=runs, registry=registry, confidence=confidence)


def worst_risk(assessment: Assessment, *, residual: bool = False) -> str | None:
    """The highest risk level any hazard reaches (``None`` without hazards)."""
    levels = [h.residual_risk if residual else h.risk for h in assessment.hazards]
    if not levels:
        return None
    return max(levels, key=lambda lvl: risk_rank(assessment.profile, lvl))


def load_assessment(path: str | Path) -> Assessment:
    """Read an assessment JSON file written by ``codehazard assess``.

    Raises:
        HazardInputError: unreadable, not JSON, another kind of file, or a newer version.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise HazardInputError([Problem(source, f"cannot read the assessment ({why})")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HazardInputError(
            [Problem(source, f"not valid JSON: {exc.msg}", line=exc.lineno)]
        ) from None
    if not isinstance(data, dict) or data.get("kind") != ASSESSMENT_KIND:
        msg = "not a codehazard assessment (the JSON written by `codehazard assess -o`)"
        raise HazardInputError([Problem(source, msg)])
    version = data.get("schema_version")
    if isinstance(version, int) and version > ASSESSMENT_SCHEMA_VERSION:
        msg = f"version {version} is newer than this codehazard understands; upgrade codehazard"
        raise HazardInputError([Problem(source, msg, "schema_version")])
    try:
        return Assessment.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(source, e["msg"], format_loc(tuple(e["loc"])))
            for e in exc.errors(include_url=False)
        ]
        raise HazardInputError(problems) from None
