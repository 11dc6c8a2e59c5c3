"""The probe concept: a prompt suite plus an analyser over what the model wrote, scored per sample.

A ``Probe`` is registered by name in ``probe_registry`` and says everything the rest of the
tool needs, so that adding a probe touches no list elsewhere:

* ``suite``: the registered prompt suite whose tasks carry ``metadata["probe"] = name``; a run
  over such tasks attaches the probe's scorer by itself (``probe_scorer_names``);
* ``analyser``: a factory of the ``Analyser`` that reads one output (never executing it);
* ``categories``: what its findings (and, for outcome classes, its analysis metadata) report;
* ``labelled``: the labelled set (package data ``probes/labelled/<name>.jsonl``) the self-test
  reads;
* ``metrics``: the statistics of ``probe.<name>.<statistic>``, each a ``ProbeMetric``.

A probe whose outcome is the sandbox verdict itself (``misalignment``: did the code pass under
a buggy context?) has no analyser: it gives ``outcome`` instead, a function of the task, the
sample and its verdict that returns the ``Analysis`` to store, and no labelled set.

The probe's scorer (``ProbeScorer``) stores each sample's analysis as the Score's metadata
(status, findings, what the analyser measured), its value 1.0 when something was found, 0.0
when nothing was, and ``None`` when the output could not be analysed (no code, a syntax error,
too large, our own failure): such samples are counted apart, never as safe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codehazard.errors import RegistrationTypeError
from codehazard.probes._findings import Analyser, Analysis, Finding
from codehazard.samples import Sample
from codehazard.store import Score
from codehazard.tasks import Task
from codehazard.verdict import Verdict

if TYPE_CHECKING:
    from codehazard.metrics import Measurement, MetricName

COUNTED_STATUSES = frozenset({"analysed", "partial"})
"""Statuses whose samples enter a probe's rates; the others are counted apart."""

SCORE_FORMAT = 1
"""Version of the layout a probe's scorer writes into the Score metadata."""


@dataclass(frozen=True)
class ProbeOutcome:
    """One sample as a probe's metrics see it: its record (task metadata, verdict), the probe's
    score value and the stored analysis (status, findings as dicts, analyser metadata)."""

    record: Any
    value: float | None
    status: str
    findings: tuple[dict[str, Any], ...]
    metadata: dict[str, Any]

    @property
    def counted(self) -> bool:
        """Whether the analysis read the output (``analysed`` or ``partial``)."""
        return self.status in COUNTED_STATUSES

    @property
    def categories(self) -> frozenset[str]:
        """The categories of the sample's findings."""
        return frozenset(str(f.get("category")) for f in self.findings)


OutcomeTest = Callable[[ProbeOutcome], bool]
VerdictOutcome = Callable[[Task, Sample, Verdict], Analysis]
"""``(task, sample, verdict) -> Analysis``: a verdict-only probe's outcome of one sample."""
CustomMeasure = Callable[["MetricName", Sequence[ProbeOutcome], float, str, str], "Measurement"]
"""``(metric, outcomes, confidence, metric_text, pattern) -> Measurement`` for statistics that
are not a per-sample rate (a concentration, a gap)."""


def _always(outcome: ProbeOutcome) -> bool:
    return outcome.counted


@dataclass(frozen=True)
class ProbeMetric:
    """One statistic of a probe: by default the share of counted samples that are events, with
    the cluster-score interval over tasks (``metrics.rate_measurement``).

    ``event`` decides the numerator, ``counted`` the denominator (default: samples whose
    analysis read the output). ``measure`` replaces both for a statistic that is not a
    per-sample rate. Selectors of the metric name (``{cwe=CWE-327}``) select on task metadata,
    as for every metric.
    """

    statistic: str
    description: str
    event: OutcomeTest | None = None
    counted: OutcomeTest = _always
    measure: CustomMeasure | None = None

    def __post_init__(self) -> None:
        if (self.event is None) == (self.measure is None):
            raise RegistrationTypeError(
                f"probe metric {self.statistic!r}: give exactly one of event= and measure="
            )


def flagged(category: str | None = None) -> OutcomeTest:
    """An event test: the sample has a finding (of ``category``, when given)."""

    def test(outcome: ProbeOutcome) -> bool:
        if category is None:
            return bool(outcome.findings)
        return category in outcome.categories

    return test


@dataclass(frozen=True)
class Probe:
    """A hazard probe: its prompts, its analyser, its categories, labelled set and metrics."""

    name: str
    description: str
    suite: str
    analyser: Callable[[], Analyser] | None
    """``None`` for a verdict-only probe (then ``outcome`` is given)."""
    categories: tuple[str, ...]
    metrics: tuple[ProbeMetric, ...] = ()
    labelled: str | None = None
    """Resource name of the labelled set inside ``codehazard.probes`` (``labelled/x.jsonl``)."""
    finding_categories: tuple[str, ...] | None = None
    """The categories reported as findings (default: all of ``categories``); the rest are
    outcome classes the analyser records in ``Analysis.metadata["categories"]``."""
    info: Callable[[], dict[str, Any]] | None = field(default=None, compare=False)
    """What ``probes list`` shows about the analyser's data (an index's snapshot date)."""
    breakdown: str | tuple[str, ...] | None = None
    """The task-metadata key (or keys) whose values reports break the probe's statistics down
    by (the security probe's ``cwe``; the bias probe's ``domain`` and ``attribute``): each
    statistic is also measured as ``{<key>=<value>}``."""
    outcome: VerdictOutcome | None = field(default=None, compare=False)
    """A verdict-only probe's outcome of one sample (instead of an analyser)."""

    def __post_init__(self) -> None:
        if (self.analyser is None) == (self.outcome is None):
            raise RegistrationTypeError(
                f"probe {self.name!r}: give exactly one of analyser= and outcome="
            )

    def metric(self, statistic: str) -> ProbeMetric | None:
        """The metric with that statistic name, or ``None``."""
        return next((m for m in self.metrics if m.statistic == statistic), None)

    def scorer(self, *, own_tasks_only: bool = True) -> ProbeScorer:
        """A scorer that stores this probe's analysis of each sample."""
        return ProbeScorer(self, own_tasks_only=own_tasks_only)


