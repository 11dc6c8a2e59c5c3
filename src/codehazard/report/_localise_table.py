"""Failure localisation as report tables: which step of a chain the failing samples got wrong.

The diagnoses come from ``analysis.localise_run`` (it reruns failing samples in the sandbox, so
the caller runs it, and the report only arranges the summary): one table of faults by kind and
certainty, one of the blocks the exact diagnoses name, and notes on what was examined.
"""

from __future__ import annotations

from codehazard.analysis import LocalisationSummary
from codehazard.report._model import ProfileTable

KIND_COLUMNS = ["fault", "unique", "tied (shared)", "partial (>= 80% of outputs)"]


def _num(value: float) -> float | int:
    return int(value) if value == int(value) else round(value, 2)


def _levels(counts: dict[int | None, int]) -> str:
    return ", ".join(f"{'-' if k is None else k}: {n}" for k, n in counts.items())


def localisation_tables(run_label: str, summary: LocalisationSummary) -> list[ProfileTable]:
    """The tables of one run's localisation summary (none when nothing was examined)."""
    if summary.total == 0 and not summary.not_localised:
        return []
    certainty = summary.certainty
    notes = [
        f"{summary.total} failing sample(s) re-run and diagnosed: {certainty['unique']} "
        f"unique, {certainty['tied']} tied (several single-step faults fit exactly; each "
        f"counts a share), {certainty['partial']} partial, {certainty['none']} without a step."
    ]
    if summary.failing_by_level:
        notes.append(
            f"Examined per level: {_levels(summary.examined_by_level)}; failing per level: "
            f"{_levels(summary.failing_by_level)}."
        )
    if summary.outcomes:
        notes.append(
            "Without a step: " + ", ".join(f"{k} {n}" for k, n in summary.outcomes.items()) + "."
        )
    if summary.not_localised:
        notes.append(
            "Not examined: " + ", ".join(f"{k} {n}" for k, n in summary.not_localised.items()) + "."
        )
    if "alternative-reading" in summary.by_kind:
        notes.append(
            "alternative-reading: a defensible reading of the docstring line that the tests "
            "reject; the wording's fault rather than the model's."
        )
    kinds = ProfileTable(
        title=f"Failure localisation, {run_label}: faults by kind",
        columns=KIND_COLUMNS,
        rows=[
            [kind, _num(c["unique"]), _num(c["tied"]), _num(c["partial"])]
            for kind, c in summary.by_kind.items()
        ],
        notes=notes,
    )
    out = [kinds]
    if summary.by_block:
        names = sorted({k for kinds_ in summary.by_block.values() for k in kinds_})
        out.append(
            ProfileTable(
                title=f"Failure localisation, {run_label}: blocks named by exact diagnoses",
                columns=["block", *names],
                rows=[
                    [block, *(_num(counts.get(k, 0)) for k in names)]
                    for block, counts in summary.by_block.items()
                ],
            )
        )
    return out
