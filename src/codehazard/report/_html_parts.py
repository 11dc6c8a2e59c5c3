"""Parts of the HTML report: tables, the hazard analysis, the comparison and the samples.

Every value is escaped here (``html.escape``); data for the script travels as JSON inside a
``<script type="application/json">`` element with ``</`` escaped, so no sample text can end
it early.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from codehazard.report._highlight import highlight_python
from codehazard.report._model import (
    Comparison,
    Delta,
    HazardSection,
    IntervalView,
    MatrixCell,
    Report,
    SampleView,
)
from codehazard.report._svg import delta_svg, risk_colour


def pct(value: float | None) -> str:
    """``42.0%`` or ``-``."""
    return "-" if value is None else f"{100 * value:.1f}%"


def interval_text(iv: IntervalView | None) -> str:
    """``[38.1%, 45.9%]`` or ``-``."""
    return "-" if iv is None else f"[{pct(iv.low)}, {pct(iv.high)}]"


def table(
    caption: str,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    table_id: str | None = None,
) -> str:
    """A table with a caption and column headers; cells are HTML (a cell that is already a
    ``<td ...>`` is kept as it is)."""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    ths = "".join(f'<th scope="col">{h}</th>' for h in head)
    body = []
    for row in rows:
        cells = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row)
        body.append(f"<tr>{cells}</tr>")
    if not rows:
        body.append(f'<tr><td colspan="{len(head)}" class="muted">none</td></tr>')
    return (
        f"<table{ident}><caption>{escape(caption)}</caption><thead><tr>{ths}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _matrix(h: HazardSection, cells: list[MatrixCell], caption: str, table_id: str) -> str:
    levels = len(h.risk_levels)
    by = {(c.severity, c.likelihood): c for c in cells}
    head = "".join(
        f'<th scope="col">{escape(lk.id)} {escape(lk.name)}</th>' for lk in h.likelihoods
    )
    rows = []
    for s in h.severities:
        tds = []
        for lk in h.likelihoods:
            c = by[(s.id, lk.id)]
            bg, fg = risk_colour(c.rank, levels)
            ids = ", ".join(
                f'<a href="#hz-{escape(i)}" style="color:{fg}">{escape(i)}</a>' for i in c.hazards
            )
            tds.append(
                f'<td style="background:{bg};color:{fg}" data-risk="{escape(c.risk)}">'
                f'{escape(c.risk)}<span class="ids">{ids}</span></td>'
            )
        rows.append(f'<tr><th scope="row">{escape(s.id)} {escape(s.name)}</th>{"".join(tds)}</tr>')
    return (
        f'<table class="matrix" id="{table_id}"><caption>{escape(caption)}</caption><thead><tr>'
        f'<th scope="col">Severity \\ Likelihood</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _evidence_rows(h: HazardSection) -> str:
    out = []
    for hz in h.hazards:
        if not hz.evidence:
            continue
        rows = []
        for e in hz.evidence:
            link = (
                f'<a href="#evidence={escape(e.id)}" class="evidence-link" '
                f'data-evidence="{escape(e.id)}">{len(e.sample_keys)} embedded of {e.n_keys} '
                "samples</a>"
                if e.sample_keys
                else f"{e.n_keys} samples (none embedded)"
            )
            value = "no data" if e.value is None else pct(e.value)
            set_ = " (set the likelihood)" if e.set_likelihood else ""
            rows.append(
                [
                    f"<code>{escape(e.metric)}</code>",
                    f'<td class="num">{value}</td>',
                    interval_text(e.interval),
                    f'<td class="num">{e.n}</td>',
                    escape(e.rule),
                    escape((e.level or "-") + set_),
                    escape(e.reason),
                    link,
                ]
            )
        head = [
            "Metric",
            "Value",
            "Interval",
            "Samples",
            "Rule",
            "Level",
            "Why",
            "Samples behind it",
        ]
        out.append(table(f"Evidence for {hz.id}", head, rows, table_id=f"evidence-{hz.id}"))
    return "".join(out)


def hazards_html(report: Report) -> str:
    """The hazard-analysis section (empty without an assessment)."""
    h = report.hazards
    if h is None:
        return ""
    levels = [
        [escape(r.id), escape(r.acceptance or "-").replace("-", " "), escape(r.definition)]
        for r in h.risk_levels
    ]
    notes = "".join(f"<li>{escape(n)}</li>" for n in h.notes)
    return (
        '<section id="hazards" aria-labelledby="hazards-h"><h2 id="hazards-h">Hazard analysis</h2>'
        f"<p>Hazard log <strong>{escape(h.log_title)}</strong> "
        f"(<code>{escape(h.log_source)}</code>, "
        f"sha256 {escape(h.log_sha256[:12])}); profile {escape(h.profile)}; assessed on run(s) "
        f"{escape(', '.join(h.assessment_runs) or 'none')}.</p>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + '<h3>Risk matrix</h3><p class="muted">Darker cells are higher risk; each cell names '
        "its risk level and the hazards in it.</p>"
        + _matrix(h, h.matrix, "Risk matrix before mitigation", "matrix-before")
        + _matrix(h, h.residual_matrix, "Risk matrix after mitigation (residual)", "matrix-after")
        + table(
            "Risk levels and what they mean for deployment",
            ["Risk", "Acceptance", "Meaning"],
            levels,
        )
        + f"<p>{escape(h.residual_method)}</p>"
        + "<h3>Hazards, worst risk first</h3>"
        + _hazard_table(h)
        + "<h3>Evidence</h3>"
        + _evidence_rows(h)
        + "</section>"
    )


_HAZARD_HEAD = [
    "Risk",
    "Id",
    "Hazard",
    "Source",
    "Severity",
    "Likelihood",
    "Likelihood from",
    "Residual risk",
    "How the residual was derived",
    "Mitigations",
]


def _hazard_table(h: HazardSection) -> str:
    rows = []
    for hz in h.hazards:
        rows.append(
            [
                f'<td class="num">{escape(hz.risk)}</td>',
                f'<a id="hz-{escape(hz.id)}"></a><strong>{escape(hz.id)}</strong>',
                escape(hz.title),
                escape(hz.source),
                f"{escape(hz.severity)} {escape(hz.severity_name)}",
                f"{escape(hz.likelihood)} {escape(hz.likelihood_name)}",
                escape(hz.likelihood_source.replace("-", " "))
                + (
                    f" (expert: {escape(hz.expert_likelihood)})"
                    if hz.likelihood_source == "measured"
                    else ""
                ),
                f"{escape(hz.residual_risk)} "
                f"({escape(hz.residual_severity)}{escape(hz.residual_likelihood)})",
                escape(hz.residual_how),
                escape("; ".join(hz.mitigations) or "-"),
            ]
        )
    return table("Hazards sorted by risk", _HAZARD_HEAD, rows, table_id="hazard-table")


def _delta_rows(deltas: Sequence[Delta], cells: bool) -> list[list[str]]:
    rows = []
    for d in deltas:
        where = escape(d.suite) + (f", {escape(d.dimension)}" if d.dimension else "")
        if cells:
            where += f", level {escape(str(d.level))}"
        delta = "-" if d.delta is None else f"{100 * d.delta:+.1f} pts"
        iv = (
            "-"
            if d.interval is None
            else f"[{100 * d.interval.low:+.1f}, {100 * d.interval.high:+.1f}]"
        )
        rows.append(
            [
                where,
                f'<td class="num">{pct(d.a)}</td>',
                f'<td class="num">{pct(d.b)}</td>',
                f'<td class="num delta">{delta}</td>',
                iv,
                f'<td class="num">{d.n_a}</td>',
                f'<td class="num">{d.n_b}</td>',
            ]
        )
    return rows


def comparison_html(report: Report) -> str:
    """The comparison section (empty unless two runs were compared)."""
    c = report.comparison
    if c is None:
        return ""
    head = ["Where", "A", "B", "B - A", "Interval (pts)", "Samples A", "Samples B"]
    plotted = [
        (
            d.suite + (f" L{d.level}" if d.level is not None else ""),
            d.delta,
            d.interval.low,
            d.interval.high,
        )
        for d in c.suites + c.cells
        if d.delta is not None and d.interval is not None
    ]
    notes = "".join(f"<li>{escape(n)}</li>" for n in c.notes)
    return (
        '<section id="comparison" aria-labelledby="comparison-h"><h2 id="comparison-h">'
        "Comparison</h2>"
        f"<p><strong>A</strong>: {escape(c.a_label)} (<code>{escape(c.a)}</code>)<br>"
        f"<strong>B</strong>: {escape(c.b_label)} (<code>{escape(c.b)}</code>)</p><ul>{notes}</ul>"
        + (
            "<figure>"
            + delta_svg("pass@1 difference B - A, with intervals", plotted, plot_id="plot-delta")
            + "<figcaption>Each line is the interval of the difference; the diamond its value; "
            "the dashed line no difference.</figcaption></figure>"
            if plotted
            else ""
        )
        + table(
            "pass@1 per suite, B against A",
            head,
            _delta_rows(c.suites, False),
            table_id="delta-suites",
        )
        + table(
            "pass@1 per cell (suite and level), B against A",
            head,
            _delta_rows(c.cells, True),
            table_id="delta-cells",
        )
        + _moves_table(c)
        + "</section>"
    )


_MOVES_HEAD = [
    "Id",
    "Hazard",
    "Risk A → B",
    "Direction",
    "Residual A → B",
    "Likelihood A → B",
    "Evidence that moved",
]


def _moves_table(c: Comparison) -> str:
    moves = [
        [
            escape(m.id),
            escape(m.title),
            f"{escape(m.a_risk)} → {escape(m.b_risk)}",
            escape(m.direction),
            f"{escape(m.a_residual_risk)} → {escape(m.b_residual_risk)}",
            f"{escape(m.a_likelihood)} → {escape(m.b_likelihood)}",
            "<br>".join(escape(e) for e in m.evidence) or "-",
        ]
        for m in c.hazards
    ]
    caption = f"Hazards whose risk moved ({c.hazards_unchanged} unchanged)"
    return table(caption, _MOVES_HEAD, moves, table_id="hazard-moves")


def _pre(label: str, text: str | None, *, code: bool = False) -> str:
    if text is None or text == "":
        return ""
    inner = highlight_python(text) if code else escape(text)
    cls = ' class="code"' if code else ""
    return f"<h4>{escape(label)}</h4><pre{cls}>{inner}</pre>"


def _sample(s: SampleView, prompt: str | None) -> str:
    findings = " ".join(f.replace(" ", "") for f in s.findings)
    attrs = " ".join(
        f'data-{k}="{escape(v)}"'
        for k, v in (
            ("id", s.id),
            ("run", s.run),
            ("task", s.task_id),
            ("suite", s.suite),
            ("level", s.level),
            ("status", s.status),
            ("model", s.model),
            ("findings", findings),
        )
    )
    verdict = [
        f"<li>status <strong>{escape(s.status)}</strong>"
        + (f", kind {escape(s.failure_kind)}" if s.failure_kind else "")
        + (f": {escape(s.detail)}" if s.detail else "")
        + "</li>"
    ]
    for label, value in (
        ("failing input", s.failing_input),
        ("expected", s.expected),
        ("actual", s.actual),
        ("exception", s.exception),
    ):
        if value:
            verdict.append(f"<li>{label}: <code>{escape(value)}</code></li>")
    if s.findings:
        verdict.append(f"<li>findings: {escape(', '.join(s.findings))}</li>")
    cut = '<p class="muted">long fields cut for the report</p>' if s.truncated else ""
    return (
        f'<article class="sample status-{escape(s.status)}" id="sample-{escape(s.id)}" {attrs}>'
        f"<details><summary><code>{escape(s.task_id)}</code> #{s.index} · "
        f"<strong>{escape(s.status)}</strong> · {escape(s.model)} · level {escape(s.level or '-')}"
        f'</summary><div class="body"><ul>{"".join(verdict)}</ul>{cut}'
        + _pre("Prompt", prompt)
        + _pre("Raw model output", s.raw_output)
        + _pre("Extracted code", s.code, code=True)
        + "</div></details></article>"
    )


def _select(name: str, label: str, values: Sequence[str]) -> str:
    opts = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
    return (
        f'<label>{escape(label)}<select name="{name}" id="filter-{name}">'
        f'<option value="">all</option>{opts}</select></label>'
    )


def _json_script(element_id: str, data: object) -> str:
    text = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def samples_html(report: Report) -> str:
    """The samples drill-down: filters, search by task id, and the embedded samples."""
    sec = report.samples
    items = sec.samples

    def values(attr: str) -> list[str]:
        return sorted({getattr(s, attr) for s in items if getattr(s, attr)})

    findings = sorted({f.replace(" ", "") for s in items for f in s.findings})
    evidence = {
        e.id: e.sample_keys
        for hz in (report.hazards.hazards if report.hazards else [])
        for e in hz.evidence
    }
    form = (
        '<form id="sample-filters" class="filters" role="search" aria-label="Filter samples">'
        + _select("suite", "Suite", values("suite"))
        + _select("level", "Level", sorted(values("level"), key=lambda v: (len(v), v)))
        + _select("status", "Status", values("status"))
        + _select("model", "Model", values("model"))
        + _select("finding", "Finding", findings)
        + '<label>Task id<input type="search" name="task" id="filter-task" '
        'placeholder="search by task id"></label>'
        '<button type="button" id="reset-filters">Reset filters</button></form>'
    )
    return (
        '<section id="samples" aria-labelledby="samples-h"><h2 id="samples-h">Samples</h2>'
        f"<p>{escape(sec.note)}. Text fields are cut at {sec.text_limit} characters.</p>"
        + form
        + '<div id="evidence-banner" hidden tabindex="-1">Showing the samples behind evidence '
        '<span class="what"></span> <button type="button" id="clear-evidence">Show all '
        "samples</button></div>"
        + '<p id="sample-count" aria-live="polite"></p><div id="sample-list">'
        + "".join(_sample(s, sec.prompts.get(s.task_id)) for s in items)
        + "</div>"
        + _json_script("evidence-data", evidence)
        + "</section>"
    )
