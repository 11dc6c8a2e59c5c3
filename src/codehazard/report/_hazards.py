"""Rendering an assessment: Markdown for people and reviews, a short summary for the terminal,
and the diff of two assessments as text or Markdown.

Both are views of the JSON assessment and add nothing to it. Every rate is shown with its
interval and the number of samples behind it; every hazard says what set its likelihood, in
words a reviewer reads (*measured*, *expert judgement*), and how its residual risk was
derived; runs are named by model, suites and samples; the document opens with the overall
verdict. Text is escaped for Markdown and names are code spans (``_markdown.md_text``,
``md_code``), so ``suite.*.rate`` never turns into italics.
"""

from __future__ import annotations

from collections.abc import Sequence

from codehazard.hazards import (
    Assessment,
    AssessmentDiff,
    HazardAssessment,
    HazardChange,
    Profile,
    RunRef,
    format_value,
)
from codehazard.report._hazard_view import (
    RESIDUAL_METHOD,
    SOURCE_TEXT,
    SOURCE_WORDS,
    overall_verdict,
    residual_how,
)
from codehazard.report._markdown import md_code, md_text


def matrix_cells(
    profile: Profile, hazards: Sequence[HazardAssessment], *, residual: bool = False
) -> dict[tuple[str, str], list[str]]:
    """Hazard ids in each (severity, likelihood) cell of the matrix, every cell present."""
    cells: dict[tuple[str, str], list[str]] = {
        (s, lk): [] for s in profile.severity_ids() for lk in profile.likelihood_ids()
    }
    for h in hazards:
        key = (
            (h.residual_severity, h.residual_likelihood) if residual else (h.severity, h.likelihood)
        )
        cells[key].append(h.id)
    return cells


def _esc(text: str) -> str:
    return md_text(text)


def _basis(h: HazardAssessment) -> str:
    return SOURCE_TEXT[SOURCE_WORDS.get(h.likelihood_basis, "expert")]


def _run_line(r: RunRef) -> str:
    """A run named as a reader tells runs apart: model, suites, samples, temperature."""
    params = r.params
    config = params.get("config") if isinstance(params.get("config"), dict) else {}
    source = config.get("tasks_source") or {}
    suites = [
        entry.get("suite", "?") if isinstance(entry, dict) else str(entry)
        for entry in source.get("suites") or []
    ]
    suite = source.get("suite") or ", ".join(suites) or source.get("file")
    gen = config.get("params") or {}
    iso = (params.get("isolation") or {}).get("level")
    bits = [f"model {md_text(r.model or str(config.get('model') or 'not recorded'))}"]
    bits += [f"tasks {md_text(str(suite))}"] if suite else []
    if params.get("planned_samples") is not None:
        bits.append(f"{params['planned_samples']} samples")
    if isinstance(gen.get("temperature"), int | float) and r.kind != "evaluate":
        bits.append(f"temperature {gen['temperature']:g}")
    bits += [f"isolation {md_text(str(iso))}"] if iso else []
    bits += ["simulated"] if r.simulated else []
    status = f", {md_text(r.status)}" if r.status and r.status != "complete" else ""
    return f"  - {md_code(r.id)}: {', '.join(bits)}{status}"


def _matrix_table(a: Assessment, *, residual: bool) -> list[str]:
    p = a.profile
    cells = matrix_cells(p, a.hazards, residual=residual)
    head = (
        "| Severity \\ Likelihood | "
        + " | ".join(f"{lk.id} {lk.name}" for lk in p.likelihoods)
        + " |"
    )
    lines = [head, "|---" * (len(p.likelihoods) + 1) + "|"]
    for s in p.severities:
        row = [f"**{s.id} {s.name}**"]
        for lk in p.likelihoods:
            ids = ", ".join(cells[(s.id, lk.id)])
            row.append(f"{p.matrix[s.id][lk.id]}: {ids}" if ids else p.matrix[s.id][lk.id])
        lines.append("| " + " | ".join(row) + " |")
    return lines


