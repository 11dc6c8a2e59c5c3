"""The HTML report: one self-contained file that works offline and from ``file://``.

Nothing is fetched: the stylesheet and script are inline (``_assets``), plots are inline SVG
(``_svg``), code is highlighted here (``_highlight``). The page is built from a ``Report``
only. Accessibility: one ``h1``, a heading per section and sub-section, landmarks (``header``,
``nav``, ``main``, ``footer``), a caption on every table, every plot followed by a table of its
numbers, a colour scale ordered by lightness, and controls that are native and reachable by
keyboard (a skip link first). The hazard analysis, comparison and samples sections are in
``_html_parts``.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from codehazard.report._assets import CSS, JS
from codehazard.report._html_parts import (
    comparison_html,
    hazards_html,
    interval_text,
    pct,
    samples_html,
    table,
)
from codehazard.report._model import CurveView, MetricRow, ProfileTable, Report, RunView
from codehazard.report._pivot import Pivot, pivots
from codehazard.report._svg import Series, curve_svg


def _runs_table(runs: list[RunView]) -> str:
    rows = []
    for r in runs:
        sim = ' <span class="sim">simulated</span>' if r.simulated else ""
        iv = interval_text(r.pass_at_1_interval)
        rows.append(
            [
                f"<code>{escape(r.id)}</code>",
                escape(r.model or r.backend) + sim,
                escape(", ".join(r.suites) or "-"),
                escape(", ".join(r.probes) or "-"),
                f'<td class="num">{r.n_tasks}</td>',
                f'<td class="num">{r.n_samples}</td>',
                "-" if r.samples_per_task is None else str(r.samples_per_task),
                "-" if r.temperature is None else f"{r.temperature:g}",
                escape(r.isolation) + ("" if r.isolation_full else " (less than full)"),
                escape(r.status),
                f"{pct(r.pass_at_1)} {iv}",
                f"{r.infra_rate:.1%}",
            ]
        )
    head = [
        "Run",
        "Model",
        "Suites",
        "Probes",
        "Tasks",
        "Samples",
        "Samples per task",
        "Temperature",
        "Isolation",
        "Status",
        "pass@1 [interval]",
        "Infra rate",
    ]
    return table("Runs in this report", head, rows, table_id="runs-table")


def _summary(report: Report) -> str:
    s = report.summary
    out = ['<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>']
    if s.system:
        out.append(f"<p><strong>System assessed:</strong> {escape(s.system)}</p>")
    v = s.verdict
    if v is not None:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in v.reasons)
        out.append(
            f'<div class="verdict {v.decision}" role="status" id="verdict">'
            f"<h3>Overall verdict: {escape(v.label)}</h3>"
            f"<p>Highest risk {escape(v.highest_risk or '-')}, after mitigation "
            f"{escape(v.highest_residual_risk or '-')} (by the profile's risk acceptance "
            f"levels).</p><ul>{reasons}</ul></div>"
        )
    cards = [
        ("Models", ", ".join(s.models) or "-"),
        ("Suites", ", ".join(s.suites) or "-"),
        ("Probes", ", ".join(s.probes) or "none"),
        ("Samples", f"{s.n_samples:,} over {s.n_tasks:,} tasks"),
        ("Isolation", s.isolation),
    ]
    out.append('<div class="cards">')
    out += [
        f'<div class="card"><div class="muted">{escape(k)}</div><div class="big">'
        f"{escape(val)}</div></div>"
        for k, val in cards
    ]
    out.append("</div>")
    if s.warnings:
        out.append('<h3 id="warnings-h">Read the numbers with these in mind</h3>')
        out.append('<ul class="warnings" aria-labelledby="warnings-h" id="warnings">')
        out += [f'<li data-code="{escape(w.code)}">{escape(w.text)}</li>' for w in s.warnings]
        out.append("</ul>")
    out.append(_runs_table(s.runs))
    if s.risk_counts:
        rows = [
            [
                escape(lvl),
                f'<td class="num">{n}</td>',
                f'<td class="num">{s.residual_risk_counts.get(lvl, 0)}</td>',
            ]
            for lvl, n in s.risk_counts.items()
        ]
        out.append(table("Hazards by risk level", ["Risk", "Hazards", "After mitigation"], rows))
        out.append(
            f"<p><strong>Measured:</strong> {len(s.measured)} hazard(s) have a likelihood set by "
            f"evidence from the runs ({escape(', '.join(s.measured) or 'none')}); "
            f"<strong>expert judgement:</strong> {len(s.expert)} "
            f"({escape(', '.join(s.expert) or 'none')}).</p>"
        )
    out.append("</section>")
    return "\n".join(out)


def _plot_groups(curves: list[CurveView]) -> dict[tuple[str, str | None], list[CurveView]]:
    groups: dict[tuple[str, str | None], list[CurveView]] = defaultdict(list)
    for c in curves:
        groups[(c.suite, c.dimension)].append(c)
    return groups


def _curve_figure(n: int, suite: str, dim: str | None, curves: list[CurveView]) -> str:
    series: list[Series] = []
    rows = []
    several = len(curves) > 1
    for c in curves:
        tag = " (simulated)" if c.simulated else ""
        name = (c.run_label if several else "observed pass@1") + tag
        series.append(
            Series(
                name, [(str(p.level), p.value, p.interval.low, p.interval.high) for p in c.points]
            )
        )
        composed = [
            (str(p.level), p.composed, None, None) for p in c.points if p.composed is not None
        ]
        if composed:
            series.append(
                Series(
                    f"composed expectation{' ' + c.run if several else ''}",
                    composed,
                    yardstick=True,
                )
            )  # type: ignore[arg-type]
        for p in c.points:
            kinds = ", ".join(f"{k} {v}" for k, v in p.failure_kinds.items()) or "-"
            rows.append(
                [
                    escape(c.run_label),
                    escape(str(p.level)),
                    f'<td class="num">{p.n_tasks}</td>',
                    f'<td class="num">{p.n_samples}</td>',
                    f'<td class="num">{pct(p.value)}</td>',
                    interval_text(p.interval),
                    pct(p.composed),
                    escape(kinds),
                ]
            )
    what = f"{suite}" + (f", dimension {dim}" if dim else "")
    models = ", ".join(dict.fromkeys(c.run_label for c in curves))
    sim = " [simulated model]" if any(c.simulated for c in curves) else ""
    title = f"pass@1 by level: {what}{sim}"
    plot_id = f"plot-{n}"
    svg = curve_svg(
        title,
        "level",
        series,
        plot_id=plot_id,
        desc=f"pass@1 with {curves[0].points[0].interval.confidence:.0%} intervals per level for "
        f"{models}",
    )
    head = ["Run", "Level", "Tasks", "Samples", "pass@1", "Interval", "Composed", "Failure kinds"]
    data = table(f"Data of the plot: {title}", head, rows, table_id=f"{plot_id}-table")
    return (
        f'<figure aria-labelledby="{plot_id}-cap">{svg}'
        f'<figcaption id="{plot_id}-cap">{escape(title)}'
        f" ({escape(models)}); shaded: the interval band; dashed: the expectation composed "
        f"from single-block rates where the tasks name their blocks.</figcaption></figure>"
        f'<details class="plot-data"><summary>Table of this plot</summary>{data}</details>'
    )


def _capability(report: Report) -> str:
    cap = report.capability
    out = [
        '<section id="capability" aria-labelledby="capability-h">',
        '<h2 id="capability-h">Capability</h2>',
    ]
    for n, ((suite, dim), curves) in enumerate(_plot_groups(cap.curves).items()):
        out.append(f"<h3>{escape(suite)}{escape(', ' + dim if dim else '')}</h3>")
        out.append(_curve_figure(n, suite, dim, curves))
    rows = [
        [
            f"<code>{escape(r.run)}</code>",
            f"<code>{escape(r.metric)}</code>",
            f'<td class="num">{pct(r.value)}</td>',
            interval_text(r.interval),
            f'<td class="num">{r.n}</td>',
            f'<td class="num">{r.n_tasks}</td>',
        ]
        for r in cap.suite_rates
    ]
    out.append(
        table(
            "pass@1 per suite",
            ["Run", "Metric", "Value", "Interval", "Samples", "Tasks"],
            rows,
            table_id="suite-rates",
        )
    )
    rows = [
        [
            f"<code>{escape(r.run)}</code>",
            escape(r.suite),
            escape(r.kind),
            f'<td class="num">{r.count}</td>',
            f'<td class="num">{r.share:.1%}</td>',
        ]
        for r in cap.failure_kinds
    ]
    out.append(
        table(
            "Failures by kind (named failure kind, else the verdict's status)",
            ["Run", "Suite", "Kind", "Samples", "Share of judged"],
            rows,
            table_id="failure-kinds",
        )
    )
    if report.capability_profile is not None:
        out += _plain_table(report.capability_profile, "capability-profile")
    for n, extra in enumerate(report.tables):
        out += _plain_table(extra, f"table-{n + 1}")
    out.append("</section>")
    return "\n".join(out)


def _plain_table(t: ProfileTable, table_id: str) -> list[str]:
    """A table of plain cells with its heading and notes."""
    out = [f"<h3>{escape(t.title)}</h3>"]
    out.append(
        table(
            t.title,
            [escape(c) for c in t.columns],
            [[escape(str(c)) for c in row] for row in t.rows],
            table_id=table_id,
        )
    )
    return out + [f'<p class="muted">{escape(n)}</p>' for n in t.notes]


def _pivot_table(m: Pivot) -> str:
    """A pivot as a table: a cell is the value, its interval and the samples behind it."""

    def cell(r: MetricRow | None) -> str:
        if r is None or r.value is None:
            return "-"
        title = f' title="{escape(r.note)}"' if r.note else ""
        return (
            f'<td class="num"{title}>{pct(r.value)} {interval_text(r.interval)} '
            f'<span class="muted">n={r.n}</span></td>'
        )

    rows = [
        [f"<code>{escape(run or '-')}</code>", f"<code>{escape(sel)}</code>"]
        + [cell(c) for c in cells]
        for run, sel, cells in m.rows
    ]
    head = ["Run", "Selection"] + [f"<code>{escape(c)}</code>" for c in m.columns]
    return table(f"{m.prefix}: each statistic by selection", head, rows)


def _families(report: Report) -> str:
    if not report.families:
        return ""
    out = [
        '<section id="measurements" aria-labelledby="measurements-h">',
        '<h2 id="measurements-h">Measurements by metric family</h2>',
        '<p class="muted">Every metric family the runs hold (probes, scorers, the hazard '
        "analysis's evidence), as measured, with intervals.</p>",
    ]
    for f in report.families:
        matrices, flat = pivots(f)
        out.append(f"<h3>{escape(f.title)}</h3>")
        for m in matrices:
            out.append(_pivot_table(m))
        if not flat:
            continue
        rows = [
            [
                f"<code>{escape(r.run or '-')}</code>",
                f"<code>{escape(r.metric)}</code>",
                f'<td class="num">{pct(r.value)}</td>',
                interval_text(r.interval),
                f'<td class="num">{r.n}</td>',
                f'<td class="num">{r.n_tasks}</td>',
                escape(r.note),
            ]
            for r in flat
        ]
        out.append(
            table(f.title, ["Run", "Metric", "Value", "Interval", "Samples", "Tasks", "Note"], rows)
        )
    out.append("</section>")
    return "\n".join(out)


def report_html(report: Report) -> str:
    """The whole report as one HTML document (a string; the caller writes it)."""
    s = report.summary
    sections = [
        ("summary", "Summary", _summary(report)),
        ("capability", "Capability", _capability(report)),
        ("measurements", "Measurements", _families(report)),
        ("hazards", "Hazard analysis", hazards_html(report)),
        ("comparison", "Comparison", comparison_html(report)),
        ("samples", "Samples", samples_html(report)),
    ]
    present = [(sid, name, html) for sid, name, html in sections if html]
    toc = "".join(f'<li><a href="#{sid}">{escape(name)}</a></li>' for sid, name, _ in present)
    runs = ", ".join(r.label for r in s.runs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(s.title)}: codehazard report</title><style>{CSS}</style></head><body>"
        '<a class="skip" href="#main">Skip to the report</a>'
        f'<header class="top"><h1>{escape(s.title)}</h1><p class="muted">{escape(runs)}. '
        f"Created {escape(report.created)} by codehazard {escape(report.codehazard_version)}; "
        f"intervals at {report.confidence:.0%} confidence (report schema "
        f"{report.schema_version}).</p></header>"
        f'<nav class="toc" aria-label="Sections"><ul>{toc}</ul></nav>'
        f'<main id="main" tabindex="-1">{"".join(h for _, _, h in present)}</main>'
        '<footer class="muted" style="padding:1em 2em">Made by codehazard; the JSON form of '
        "this report (<code>--format json</code>) carries the same numbers.</footer>"
        f"<script>{JS}</script></body></html>\n"
    )
