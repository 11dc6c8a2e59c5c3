"""The Markdown report: its structure (a golden list of headings), tables a Markdown parser
reads as tables, text escaped (no stray italics), and the assessment Markdown's old faults
fixed (internal words, runs named by id only, no verdict, diff lines merged into bullets)."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from report_fixtures import LOG, Toy, assessment_of

from codehazard.hazards import diff_assessments
from codehazard.report import assessment_diff_text, assessment_markdown, report_markdown
from codehazard.report._markdown import md_code, md_text

GOLDEN = [
    "# Toy \\| hazard log with \\*stars\\*",
    "## Summary",
    "### Warnings",
    "### Runs",
    "### Hazards by risk level",
    "## Capability",
    "### pass@1 by level: toy, openai/model-a on toy (60 samples, T=0.2)",
    "### pass@1 by level: toy, openai/model-b on toy (60 samples, T=0.2)",
    "### pass@1 per suite",
    "### Failures by kind",
    "### Measurements behind the hazard analysis (pooled over the assessment's runs)",
    "## Hazard analysis",
    "### Risk matrix before mitigation",
    "### Risk matrix after mitigation",
    "### Hazards, worst risk first",
    "### Evidence that set a likelihood",
    "## Comparison",
    "### pass@1 per suite",
    "### pass@1 per cell",
    "### Hazards whose risk moved (1 unchanged)",
    "## Samples",
]


def _html(md: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(md)


def test_golden_structure(toy: Toy) -> None:
    md = report_markdown(toy.compared, html_link="report.html")
    assert [line for line in md.splitlines() if line.startswith("#")] == GOLDEN
    assert "[report.html](<report.html>)" in md


def test_every_table_parses_with_its_columns_and_nothing_turns_italic(toy: Toy) -> None:
    md = report_markdown(toy.compared)
    html = _html(md)
    assert (
        "<em>" not in html and "<strong>Overall verdict: Accept with mitigations</strong>" in html
    )
    tables = re.findall(r"<table>.*?</table>", html, flags=re.S)
    assert len(tables) == md.count("\n|---") == 14  # every Markdown table parsed as one
    for table in tables:
        head = len(re.findall(r"<th[ >]", table.split("</thead>")[0]))
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S):
            assert len(re.findall(r"<td", row)) == head
    assert "<code>suite.toy.rate.failed{level&gt;=2}</code>" in html
    assert "Toy | hazard log with *stars*" in html  # the title, escaped back to itself


def test_markdown_carries_the_same_numbers_as_the_model(toy: Toy) -> None:
    md = report_markdown(toy.compared)
    c = toy.compared.comparison
    assert c is not None
    assert f"{100 * c.suites[0].delta:+.1f} pts" in md  # type: ignore[operator]
    for run in toy.compared.summary.runs:
        assert f"`{run.id}`" in md and f"{100 * run.pass_at_1:.1f}%" in md  # type: ignore[operator]


def test_escaping_helpers() -> None:
    assert md_text("suite.*.rate | a_b <x>") == "suite.\\*.rate \\| a\\_b \\<x\\>"
    assert md_code("a`b") == "``a`b``" and md_code("x|y") == "`x\\|y`"
    assert "<em>" not in _html(md_text("*not italic* and _not_ either"))


def test_assessment_markdown_names_runs_reaches_a_verdict_and_uses_plain_words(
    toy: Toy,
) -> None:
    md = assessment_markdown(toy.assessment)
    assert f"`{toy.a}`: model openai/model-a, tasks toy.jsonl, 60 samples" in md
    assert "## Verdict: Accept with mitigations" in md
    assert "no-rules" not in md and "decisive" not in md
    assert "(set the likelihood)" in md and "expert judgement (no evidence rule)" in md
    assert "credits the mitigations with 1 level(s)" in md  # how the residual was derived
    assert "<em>" not in _html(md)


def test_diff_markdown_keeps_evidence_lines_apart_and_metrics_as_code(
    toy: Toy, tmp_path: Path
) -> None:
    pooled = LOG.replace("suite.toy.rate.failed{level>=2}", "suite.*.rate.failed")
    old = assessment_of(toy.store, tmp_path, [toy.a], pooled)
    new = assessment_of(toy.store, tmp_path, [toy.b], pooled)
    md = assessment_diff_text(diff_assessments(old, new), markdown=True)
    html = _html(md)
    assert "<em>" not in html and "<code>suite.*.rate.failed</code>" in html
    # the evidence line is a list nested in the hazard's item, not text merged into it
    item = re.search(r"<li>H-WRONG.*?</li>\s*</ul>", html, flags=re.S)
    assert item is not None and "<ul>" in item.group(0)
