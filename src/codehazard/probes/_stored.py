"""Probes over what is stored or on disk: re-analysing a run's outputs, SARIF, and scanning
files.

``analyse_run`` reads a stored run's samples again with the current analysers (after an
analyser or index update) and replaces their scores; ``sarif_log`` turns a run's stored
findings into SARIF 2.1.0 for code-scanning tools; ``scan_paths`` runs analysers on any
Python files. None of them runs the code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from codehazard.errors import InputError
from codehazard.probes._findings import Analysis
from codehazard.probes._probe import Probe, ProbeScorer, safe_analyse
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.verdict import Verdict

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
_LEVEL = {"low": "note", "medium": "warning", "high": "error"}
SCAN_SUFFIXES = (".py", ".pyw", ".ipynb.py")
MAX_FILE_BYTES = 4_000_000


class ReanalysedProbe(BaseModel):
    """What re-analysing one probe's samples changed."""

    model_config = ConfigDict(frozen=True)
    probe: str
    samples: int
    flagged_before: int
    flagged_after: int
    changed: list[str] = Field(default_factory=list)
    statuses: dict[str, int] = Field(default_factory=dict)


def _probes_of(tasks: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(p for t in tasks if isinstance(p := t.metadata.get("probe"), str)))


def analyse_run(store: Store, run_id: str, probes: Sequence[Probe]) -> list[ReanalysedProbe]:
    """Re-analyse every stored sample of ``run_id`` whose task names one of ``probes`` and
    record the new scores (each replaces the one before, committed as it is made).

    Raises:
        UnknownRunError: no such run (give the full id).
        StoreError: the store cannot be read or written.
    """
    tasks = store.tasks(run_id)
    records = store.records(run_id)
    out = []
    for probe in probes:
        scorer = ProbeScorer(probe)
        before = {s.key: s.value for s in store.scores(run_id, probe.name)}
        changed, statuses, n, after = [], {}, 0, 0
        for rec in records:
            task = tasks.get(rec.task_id)
            if task is None or task.metadata.get("probe") != probe.name:
                continue
            sample = Sample(rec.key, rec.task_id, rec.index, rec.raw, rec.program)
            verdict = rec.verdict or Verdict(status="infra")
            score = scorer.score(task, sample, verdict)
            if score is None:
                continue
            store.record_score(run_id, score)
            n += 1
            after += int(score.value == 1.0)
            status = str(score.metadata.get("status"))
            statuses[status] = statuses.get(status, 0) + 1
            if before.get(rec.key) != score.value:
                changed.append(rec.key)
        flagged_before = sum(1 for v in before.values() if v == 1.0)
        out.append(
            ReanalysedProbe(
                probe=probe.name,
                samples=n,
                flagged_before=flagged_before,
                flagged_after=after,
                changed=changed,
                statuses=statuses,
            )
        )
    return out


def run_probes(store: Store, run_id: str) -> list[str]:
    """The probes the tasks of a run name."""
    return _probes_of(store.tasks(run_id).values())


def _rule(finding: dict[str, Any]) -> dict[str, Any]:
    category = str(finding.get("category", ""))
    return {
        "id": str(finding.get("rule", "")),
        "name": str(finding.get("rule", "")),
        "shortDescription": {"text": f"{finding.get('analyser', '')}: {category}"},
        "properties": {"tags": [category], "category": category},
    }


def _result(run_id: str, key: str, probe: str, finding: dict[str, Any], index: int) -> dict:
    region: dict[str, Any] = {}
    line = finding.get("line")
    if isinstance(line, int) and line >= 1:
        region["startLine"] = line
    if finding.get("snippet"):
        region.setdefault("startLine", 1)
        region["snippet"] = {"text": str(finding["snippet"])}
    location: dict[str, Any] = {"artifactLocation": {"uri": quote(f"{run_id}/{key}.py")}}
    if region:
        location["region"] = region
    return {
        "ruleId": str(finding.get("rule", "")),
        "ruleIndex": index,
        "level": _LEVEL.get(str(finding.get("severity")), "warning"),
        "message": {"text": str(finding.get("message", ""))},
        "locations": [{"physicalLocation": location}],
        "properties": {
            "probe": probe,
            "sample": key,
            "category": finding.get("category"),
            "confidence": finding.get("confidence"),
        },
    }


def sarif_log(store: Store, run_id: str, *, version: str = "") -> dict[str, Any]:
    """A run's stored probe findings as a SARIF 2.1.0 log: one result per finding, located in
    the sample's output (``<run>/<sample key>.py``, percent-encoded) at the finding's line.

    Raises:
        UnknownRunError: no such run.
    """
    probes = set(run_probes(store, run_id))
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for score in store.scores(run_id):
        if score.scorer not in probes:
            continue
        for finding in score.metadata.get("findings", []) or []:
            if not isinstance(finding, dict):
                continue
            rule_id = str(finding.get("rule", ""))
            if rule_id not in rules:
                rules[rule_id] = _rule(finding)
            index = list(rules).index(rule_id)
            results.append(_result(run_id, score.key, score.scorer, finding, index))
    driver = {"name": "codehazard", "informationUri": "https://pypi.org/project/codehazard/",
              "rules": list(rules.values())}  # fmt: skip
    if version:
        driver["version"] = version
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "automationDetails": {"id": f"codehazard/{run_id}"},
                "results": results,
            }
        ],
    }


def python_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every Python file under ``paths`` (files given are taken as they are), sorted per
    directory, hidden directories skipped.

    Raises:
        InputError: a path does not exist.
    """
    for given in paths:
        path = Path(given)
        if path.is_file():
            yield path
            continue
        if not path.is_dir():
            raise InputError(f"{path}: no such file or directory")
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.endswith(SCAN_SUFFIXES):
                    yield Path(root) / name


class ScannedFile(BaseModel):
    """One file's analyses, by analyser."""

    model_config = ConfigDict(frozen=True)
    path: str
    analyses: dict[str, Analysis]


def scan_file(path: Path, analysers: Sequence[Any]) -> ScannedFile:
    """Each analyser's analysis of one file (read as UTF-8, bad bytes replaced); a file that
    cannot be read, or is over ``MAX_FILE_BYTES``, gets that status from every analyser."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            bad = Analysis(status="too-large", detail=f"{size} bytes > {MAX_FILE_BYTES}")
            return ScannedFile(path=str(path), analyses={a.name: bad for a in analysers})
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        failed = Analysis(status="error", detail=f"cannot read: {exc.strerror}")
        return ScannedFile(path=str(path), analyses={a.name: failed for a in analysers})
    context = {"path": str(path)}
    return ScannedFile(
        path=str(path), analyses={a.name: safe_analyse(a, text, context) for a in analysers}
    )


def scan_paths(paths: Iterable[str | Path], probes: Sequence[Probe]) -> Iterator[ScannedFile]:
    """The probes' analysers over every Python file under ``paths``, one file at a time.

    Raises:
        InputError: a path does not exist, or a probe has no analyser (a verdict-only probe
            such as ``misalignment`` judges runs, not files).
    """
    blind = [p.name for p in probes if p.analyser is None]
    if blind:
        raise InputError(f"probe(s) {', '.join(blind)} judge runs by their verdicts, not files")
    analysers = [probe.analyser() for probe in probes if probe.analyser is not None]
    for path in python_files(paths):
        yield scan_file(path, analysers)
