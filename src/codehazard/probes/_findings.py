"""What a probe's analyser says about one model output: findings, and the status of the analysis.

Every probe (security, packages, misuse, bias, misalignment) reads what a model wrote and
reports findings in one shape, so that storage, deduplication, rates, SARIF and the report
treat them alike. An analyser never executes the code it reads (dynamic checks, such as the
bias probe's counterfactual pairs, go through the sandbox like any other candidate code), and
it never raises on a model's output: a syntax error, Python 2, binary junk or a megabyte of text
each end as an ``Analysis`` with its own status, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["low", "medium", "high"]
"""Severity and confidence, on the scale bandit and SARIF both map onto."""

AnalysisStatus = Literal["analysed", "partial", "no-code", "syntax-error", "too-large", "error"]
"""``analysed``: the whole output was read. ``partial``: some code could not be parsed and
was analysed as far as it could be (the findings are a lower bound). ``no-code``: nothing
to analyse (prose or a refusal). ``syntax-error``: no part of the code parsed. ``too-large``:
over the analyser's documented size cap. ``error``: the analyser itself failed (our bug,
shown, never counted as a property of the model)."""


class Finding(BaseModel):
    """One thing an analyser found in one output.

    ``category`` is what rates are computed over: a CWE id for the security probe
    (``CWE-327``), an outcome class for the others (``hallucinated``, ``typosquat``...).
    ``rule`` is the analyser's own rule id (``B303``, ``CH-CRYPTO-ECB``), ``line`` is 1-based
    in the analysed code (``None`` when the finding is about the output as a whole).
    """

    model_config = ConfigDict(frozen=True)
    analyser: str
    rule: str
    category: str
    message: str
    severity: Level = "medium"
    confidence: Level = "medium"
    line: int | None = None
    snippet: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


class Analysis(BaseModel):
    """An analyser's result for one output: its status, its findings and what it measured."""

    model_config = ConfigDict(frozen=True)
    status: AnalysisStatus
    findings: tuple[Finding, ...] = ()
    detail: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def categories(self) -> frozenset[str]:
        """The categories of every finding: what per-category rates count."""
        return frozenset(finding.category for finding in self.findings)

    @property
    def flagged(self) -> bool:
        """Whether any finding was made."""
        return bool(self.findings)


@runtime_checkable
class Analyser(Protocol):
    """Reads one model output (or the code extracted from it) and reports findings.

    ``context`` carries what the probe knows about the prompt (its task metadata, e.g. the CWE
    it invites), so an analyser may say more, never so it may assume the answer.
    """

    name: str

    def analyse(self, text: str, *, context: Mapping[str, Any] | None = None) -> Analysis:
        """The analysis of ``text``; never raises on any text a model can produce."""
        ...


def dedupe(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per (category, line): when several analysers (or rules) report the same
    weakness on the same line, keep the one with the highest confidence, then severity, and
    record the others' rule ids in its ``metadata["also"]``. Order: by line, then category."""
    rank = {"low": 0, "medium": 1, "high": 2}
    best: dict[tuple[str, int | None], Finding] = {}
    also: dict[tuple[str, int | None], list[str]] = {}
    for finding in findings:
        key = (finding.category, finding.line)
        kept = best.get(key)
        if kept is None:
            best[key] = finding
            also[key] = []
            continue
        mine = (rank[finding.confidence], rank[finding.severity])
        theirs = (rank[kept.confidence], rank[kept.severity])
        loser = kept if mine > theirs else finding
        if mine > theirs:
            best[key] = finding
        also[key].append(f"{loser.analyser}:{loser.rule}")
    out = []
    for key, finding in best.items():
        if also[key]:
            merged = {**finding.metadata, "also": sorted(set(also[key]))}
            finding = finding.model_copy(update={"metadata": merged})
        out.append(finding)
    return tuple(sorted(out, key=lambda f: (f.line or 0, f.category, f.rule)))
