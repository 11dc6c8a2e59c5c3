"""Relative to human ability: a curve's levels beside the participants' pooled rate.

Per suite and level: the model's pass@1, the composed expectation (what a reliable composer of
its own single blocks would score, the curve's other yardstick), the participants' pooled pass
rate with its interval over participants and tasks (``scoring.crossed_rate``), and the ratio of
the model's pass@1 to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from codehazard.scoring import Curve, Scorable, human_ratio, pooled_levels, suite_of


def human_comparison(
    curves: Sequence[Curve], people: Mapping[str, Sequence[Scorable]], *, confidence: float = 0.95
) -> list[dict[str, Any]]:
    """One row per suite and level that both the curve and the participants have."""
    rows: list[dict[str, Any]] = []
    for curve in curves:
        mine = {
            who: [r for r in recs if curve.suite is None or suite_of(r) == curve.suite]
            for who, recs in people.items()
        }
        pooled = {
            p.level: p.rate
            for p in pooled_levels(mine, key=curve.key, by_dimension=False, confidence=confidence)
        }
        composed = {
            g.level: g.product for g in (curve.composition.levels if curve.composition else [])
        }
        for point in curve.levels:
            rate = pooled.get(int(point.level))
            if rate is None:
                continue
            rows.append({
                "suite": curve.suite, "level": int(point.level), "pass_at_1": point.pass_at_1,
                "composed_expectation": composed.get(int(point.level)),
                "human_pass_rate": rate.value,
                "human_interval": None if rate.interval is None
                else {"low": rate.interval.low, "high": rate.interval.high},
                "human_participants": rate.n_participants, "human_tasks": rate.n_tasks,
                "ratio": human_ratio(point.pass_at_1, rate.value),
            })  # fmt: skip
    return rows


def human_comparison_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The rows as a text table (nothing when there are none)."""
    if not rows:
        return []
    out = [
        "",
        "relative to human ability (people pooled; interval over participants and tasks)",
        "  suite  level  pass@1  composed  people [interval] (n people, tasks)  ratio",
    ]
    for r in rows:
        c = "-" if r["composed_expectation"] is None else f"{r['composed_expectation']:.2f}"
        iv = r["human_interval"] or {"low": 0.0, "high": 1.0}
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        out.append(
            f"  {r['suite'] or '-'}  {r['level']}  {r['pass_at_1']:.2f}  {c}  "
            f"{r['human_pass_rate']:.2f} [{iv['low']:.2f}, {iv['high']:.2f}] "
            f"({r['human_participants']}, {r['human_tasks']})  {ratio}"
        )
    return out
