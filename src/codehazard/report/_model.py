"""The report model: everything a report shows, as one versioned pydantic document.

Why one model: the HTML page, the Markdown and the JSON are three views of the same numbers, so
they are rendered from one ``Report`` built once (``build_report``) and never recompute. The
JSON format *is* this model (``codehazard report schema`` prints its JSON Schema); the HTML and
Markdown renderers only arrange it.

The sections are generic: a run is described by its manifest and summary, capability by the
``suite``/``dimension``/``level`` metadata every suite shares, and any further family of metrics
(probes, scores, whatever a plug-in registers) lands in ``families`` as rows of measurements,
so no suite or probe needs code here. ``capability_profile`` holds a capability profile's table
when one is given, ``tables`` further plain tables (failure localisation): both rendered as
they come.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION = 1
REPORT_KIND = "codehazard.report"

Decision = Literal["accept", "accept-with-mitigations", "do-not-deploy"]
"""The overall verdict of a hazard analysis, by the profile's risk acceptance levels."""

LikelihoodSource = Literal["measured", "expert", "expert-no-data", "eliminated-by-design"]
"""Where a hazard's likelihood came from: evidence measured in the runs, expert judgement (the
hazard has no evidence rules), expert judgement because the runs held no data for its rules,
or elimination by design."""

