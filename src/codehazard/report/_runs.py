"""Reading runs for a report: the typed record, its samples and tasks, and how to name it.

A run is named by what a reader needs to tell runs apart (model, suites, samples, temperature),
not by its id alone; the warnings that change how its numbers read are derived here once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codehazard.hazards import Assessment
from codehazard.report._model import IntervalView, ReportWarning, RunView
from codehazard.runs import RunRecord, load_run
from codehazard.scoring import suite_of
from codehazard.store import Record, Store

INFRA_WARNING_RATE = 0.01
"""Above this share of ``infra`` verdicts the run's rates are suspect (harness failures)."""


@dataclass(frozen=True)
class LoadedRun:
    """A run read once: its record, its samples with verdicts, its tasks' prompts, the
    findings its scorers stored per sample key, and its view."""

    record: RunRecord
    records: list[Record]
    prompts: dict[str, str]
    findings: dict[str, list[str]]
    view: RunView

    @property
    def id(self) -> str:
        """The run id."""
        return self.record.id


def _findings(store: Store, run_id: str, scorers: Sequence[str]) -> dict[str, list[str]]:
    """Per sample key, ``scorer: category`` of every finding a scorer stored in its score's
    metadata (``findings``: a list of objects with a ``category``). Only the ``scorers``
    given are read (the sandbox's scores are the verdicts, already read)."""
    out: dict[str, list[str]] = {}
    scores = [s for name in scorers for s in store.scores(run_id, name)]
    for score in scores:
        items = score.metadata.get("findings")
        if not isinstance(items, list):
            continue
        for item in items:
            category = item.get("category") if isinstance(item, dict) else None
            if isinstance(category, str) and category:
                out.setdefault(score.key, []).append(f"{score.scorer}: {category}")
    return {k: sorted(set(v)) for k, v in out.items()}


def _isolation(record: RunRecord) -> tuple[str, list[str]]:
    iso: dict[str, Any] = dict(record.manifest.isolation or {})
    if not iso and record.summary is not None:
        iso = dict(record.summary.isolation or {})
    level = str(iso.get("level") or "unknown")
    notes = [str(n) for n in iso.get("resources") or []]
    notes += [f"error: {e}" for e in iso.get("errors") or []]
    return level, notes


def _label(model: str, suites: list[str], n: int, temperature: float | None) -> str:
    temp = "" if temperature is None else f", T={temperature:g}"
    return f"{model} on {', '.join(suites) or 'tasks'} ({n} samples{temp})"


def _view(record: RunRecord, records: Sequence[Record], probes: list[str]) -> RunView:
    manifest = record.manifest
    params = manifest.config.params
    suites = sorted({s for s in (suite_of(r) for r in records) if s})
    model = manifest.model or manifest.config.model
    level, notes = _isolation(record)
    statuses = Counter(r.status for r in records if r.status is not None)
    checked = sum(statuses.values())
    summary = record.summary
    interval = None
    if summary is not None and isinstance(summary.pass_at_1_interval, dict):
        iv = summary.pass_at_1_interval
        if isinstance(iv.get("low"), int | float) and isinstance(iv.get("high"), int | float):
            interval = IntervalView(
                low=float(iv["low"]),
                high=float(iv["high"]),
                confidence=float(iv.get("confidence", 0.95)),
                method=str(iv.get("method", "cluster-score")),
            )
    temperature = getattr(params, "temperature", None)
    return RunView(
        id=record.id,
        label=_label(model, suites, len(records), temperature),
        kind=record.kind,
        status=record.status,
        created=record.created,
        model=manifest.model,
        backend=manifest.config.model,
        simulated=bool(manifest.simulated or manifest.backend.get("simulated")),
        suites=suites,
        probes=probes,
        scorers=list(manifest.config.scorers),
        n_tasks=len({r.task_id for r in records}),
        n_samples=len(records),
        n_checked=checked,
        samples_per_task=getattr(params, "n", None) if record.kind != "evaluate" else None,
        temperature=temperature if record.kind != "evaluate" else None,
        isolation=level,
        isolation_full=level == "full",
        isolation_notes=notes,
        pass_at_1=(summary.pass_at_k.get("1") if summary else None),
        pass_at_1_interval=interval,
        status_counts=dict(sorted(statuses.items())),
        infra_rate=statuses.get("infra", 0) / checked if checked else 0.0,
        code_version=manifest.code_version,
    )


