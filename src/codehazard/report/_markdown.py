"""The report as Markdown, for pull requests and reviews: the same numbers as the HTML.

Every piece of text from a run or a log is escaped (``md_text``), and names such as metrics,
run ids and task ids are code spans (``md_code``), so ``suite.*.rate`` never turns into
italics and a ``|`` in a title never splits a table cell. Samples are summarised (the failures
first), with a link to the HTML report where the whole drill-down is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from codehazard.report._model import (
    Delta,
    HazardSection,
    IntervalView,
    MatrixCell,
    Report,
)
from codehazard.report._pivot import pivots

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
TOP_SAMPLES = 20
"""Failing samples listed in the Markdown (the HTML embeds the rest)."""


def md_text(text: str) -> str:
    """Plain text made safe for Markdown (and table cells): specials escaped, one line."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def md_code(text: str) -> str:
    """A code span holding ``text`` exactly (a longer fence when it holds backticks); ``|``
    is escaped so the span may sit in a table cell."""
    text = text.replace("\n", " ").replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


def _iv(iv: IntervalView | None) -> str:
    return "-" if iv is None else f"[{_pct(iv.low)}, {_pct(iv.high)}]"


def md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub-flavoured table (cells already escaped)."""
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    if not rows:
        out.append("| " + " | ".join(["none", *([""] * (len(head) - 1))]) + " |")
    return out


def _summary(r: Report, html_link: str | None) -> list[str]:
    s = r.summary
    out = [f"# {md_text(s.title)}", ""]
    out.append(
        f"Created {r.created} by codehazard {r.codehazard_version}; intervals at "
        f"{r.confidence:.0%} confidence; report schema {r.schema_version}."
    )
    if html_link:
        out += [
            "",
            f"Full report with every plot and the samples: [{md_text(html_link)}](<{html_link}>)",
        ]
    out += ["", "## Summary", ""]
    if s.system:
        out += [f"System assessed: {md_text(s.system)}", ""]
    if s.verdict is not None:
        v = s.verdict
        out.append(
            f"**Overall verdict: {v.label}** (highest risk {v.highest_risk or '-'}, after "
            f"mitigation {v.highest_residual_risk or '-'}, by the profile's risk acceptance levels)"
        )
        out += ["", *(f"- {md_text(x)}" for x in v.reasons), ""]
    out += [
        f"- Models: {md_text(', '.join(s.models) or '-')}",
        f"- Suites: {md_text(', '.join(s.suites) or '-')}; probes: "
        f"{md_text(', '.join(s.probes) or 'none')}",
        f"- Samples: {s.n_samples:,} over {s.n_tasks:,} tasks; isolation: {md_text(s.isolation)}",
    ]
    if s.risk_counts:
        out.append(
            f"- Likelihood measured for {len(s.measured)} hazard(s), expert judgement for "
            f"{len(s.expert)}"
        )
    if s.warnings:
        out += ["", "### Warnings", ""]
        out += [f"- **{w.code}**: {md_text(w.text)}" for w in s.warnings]
    out += ["", "### Runs", "", *_runs_table(r)]
    if s.risk_counts:
        out += ["", "### Hazards by risk level", ""]
        out += md_table(
            ["Risk", "Hazards", "After mitigation"],
            [
                [md_text(k), str(n), str(s.residual_risk_counts.get(k, 0))]
                for k, n in s.risk_counts.items()
            ],
        )
    return out


_RUN_HEAD = [
    "Run",
    "Model",
    "Suites",
    "Tasks",
    "Samples",
    "Temperature",
    "Isolation",
    "Status",
    "pass@1 [interval]",
    "Infra rate",
]


def _runs_table(r: Report) -> list[str]:
    rows = [
        [
            md_code(v.id),
            md_text(v.model or v.backend) + (" (simulated)" if v.simulated else ""),
            md_text(", ".join(v.suites) or "-"),
            str(v.n_tasks),
            str(v.n_samples),
            "-" if v.temperature is None else f"{v.temperature:g}",
            md_text(v.isolation),
            md_text(v.status),
            f"{_pct(v.pass_at_1)} {_iv(v.pass_at_1_interval)}",
            f"{v.infra_rate:.1%}",
        ]
        for v in r.summary.runs
    ]
    return md_table(_RUN_HEAD, rows)


def _capability(r: Report) -> list[str]:
    out = ["", "## Capability", ""]
    for c in r.capability.curves:
        what = c.suite + (f", dimension {c.dimension}" if c.dimension else "")
        sim = " (simulated model)" if c.simulated else ""
        out += [f"### pass@1 by level: {md_text(what)}, {md_text(c.run_label)}{sim}", ""]
        out += md_table(
            ["Level", "Tasks", "Samples", "pass@1", "Interval", "Composed", "Failure kinds"],
            [
                [
                    md_text(str(p.level)),
                    str(p.n_tasks),
                    str(p.n_samples),
                    _pct(p.value),
                    _iv(p.interval),
                    _pct(p.composed),
                    md_text(", ".join(f"{k} {n}" for k, n in p.failure_kinds.items()) or "-"),
                ]
                for p in c.points
            ],
        )
        out.append("")
    out += ["### pass@1 per suite", ""]
    out += md_table(
        ["Run", "Metric", "Value", "Interval", "Samples", "Tasks"],
        [
            [
                md_code(m.run),
                md_code(m.metric),
                _pct(m.value),
                _iv(m.interval),
                str(m.n),
                str(m.n_tasks),
            ]
            for m in r.capability.suite_rates
        ],
    )
    out += ["", "### Failures by kind", ""]
    out += md_table(
        ["Run", "Suite", "Kind", "Samples", "Share of judged"],
        [
            [md_code(f.run), md_text(f.suite), md_text(f.kind), str(f.count), f"{f.share:.1%}"]
            for f in r.capability.failure_kinds
        ],
    )
    return out + _extras(r)


def _extras(r: Report) -> list[str]:
    """The capability profile's table and the metric families' sections."""
    out: list[str] = []
    for p in ([r.capability_profile] if r.capability_profile else []) + list(r.tables):
        out += ["", f"### {md_text(p.title)}", ""]
        out += md_table(
            [md_text(c) for c in p.columns], [[md_text(str(x)) for x in row] for row in p.rows]
        )
        if p.notes:
            out += ["", *(f"- {md_text(n)}" for n in p.notes)]
    for f in r.families:
        out += ["", f"### {md_text(f.title)}", ""]
        matrices, flat = pivots(f)
        for p in matrices:
            out += md_table(
                ["Run", "Selection", *(md_code(c) for c in p.columns)],
                [
                    [md_code(run or "-"), md_code(sel)]
                    + [
                        "-"
                        if c is None or c.value is None
                        else f"{_pct(c.value)} {_iv(c.interval)} n={c.n}"
                        for c in cells
                    ]
                    for run, sel, cells in p.rows
                ],
            )
            out.append("")
        if not flat:
            continue
        out += md_table(
            ["Run", "Metric", "Value", "Interval", "Samples", "Tasks"],
            [
                [
                    md_code(m.run or "-"),
                    md_code(m.metric),
                    _pct(m.value),
                    _iv(m.interval),
                    str(m.n),
                    str(m.n_tasks),
                ]
                for m in flat
            ],
        )
    return out


def _matrix(h: HazardSection, cells: list[MatrixCell]) -> list[str]:
    by = {(c.severity, c.likelihood): c for c in cells}
    rows = []
    for s in h.severities:
        row = [f"**{md_text(s.id)} {md_text(s.name)}**"]
        for lk in h.likelihoods:
            c = by[(s.id, lk.id)]
            ids = ", ".join(md_text(i) for i in c.hazards)
            row.append(f"{md_text(c.risk)}: {ids}" if ids else md_text(c.risk))
        rows.append(row)
    head = [
        "Severity \\\\ Likelihood",
        *(f"{md_text(lk.id)} {md_text(lk.name)}" for lk in h.likelihoods),
    ]
    return md_table(head, rows)


def _hazards(r: Report) -> list[str]:
    h = r.hazards
    if h is None:
        return []
    out = ["", "## Hazard analysis", ""]
    out.append(
        f"Hazard log {md_text(h.log_title)} ({md_code(h.log_source)}, sha256 "
        f"{h.log_sha256[:12]}); profile {md_text(h.profile)}; assessed on run(s) "
        f"{', '.join(md_code(x) for x in h.assessment_runs) or 'none'}."
    )
    out += ["", *(f"> {md_text(n)}" for n in h.notes)] if h.notes else []
    out += ["", "### Risk matrix before mitigation", "", *_matrix(h, h.matrix)]
    out += ["", "### Risk matrix after mitigation", "", *_matrix(h, h.residual_matrix)]
    out += ["", md_text(h.residual_method), "", "### Hazards, worst risk first", ""]
    out += md_table(
        [
            "Risk",
            "Id",
            "Hazard",
            "Severity",
            "Likelihood",
            "Likelihood from",
            "Residual",
            "How the residual was derived",
        ],
        [
            [
                md_text(z.risk),
                md_text(z.id),
                md_text(z.title),
                f"{md_text(z.severity)} {md_text(z.severity_name)}",
                f"{md_text(z.likelihood)} {md_text(z.likelihood_name)}",
                md_text(z.likelihood_source.replace("-", " ")),
                md_text(f"{z.residual_risk} ({z.residual_severity}{z.residual_likelihood})"),
                md_text(z.residual_how),
            ]
            for z in h.hazards
        ],
    )
    out += ["", "### Evidence that set a likelihood", ""]
    rows = [
        [
            md_text(z.id),
            md_code(e.metric),
            "no data" if e.value is None else _pct(e.value),
            _iv(e.interval),
            str(e.n),
            md_text(e.level or "-"),
            md_text(e.rule),
            f"{e.n_keys} ({len(e.sample_keys)} embedded in the HTML)",
        ]
        for z in h.hazards
        for e in z.evidence
        if e.set_likelihood
    ]
    out += md_table(
        ["Hazard", "Metric", "Value", "Interval", "Samples", "Level", "Rule", "Samples behind it"],
        rows,
    )
    return out


def _delta_rows(deltas: Sequence[Delta], cells: bool) -> list[list[str]]:
    rows = []
    for d in deltas:
        where = md_text(d.suite + (f", {d.dimension}" if d.dimension else ""))
        if cells:
            where += f", level {md_text(str(d.level))}"
        iv = d.interval
        rows.append(
            [
                where,
                _pct(d.a),
                _pct(d.b),
                "-" if d.delta is None else f"{100 * d.delta:+.1f} pts",
                "-" if iv is None else f"[{100 * iv.low:+.1f}, {100 * iv.high:+.1f}]",
                str(d.n_a),
                str(d.n_b),
            ]
        )
    return rows


def _comparison(r: Report) -> list[str]:
    c = r.comparison
    if c is None:
        return []
    head = ["Where", "A", "B", "B - A", "Interval (pts)", "Samples A", "Samples B"]
    out = [
        "",
        "## Comparison",
        "",
        f"- A: {md_text(c.a_label)} ({md_code(c.a)})",
        f"- B: {md_text(c.b_label)} ({md_code(c.b)})",
        *(f"- {md_text(n)}" for n in c.notes),
    ]
    out += ["", "### pass@1 per suite", "", *md_table(head, _delta_rows(c.suites, False))]
    out += ["", "### pass@1 per cell", "", *md_table(head, _delta_rows(c.cells, True))]
    out += ["", f"### Hazards whose risk moved ({c.hazards_unchanged} unchanged)", ""]
    for m in c.hazards:
        out.append(
            f"- {md_text(m.id)}: risk {md_text(m.a_risk)} → {md_text(m.b_risk)} ({m.direction}), "
            f"residual {md_text(m.a_residual_risk)} → {md_text(m.b_residual_risk)}: "
            f"{md_text(m.title)}"
        )
        out += [f"  - {md_text(e)}" for e in m.evidence]
    if not c.hazards:
        out.append("- none")
    return out


def _samples(r: Report) -> list[str]:
    sec = r.samples
    failing = [s for s in sec.samples if s.status not in ("passed", "pending")][:TOP_SAMPLES]
    out = ["", "## Samples", "", md_text(sec.note) + ".", ""]
    out += [f"First {len(failing)} failing samples embedded:", ""]
    out += md_table(
        ["Run", "Task", "Status", "Kind", "Failing input", "Expected", "Actual"],
        [
            [
                md_code(s.run),
                md_code(s.task_id),
                md_text(s.status),
                md_text(s.failure_kind or "-"),
                md_code((s.failing_input or "-")[:80]),
                md_code((s.expected or "-")[:80]),
                md_code((s.actual or "-")[:80]),
            ]
            for s in failing
        ],
    )
    return out


def report_markdown(report: Report, *, html_link: str | None = None) -> str:
    """The report as one Markdown document; ``html_link`` points readers to the HTML."""
    lines = _summary(report, html_link) + _capability(report) + _hazards(report)
    lines += _comparison(report) + _samples(report)
    return "\n".join(lines).rstrip() + "\n"
