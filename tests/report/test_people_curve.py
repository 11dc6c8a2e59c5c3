"""Relative to human ability: a human baseline's participants, pooled into one curve per suite
beside the models' curves, never drawn one participant at a time."""

from __future__ import annotations

from pathlib import Path

from report_fixtures import strong, weak, write_run

from codehazard.report import build_report, report_html
from codehazard.store import Store


def test_participants_are_pooled_into_one_curve_beside_the_model(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        model = write_run(store, model="openai/m", fails=weak, samples=2)
        people = [write_run(store, model=f"human/p{k}", fails=strong, samples=1) for k in (1, 2)]
        report = build_report(store, [model, *people])
    curves = {c.run: c for c in report.capability.curves}
    assert set(curves) == {model, "people"}  # no curve of one participant alone
    pooled = curves["people"]
    assert pooled.run_label == "people (2 participants, pooled)"
    assert [p.level for p in pooled.points] == [1, 2, 3]
    # `strong` fails every participant's first (and only) sample: no one passes
    assert all(p.value == 0.0 and p.interval.method == "two-way-cluster" for p in pooled.points)
    assert all(p.n_samples == 8 and p.n_tasks == 4 for p in pooled.points)
    page = report_html(report)
    assert "people (2 participants, pooled)" in page