def load_runs(store: Store, run_ids: Sequence[str], *, confidence: float) -> list[LoadedRun]:
    """Each run read once, in the order given.

    Raises:
        UnknownRunError: a run id matches no run (or several).
        StoreError: the store cannot be read.
    """
    out = []
    for given in run_ids:
        record = load_run(store, given)
        records = store.records(record.id)
        tasks = store.tasks(record.id)
        probes = sorted(
            {str(t.metadata["probe"]) for t in tasks.values() if t.metadata.get("probe")}
        )
        out.append(
            LoadedRun(
                record=record,
                records=records,
                prompts={tid: t.instruction or t.prompt for tid, t in tasks.items()},
                findings=_findings(
                    store, record.id, sorted({n for r in records for n in r.scores} - {"sandbox"})
                ),
                view=_view(record, records, probes),
            )
        )
    return out


def run_warnings(
    runs: Sequence[LoadedRun], assessment: Assessment | None, *, min_samples: int
) -> list[ReportWarning]:
    """Warnings that change how the report's numbers read, one per run and cause."""
    out: list[ReportWarning] = []
    for run in runs:
        v = run.view
        if v.simulated:
            text = f"{v.id} comes from the simulator: its rates measure no model"
            out.append(ReportWarning(code="simulated", text=text, run=v.id))
        pending = v.n_samples - v.n_checked
        if v.status != "complete" or pending:
            left = f"; {pending} sample(s) not yet judged are left out" if pending else ""
            text = f"{v.id} is {v.status or 'of unknown status'}{left}"
            out.append(ReportWarning(code="unfinished", text=text, run=v.id))
        if v.infra_rate > INFRA_WARNING_RATE:
            text = (
                f"{v.id}: {v.infra_rate:.1%} of judged samples failed in the harness (infra), "
                f"above {INFRA_WARNING_RATE:.0%}: rerun or resume before trusting its rates"
            )
            out.append(ReportWarning(code="infra-rate", text=text, run=v.id))
        if v.n_checked < min_samples:
            text = (
                f"{v.id} has {v.n_checked} judged sample(s), fewer than {min_samples}: its "
                "intervals are wide and say little"
            )
            out.append(ReportWarning(code="few-samples", text=text, run=v.id))
        if not v.isolation_full:
            text = (
                f"{v.id} was judged with isolation {v.isolation!r}, less than full: generated "
                "code ran with fewer protections than the sandbox can give"
            )
            out.append(ReportWarning(code="isolation", text=text, run=v.id))
    used = {r.id for r in assessment.runs} if assessment is not None else set()
    models = {r.view.model or r.view.backend for r in runs if r.id in used}
    if len(models) > 1:
        text = (
            f"runs come from different models ({', '.join(sorted(models))}); an assessment "
            "pools their samples as if one model wrote them: compare them instead"
        )
        out.append(ReportWarning(code="pooled-models", text=text))
    if assessment is None:
        text = "no assessment given: the report has no hazard analysis and no verdict"
        out.append(ReportWarning(code="no-assessment", text=text))
    else:
        given = {r.id for r in runs}
        if used and not used <= given:
            text = (
                f"the assessment used run(s) {', '.join(sorted(used - given))} that this report "
                "does not show: its evidence links to samples not embedded here"
            )
            out.append(ReportWarning(code="assessment-runs", text=text))
    return out