WarningCode = Literal[
    "simulated",
    "unfinished",
    "infra-rate",
    "few-samples",
    "isolation",
    "pooled-models",
    "no-assessment",
    "samples-capped",
    "assessment-runs",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class IntervalView(BaseModel):
    """A confidence interval: its ends, level and method (``docs/metrics.md``)."""

    model_config = _FROZEN
    low: float
    high: float
    confidence: float
    method: str


class ReportWarning(BaseModel):
    """Something that changes how the numbers read (a simulated model, an unfinished run...)."""

    model_config = _FROZEN
    code: WarningCode
    text: str
    run: str | None = None


class RunView(BaseModel):
    """One run as the report names it: model, suites, counts, parameters, isolation."""

    model_config = _FROZEN
    id: str
    label: str
    kind: str
    status: str
    created: float | None = None
    model: str | None = None
    backend: str = ""
    simulated: bool = False
    suites: list[str] = Field(default_factory=list)
    probes: list[str] = Field(default_factory=list)
    scorers: list[str] = Field(default_factory=list)
    n_tasks: int = 0
    n_samples: int = 0
    n_checked: int = 0
    samples_per_task: int | None = None
    temperature: float | None = None
    isolation: str = "unknown"
    isolation_full: bool = False
    isolation_notes: list[str] = Field(default_factory=list)
    pass_at_1: float | None = None
    pass_at_1_interval: IntervalView | None = None
    status_counts: dict[str, int] = Field(default_factory=dict)
    infra_rate: float = 0.0
    code_version: str = ""


class OverallVerdict(BaseModel):
    """The conclusion a reviewer signs: accept, accept with mitigations, or do not deploy.

    ``decision`` follows the worst residual risk's acceptance in the profile; ``reasons`` say
    which hazards decided it and ``relied_on`` lists the mitigations the decision counts on
    (with their status), since accepting with mitigations is only as good as they are.
    """

    model_config = _FROZEN
    decision: Decision
    label: str
    highest_risk: str | None = None
    highest_residual_risk: str | None = None
    reasons: list[str] = Field(default_factory=list)
    relied_on: list[str] = Field(default_factory=list)


class Summary(BaseModel):
    """The first screen: what was assessed, with what, how far to trust it, and the verdict."""

    model_config = _FROZEN
    title: str
    system: str = ""
    runs: list[RunView] = Field(default_factory=list)
    models: list[str] = Field(default_factory=list)
    suites: list[str] = Field(default_factory=list)
    probes: list[str] = Field(default_factory=list)
    n_tasks: int = 0
    n_samples: int = 0
    isolation: str = "unknown"
    verdict: OverallVerdict | None = None
    risk_counts: dict[str, int] = Field(default_factory=dict)
    residual_risk_counts: dict[str, int] = Field(default_factory=dict)
    measured: list[str] = Field(default_factory=list)
    expert: list[str] = Field(default_factory=list)
    warnings: list[ReportWarning] = Field(default_factory=list)


class CurvePoint(BaseModel):
    """One level of a curve: pass@1 with its interval and counts, the composed expectation."""

    model_config = _FROZEN
    level: int | str
    n_tasks: int
    n_samples: int
    value: float
    interval: IntervalView
    composed: float | None = None
    failure_kinds: dict[str, int] = Field(default_factory=dict)


class CurveView(BaseModel):
    """pass@1 against ``key`` for one run, suite and (optionally) dimension."""

    model_config = _FROZEN
    id: str
    run: str
    run_label: str
    suite: str
    dimension: str | None = None
    key: str
    points: list[CurvePoint]
    simulated: bool = False


class MetricRow(BaseModel):
    """One measured metric of one run (or of the runs pooled, ``run`` empty)."""

    model_config = _FROZEN
    metric: str
    family: str = ""
    run: str = ""
    value: float | None = None
    interval: IntervalView | None = None
    n: int = 0
    n_tasks: int = 0
    events: int | None = None
    note: str = ""


class FailureKindRow(BaseModel):
    """How many checked samples of a run and suite failed with a status or named kind."""

    model_config = _FROZEN
    run: str
    suite: str
    kind: str
    count: int
    share: float


class Capability(BaseModel):
    """Curves per suite (and dimension), pass rates per suite, failure kinds."""

    model_config = _FROZEN
    curves: list[CurveView] = Field(default_factory=list)
    suite_rates: list[MetricRow] = Field(default_factory=list)
    failure_kinds: list[FailureKindRow] = Field(default_factory=list)


class FamilySection(BaseModel):
    """Measurements of one metric family (a probe's rates, a scorer's rate...), rendered as a
    table whatever the family is."""

    model_config = _FROZEN
    family: str
    title: str
    description: str = ""
    rows: list[MetricRow] = Field(default_factory=list)


class ProfileTable(BaseModel):
    """A table of plain cells: the capability profile's, or one of ``Report.tables`` (failure
    localisation, a probe's outcomes), rendered as it comes."""

    model_config = _FROZEN
    title: str = "Capability profile"
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class MatrixCell(BaseModel):
    """One cell of the risk matrix: its risk level, its rank (1 = lowest) and its hazards."""

    model_config = _FROZEN
    severity: str
    likelihood: str
    risk: str
    rank: int
    hazards: list[str] = Field(default_factory=list)


class Scale(BaseModel):
    """An entry of a profile scale (a severity, a likelihood or a risk level)."""

    model_config = _FROZEN
    id: str
    name: str
    definition: str = ""
    acceptance: Decision | None = None


class EvidenceView(BaseModel):
    """One evidence rule of a hazard: the value measured, the level it set, and the samples.

    ``sample_keys`` are the keys (``run:key``) of the samples behind the value that the report
    embeds; ``n_keys`` counts all of them (the assessment JSON lists every key).
    """

    model_config = _FROZEN
    id: str
    metric: str
    value: float | None = None
    interval: IntervalView | None = None
    n: int = 0
    n_tasks: int = 0
    rule: str
    level: str | None = None
    set_likelihood: bool = False
    reason: str = ""
    runs: list[str] = Field(default_factory=list)
    n_keys: int = 0
    sample_keys: list[str] = Field(default_factory=list)


class HazardRow(BaseModel):
    """A hazard as assessed: severity, likelihood and its source, risk before and after."""

    model_config = _FROZEN
    id: str
    title: str
    source: str
    status: str
    severity: str
    severity_name: str
    likelihood: str
    likelihood_name: str
    likelihood_source: LikelihoodSource
    expert_likelihood: str
    risk: str
    residual_severity: str
    residual_likelihood: str
    residual_risk: str
    residual_how: str
    rationale: str = ""
    mitigations: list[str] = Field(default_factory=list)
    evidence: list[EvidenceView] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class HazardSection(BaseModel):
    """The hazard analysis: profile scales, both matrices, the hazard table worst first."""

    model_config = _FROZEN
    log_title: str
    log_source: str
    log_sha256: str
    profile: str
    confidence: float
    assessment_runs: list[str] = Field(default_factory=list)
    severities: list[Scale]
    likelihoods: list[Scale]
    risk_levels: list[Scale]
    matrix: list[MatrixCell]
    residual_matrix: list[MatrixCell]
    hazards: list[HazardRow]
    residual_method: str
    notes: list[str] = Field(default_factory=list)


class SampleView(BaseModel):
    """One embedded sample: what was asked, answered, extracted and concluded."""

    model_config = _FROZEN
    id: str
    run: str
    key: str
    task_id: str
    index: int
    model: str = ""
    suite: str = ""
    dimension: str = ""
    level: str = ""
    status: str
    failure_kind: str = ""
    detail: str = ""
    raw_output: str = ""
    code: str = ""
    failing_input: str | None = None
    expected: str | None = None
    actual: str | None = None
    exception: str | None = None
    findings: list[str] = Field(default_factory=list)
    truncated: bool = False


class SampleSection(BaseModel):
    """The embedded samples and how they were chosen (the cap per cell, the seed)."""

    model_config = _FROZEN
    cap_per_cell: int
    seed: int
    cell: str
    text_limit: int
    total: int
    embedded: int
    prompts: dict[str, str] = Field(default_factory=dict)
    samples: list[SampleView] = Field(default_factory=list)
    note: str = ""


class Delta(BaseModel):
    """B minus A for one metric (a suite's pass@1 or a curve cell), with an interval.

    The interval of a difference of two independent rates is Newcombe's, built from each
    side's own interval (``docs/report.md``).
    """

    model_config = _FROZEN
    suite: str
    dimension: str | None = None
    level: int | str | None = None
    metric: str
    a: float | None = None
    b: float | None = None
    a_interval: IntervalView | None = None
    b_interval: IntervalView | None = None
    delta: float | None = None
    interval: IntervalView | None = None
    n_a: int = 0
    n_b: int = 0


class HazardMove(BaseModel):
    """A hazard whose risk or residual risk differs between the two sides, and why."""

    model_config = _FROZEN
    id: str
    title: str
    a_risk: str
    b_risk: str
    direction: Literal["up", "down", "same"]
    a_residual_risk: str
    b_residual_risk: str
    a_likelihood: str
    b_likelihood: str
    evidence: list[str] = Field(default_factory=list)


class Comparison(BaseModel):
    """Run B against run A: per-suite and per-cell deltas, hazards whose risk moved."""

    model_config = _FROZEN
    a: str
    b: str
    a_label: str
    b_label: str
    suites: list[Delta] = Field(default_factory=list)
    cells: list[Delta] = Field(default_factory=list)
    hazards: list[HazardMove] = Field(default_factory=list)
    hazards_unchanged: int = 0
    notes: list[str] = Field(default_factory=list)


class Report(BaseModel):
    """A whole report (versioned). Sections a report lacks are ``None`` or empty."""

    model_config = _FROZEN
    schema_version: int = REPORT_SCHEMA_VERSION
    kind: Literal["codehazard.report"] = REPORT_KIND
    created: str
    codehazard_version: str
    confidence: float
    summary: Summary
    capability: Capability
    families: list[FamilySection] = Field(default_factory=list)
    capability_profile: ProfileTable | None = None
    tables: list[ProfileTable] = Field(default_factory=list)
    """Further tables of the capability section (failure localisation per run), rendered as
    they come after the profile."""
    hazards: HazardSection | None = None
    samples: SampleSection
    comparison: Comparison | None = None


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``Report`` (what ``codehazard report schema`` prints)."""
    schema = Report.model_json_schema()
    schema["title"] = f"codehazard report, schema version {REPORT_SCHEMA_VERSION}"
    return schema


def report_json(report: Report) -> str:
    """The report as its JSON document (the ``json`` format)."""
    return report.model_dump_json(indent=2) + "\n"