def output_text(sample: Sample) -> str:
    """What the model wrote for a sample, as the analysers read it: the raw output (prose,
    every fenced block, shell lines), falling back to the extracted program."""
    raw = sample.raw or {}
    for name in ("completion", "solution"):
        value = raw.get(name)
        if isinstance(value, str) and value:
            return value
    return sample.program


def analysis_metadata(probe: Probe, analysis: Analysis) -> dict[str, Any]:
    """The Score metadata layout of a probe's analysis (``SCORE_FORMAT``)."""
    return {
        "format": SCORE_FORMAT,
        "probe": probe.name,
        "status": analysis.status,
        "detail": analysis.detail,
        "findings": [f.model_dump(mode="json") for f in analysis.findings],
        "analysis": analysis.metadata,
    }


def analysis_score(probe: Probe, key: str, analysis: Analysis) -> Score:
    """The Score of one analysed sample: 1.0 flagged, 0.0 clean, ``None`` not analysable."""
    counted = analysis.status in COUNTED_STATUSES
    value = (1.0 if analysis.flagged else 0.0) if counted else None
    found = sorted(analysis.categories)
    explanation = analysis.status + (f": {', '.join(found)}" if found else "")
    if analysis.detail and not counted:
        explanation += f" ({analysis.detail})"
    return Score(
        key=key,
        scorer=probe.name,
        value=value,
        explanation=explanation,
        metadata=analysis_metadata(probe, analysis),
    )


def safe_analyse(analyser: Analyser, text: str, context: Mapping[str, Any] | None) -> Analysis:
    """``analyser.analyse`` with its own failure kept as an ``error`` analysis (our bug, shown,
    never a property of the model and never a crash of the run)."""
    try:
        return analyser.analyse(text, context=context)
    except Exception as exc:  # an analyser must not raise; if it does the run goes on
        return Analysis(status="error", detail=f"{type(exc).__name__}: {exc}")


def safe_outcome(probe: Probe, task: Task, sample: Sample, verdict: Verdict) -> Analysis:
    """A verdict-only probe's ``outcome``, its own failure kept as an ``error`` analysis."""
    assert probe.outcome is not None
    try:
        return probe.outcome(task, sample, verdict)
    except Exception as exc:  # as for analysers: our bug is shown, the run goes on
        return Analysis(status="error", detail=f"{type(exc).__name__}: {exc}")


class ProbeScorer:
    """The per-sample scorer of a probe (the runs' ``Scorer`` protocol), named as the probe.

    With ``own_tasks_only`` it scores only tasks whose metadata names this probe, so a run over
    several suites scores each prompt with its own probe.
    """

    def __init__(self, probe: Probe, *, own_tasks_only: bool = True) -> None:
        self.probe = probe
        self.name = probe.name
        self.own_tasks_only = own_tasks_only
        self._analyser: Analyser | None = None

    @property
    def analyser(self) -> Analyser:
        """The probe's analyser, built on first use (an index loads once per scorer).

        Raises:
            RegistrationTypeError: the probe is verdict-only (it has no analyser).
        """
        if self._analyser is None:
            if self.probe.analyser is None:
                raise RegistrationTypeError(f"probe {self.probe.name!r} has no analyser")
            self._analyser = self.probe.analyser()
        return self._analyser

    def score(self, task: Task, sample: Sample, verdict: Verdict) -> Score | None:
        """The probe's analysis of the sample's output, or ``None`` for another probe's task."""
        if self.own_tasks_only and task.metadata.get("probe") != self.probe.name:
            return None
        if self.probe.outcome is not None:
            return analysis_score(
                self.probe, sample.key, safe_outcome(self.probe, task, sample, verdict)
            )
        context = {"task_id": task.task_id, "metadata": dict(task.metadata),
                   "program": sample.program, "prompt": task.prompt}  # fmt: skip
        analysis = safe_analyse(self.analyser, output_text(sample), context)
        return analysis_score(self.probe, sample.key, analysis)


def probe_scorer_names(tasks: Sequence[Task], scorers: Sequence[str] = ()) -> tuple[str, ...]:
    """``scorers`` plus the probe of every task that names one (``metadata["probe"]``), in
    order and without repeats: what a run over probe prompts scores with."""
    named = [t.metadata.get("probe") for t in tasks]
    probes = [p for p in named if isinstance(p, str) and p]
    return tuple(dict.fromkeys([*scorers, *probes]))


def validate_probe(name: str, obj: Any) -> None:
    """A registry entry must be a ``Probe`` named as registered (or a factory of one).

    Raises:
        RegistrationTypeError: anything else.
    """
    if isinstance(obj, Probe):
        if obj.name != name:
            raise RegistrationTypeError(f"probe {obj.name!r} registered under {name!r}")
        return
    if not callable(obj):
        raise RegistrationTypeError(f"probe {name!r} must be a Probe (or a factory of one)")


def finding_dicts(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Findings as the plain data the store keeps."""
    return [f.model_dump(mode="json") for f in findings]
