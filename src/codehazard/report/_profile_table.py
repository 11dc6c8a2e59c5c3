"""The capability profile as the report's table: one row a dimension, model and level."""

from __future__ import annotations

from collections.abc import Sequence

from codehazard.analysis import CapabilityProfile, profile_runs
from codehazard.report._model import ProfileTable
from codehazard.store import Store

COLUMNS = ["dimension", "model", "level", "pass@1", "interval", "samples", "tasks", "failures"]


def profile_table(profile: CapabilityProfile) -> ProfileTable:
    """Rows of every cell, and one note a model and threshold: "reliable up to level N"."""
    rows: list[list[object]] = []
    notes: list[str] = []
    for dimension in profile.dimensions:
        for model in dimension.models:
            for cell in model.cells:
                failures = ", ".join(f"{k} {v}" for k, v in sorted(cell.failures.items()))
                rows.append(
                    [
                        dimension.label,
                        model.model,
                        cell.level,
                        round(cell.passed / cell.n_samples, 4) if cell.n_samples else None,
                        f"{cell.interval.low:.2f}-{cell.interval.high:.2f}",
                        cell.n_samples,
                        cell.n_tasks,
                        failures,
                    ]
                )
            for reading in model.reliability:
                up_to = "no level" if reading.reliable_up_to is None else reading.reliable_up_to
                notes.append(
                    f"{dimension.label}, {model.model}: pass@1 at or above "
                    f"{reading.threshold:g} up to level {up_to}"
                )
    labels = {d.dimension: d.label for d in profile.dimensions}
    for cell in profile.human:  # relative to human ability: the paper's line, per level
        ratios = ", ".join(
            f"{m} {'-' if r is None else f'{r:.2f}'}" for m, r in cell.ratios.items()
        )
        notes.append(
            f"relative to human ability, {labels.get(cell.dimension, cell.dimension)} level "
            f"{cell.level}: people pooled {cell.pass_rate:.2f} ({cell.interval.low:.2f}-"
            f"{cell.interval.high:.2f}; {cell.n_participants} people, {cell.n_tasks} tasks); "
            f"model / people: {ratios or '-'}"
        )
    return ProfileTable(columns=COLUMNS, rows=rows, notes=notes)


def runs_profile_table(store: Store, run_ids: Sequence[str], confidence: float) -> ProfileTable:
    """The profile table of stored runs (``analysis.profile_runs``)."""
    return profile_table(profile_runs(store, run_ids, confidence=confidence))
