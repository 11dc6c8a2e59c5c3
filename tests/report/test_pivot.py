"""A family's rows with selectors read as a matrix of selections by statistic."""

from __future__ import annotations

from codehazard.report._model import FamilySection, MetricRow
from codehazard.report._pivot import pivots


def _row(metric: str, run: str = "r1", value: float | None = 0.5) -> MetricRow:
    return MetricRow(metric=metric, run=run, value=value, n=4, n_tasks=2)


def test_selected_statistics_pivot_and_the_rest_stays_flat() -> None:
    section = FamilySection(
        family="probe.<probe>.<statistic>",
        title="t",
        rows=[
            _row("probe.security.insecure_rate"),
            _row("probe.security.incorrect_rate"),
            _row("probe.security.insecure_rate{cwe=CWE-79}"),
            _row("probe.security.incorrect_rate{cwe=CWE-79}"),
            _row("probe.security.insecure_rate{cwe=CWE-327}", value=None),
            _row("probe.packages.nonexistent_rate"),
            _row("probe.security.insecure_rate", run="r2"),
        ],
    )
    [matrix], flat = pivots(section)
    assert matrix.prefix == "probe.security"
    assert matrix.columns == ["insecure_rate", "incorrect_rate"]
    assert [(run, sel) for run, sel, _ in matrix.rows] == [
        ("r1", "all"),
        ("r1", "cwe=CWE-79"),
        ("r1", "cwe=CWE-327"),
        ("r2", "all"),
    ]
    assert matrix.rows[2][2][1] is None and matrix.rows[2][2][0].value is None
    assert [r.metric for r in flat] == ["probe.packages.nonexistent_rate"]


def test_a_family_without_selectors_stays_a_flat_list() -> None:
    section = FamilySection(family="f", title="t", rows=[_row("suite.x.score.y"), _row("a.b")])
    assert pivots(section) == ([], section.rows)