def _hazard_table(a: Assessment) -> list[str]:
    lines = [
        "| Risk | Id | Hazard | Source | Severity | Likelihood | Basis | Residual | Status |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for h in a.hazards:
        residual = f"{h.residual_risk} ({h.residual_severity}{h.residual_likelihood})"
        lines.append(
            f"| {h.risk} | {h.id} | {_esc(h.title)} | {h.source} | {h.severity} | "
            f"{h.likelihood} | {_basis(h)} | {residual} | {h.status} |"
        )
    return lines


def _hazard_section(h: HazardAssessment, a: Assessment) -> list[str]:
    lines = [
        f"### {h.id}: {_esc(h.title)}",
        "",
        f"- Risk **{h.risk}** (severity {h.severity}, likelihood {h.likelihood}; "
        f"expert likelihood {h.expert_likelihood}; likelihood from {_basis(h)})",
        f"- Residual risk **{h.residual_risk}** (severity {h.residual_severity}, likelihood "
        f"{h.residual_likelihood}): {_esc(residual_how(a.profile, h))}",
    ]
    if h.rationale:
        lines.append(f"- Rationale: {_esc(h.rationale)}")
    lines += [f"- Note: {_esc(n)}" for n in h.notes]
    if h.mitigations:
        lines.append("- Mitigations:")
        for m in h.mitigations:
            owner = f", owner {m.owner}" if m.owner else ""
            lines.append(f"  - {_esc(m.description)} ({m.status}{owner})")
    if h.evidence:
        lines += ["", "| Metric | Value [interval] | Rule | Level | Why |", "|---|---|---|---|---|"]
        for r in h.evidence:
            rule = ", ".join(f"{k}: {v:g}" for k, v in r.rule.thresholds.items())
            rule = f"{r.rule.likelier_when} is likelier; {r.rule.interval} end; {rule}"
            level = (r.outcome.level or "-") + (" (set the likelihood)" if r.decisive else "")
            lines.append(
                f"| {md_code(r.metric)} | {format_value(r)} | {_esc(rule)} | {level} | "
                f"{_esc(r.outcome.reason)} |"
            )
        runs = sorted({run for r in h.evidence for run in r.runs})
        if runs:
            lines += [
                "",
                f"Samples from run(s) {', '.join(md_code(x) for x in runs)}; their keys are in "
                "the JSON (`codehazard report --assessment` links them to the samples).",
            ]
    return [*lines, ""]


def assessment_markdown(a: Assessment) -> str:
    """The assessment as a Markdown document: tables, matrices, per-hazard evidence."""
    p = a.profile
    counts = a.risk_counts()
    residual_counts = a.risk_counts(residual=True)
    verdict = overall_verdict(a)
    methods = sorted({r.interval.method for h in a.hazards for r in h.evidence if r.interval})
    how = f" ({', '.join(methods)} intervals: docs/metrics.md)" if methods else ""
    lines = [
        f"# Hazard assessment: {_esc(a.log.title)}",
        "",
        f"- System: {_esc(a.log.system)}" if a.log.system else "- System: (not described)",
        f"- Hazard log: `{a.log.source}` (sha256 {a.log.sha256[:12]})",
        f"- Profile: {_esc(p.name)}",
        "- Runs:" + ("" if a.runs else " none"),
        *(_run_line(r) for r in a.runs),
        f"- Created {a.created} by codehazard {a.codehazard_version}; intervals at "
        f"{a.confidence:.0%} confidence{how}",
        "",
        f"## Verdict: {verdict.label}",
        "",
        f"Highest risk {verdict.highest_risk or '-'}, after mitigation "
        f"{verdict.highest_residual_risk or '-'}, by the profile's risk acceptance levels.",
        "",
        *(f"- {_esc(x)}" for x in verdict.reasons),
    ]
    lines += ["", *(f"> {_esc(n)}\n>" for n in a.notes)] if a.notes else []
    lines += ["", "## Risk summary", "", "| Risk | Hazards | After mitigation |", "|---|---|---|"]
    lines += [f"| {lvl} | {counts[lvl]} | {residual_counts[lvl]} |" for lvl in p.risk_ids()]
    lines += ["", "## Hazards by risk", "", *_hazard_table(a), ""]
    lines += ["## Risk matrix", "", *_matrix_table(a, residual=False), ""]
    lines += ["## Residual risk matrix (after mitigations)", "", *_matrix_table(a, residual=True)]
    lines += ["", _esc(RESIDUAL_METHOD)]
    lines += ["", "## Evidence and rationale per hazard", ""]
    for h in a.hazards:
        lines += _hazard_section(h, a)
    return "\n".join(lines).rstrip() + "\n"


def assessment_summary(a: Assessment) -> str:
    """A few lines for the terminal: counts by risk and one line per hazard, worst first."""
    counts = a.risk_counts()
    total = ", ".join(f"{n} {lvl}" for lvl, n in counts.items() if n)
    lines = [f"{len(a.hazards)} hazards: {total or 'none'} (profile {a.profile.name})"]
    rows = [
        (
            h.risk,
            h.id,
            f"{h.severity}{h.likelihood} "
            + ("(evidence)" if h.likelihood_basis == "evidence" else "(expert)"),
            f"residual {h.residual_risk}",
            h.title,
        )
        for h in a.hazards
    ]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(4)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  " + "  ".join([*cells, row[4]]))
    lines += [f"note: {n}" for n in a.notes]
    return "\n".join(lines)


_ARROW = {"up": "↑", "down": "↓", "same": "="}


def _change_lines(c: HazardChange, bullet: str, markdown: bool = False) -> list[str]:
    expert = (
        f"; expert likelihood {c.old_expert_likelihood} -> {c.new_expert_likelihood}"
        if c.old_expert_likelihood != c.new_expert_likelihood
        else ""
    )
    lines = [
        f"{bullet}{c.id} risk {c.old_risk} -> {c.new_risk} {_ARROW[c.risk_direction]}, "
        f"residual {c.old_residual_risk} -> {c.new_residual_risk} "
        f"{_ARROW[c.residual_direction]} ({c.old_severity}{c.old_likelihood} -> "
        f"{c.new_severity}{c.new_likelihood}; residual {c.old_residual_severity}"
        f"{c.old_residual_likelihood} -> {c.new_residual_severity}{c.new_residual_likelihood}; "
        f"basis {c.old_basis} -> {c.new_basis}{expert}): "
        f"{md_text(c.title) if markdown else c.title}"
    ]
    for e in c.evidence:
        which = f" (rule {e.occurrence} on this metric)" if e.occurrence > 1 else ""
        changed = "; the rule itself changed" if e.rule_changed else ""
        # Markdown: a nested bullet, the metric a code span (a bare `*` would start italics,
        # and a line indented under a bullet merges into it)
        metric, lead = (md_code(e.metric), "  - ") if markdown else (e.metric, "    ")
        lines.append(
            f"{lead}{metric}{which}: {e.old} -> {e.new}; level {e.old_level or '-'} -> "
            f"{e.new_level or '-'}{changed}"
        )
    return lines


def assessment_diff_text(d: AssessmentDiff, *, markdown: bool = False) -> str:
    """The diff of two assessments (``hazards.diff_assessments``) for the terminal, or as
    Markdown."""
    bullet = "- " if markdown else "  "
    lines = []
    if markdown:
        lines += ["# Assessment diff", ""]
    lines.append(
        f"old: {d.old.created} runs {', '.join(d.old.runs) or 'none'}; "
        f"new: {d.new.created} runs {', '.join(d.new.runs) or 'none'}"
    )
    if markdown:  # a blank line, so the next heading or list does not join this paragraph
        lines.append("")
    if d.profile_changed:
        lines.append("profiles differ: risk directions compare positions on each scale")
    for title, items in (("added", d.added), ("removed", d.removed)):
        if items:
            lines += ["", f"{'## ' if markdown else ''}{len(items)} hazard(s) {title}:"]
            lines += [
                f"{bullet}{h.id} ({h.risk}, residual {h.residual_risk}): "
                f"{md_text(h.title) if markdown else h.title}"
                for h in items
            ]
    if d.changed:
        lines += ["", f"{'## ' if markdown else ''}{len(d.changed)} hazard(s) changed:"]
        for c in d.changed:
            lines += _change_lines(c, bullet, markdown)
    lines += ["", f"{len(d.unchanged)} hazard(s) unchanged"]
    return "\n".join(lines) + "\n"
