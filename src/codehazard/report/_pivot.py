"""A metric family's rows as a matrix: one row a run and selector, one column a statistic.

A probe's statistics measured overall and per value of its breakdown key
(``probe.security.insecure_rate{cwe=CWE-327}``) read as a table of categories by statistic,
the security probe's joint correctness x security table among them; a flat list of 100 rows
does not. Generic: any family whose names share a prefix and carry selectors is pivoted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from codehazard.report._model import FamilySection, MetricRow

ALL = "all"
"""The selector cell of a statistic measured without selectors."""


@dataclass(frozen=True)
class Pivot:
    """One prefix's matrix: ``columns`` are statistics, each row a run, a selector and its
    cells (``None`` where that statistic was not measured for the row)."""

    prefix: str
    columns: list[str]
    rows: list[tuple[str, str, list[MetricRow | None]]]


def _split(metric: str) -> tuple[str, str, str]:
    """``(prefix, statistic, selector)`` of a metric's text."""
    base, _, rest = metric.partition("{")
    prefix, _, statistic = base.rpartition(".")
    return prefix, statistic, rest.rstrip("}") or ALL


def pivots(section: FamilySection) -> tuple[list[Pivot], list[MetricRow]]:
    """The section's pivots (prefixes with at least one selected statistic) and its other
    rows, left flat."""
    by_prefix: dict[str, list[MetricRow]] = defaultdict(list)
    for row in section.rows:
        by_prefix[_split(row.metric)[0]].append(row)
    out, flat = [], []
    for prefix, rows in by_prefix.items():
        if not prefix or all(_split(r.metric)[2] == ALL for r in rows):
            flat += rows
            continue
        columns = list(dict.fromkeys(_split(r.metric)[1] for r in rows))
        cells: dict[tuple[str, str], dict[str, MetricRow]] = defaultdict(dict)
        for r in rows:
            _, statistic, selector = _split(r.metric)
            cells[(r.run, selector)][statistic] = r
        keys = sorted(cells, key=lambda k: (k[0], k[1] != ALL))
        out.append(
            Pivot(
                prefix=prefix,
                columns=columns,
                rows=[(run, sel, [cells[(run, sel)].get(c) for c in columns]) for run, sel in keys],
            )
        )
    return out, flat
