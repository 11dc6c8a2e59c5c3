"""The self-test of a probe's analyser: precision and recall per category on its labelled set.

A labelled set is package data (``probes/labelled/<probe>.jsonl``, one JSON object a line:
``id``, ``text``, ``expect`` (the categories the analyser must report; ``[]``: nothing to
flag), ``category`` (what the item is about), ``note``, and optionally ``context``, what the
analyser would be told about the prompt in a run, such as the task's metadata). The analyser
reports a category when a finding has it, or when its analysis metadata lists it under
``categories`` (outcome classes such as ``known`` that are not findings). For each category:
true positives (expected and reported), false positives (reported, not expected) and false
negatives; ``safe`` is the class of items expecting nothing, right when nothing is found.
Items are counted by category so the gate (precision and recall at least 0.9 on every category
with at least 10 items) is explicit about how much stands behind each number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from codehazard.errors import InputError
from codehazard.probes._findings import Analysis
from codehazard.probes._probe import Probe, safe_analyse

GATE = 0.9
MIN_ITEMS = 10
SAFE = "safe"


class LabelledItem(BaseModel):
    """One labelled output."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    text: str
    expect: list[str]
    category: str
    note: str = ""
    context: dict[str, Any] = Field(default_factory=dict)
    """What the analyser is told about the prompt in a run (``{"metadata": {...}}``, the
    task's metadata), for analysers whose outcome depends on it."""


class CategoryScore(BaseModel):
    """Precision and recall of one category."""

    model_config = ConfigDict(frozen=True)
    items: int
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    gated: bool
    passed: bool


class ProbeSelftest(BaseModel):
    """A probe's self-test: per-category scores, and the items it got wrong."""

    model_config = ConfigDict(frozen=True)
    probe: str
    items: int
    categories: dict[str, CategoryScore]
    wrong: list[dict[str, Any]] = Field(default_factory=list)
    statuses: dict[str, int] = Field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Every category with at least ``MIN_ITEMS`` items at or above the gate."""
        return all(c.passed for c in self.categories.values())


def read_labelled(lines: Iterable[str], where: str) -> list[LabelledItem]:
    """Parse a labelled set.

    Raises:
        InputError: a line is not a valid item (the message names the line), or ids repeat.
    """
    items: list[LabelledItem] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            items.append(LabelledItem.model_validate(json.loads(line)))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{where}:{lineno}: not a labelled item ({exc})") from None
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise InputError(f"{where}: item ids repeat; give each item its own id")
    return items


def labelled_set(probe: Probe, path: str | Path | None = None) -> list[LabelledItem]:
    """The probe's labelled set (its package resource, or ``path``).

    Raises:
        InputError: the probe has no labelled set, or it cannot be read.
    """
    if path is None:
        if probe.labelled is None:
            raise InputError(f"probe {probe.name!r} has no labelled set")
        source: Any = resources.files("codehazard.probes").joinpath(probe.labelled)
        where = f"codehazard/probes/{probe.labelled}"
    else:
        source, where = Path(path), str(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{where}: cannot read the labelled set ({exc})") from None
    return read_labelled(text.splitlines(), where)


def reported(analysis: Analysis) -> set[str]:
    """The categories an analysis reports: its findings', and the outcome classes its
    metadata lists."""
    listed = analysis.metadata.get("categories", [])
    extra = {c for c in listed if isinstance(c, str)} if isinstance(listed, list) else set()
    return set(analysis.categories) | extra


def _ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def selftest(probe: Probe, items: Sequence[LabelledItem] | None = None) -> ProbeSelftest:
    """Run the probe's analyser over its labelled set (or ``items``) and score it.

    Raises:
        InputError: no labelled set.
    """
    items = list(items) if items is not None else labelled_set(probe)
    analyser = probe.analyser()
    counts: dict[str, list[int]] = {}
    support: dict[str, int] = {}
    wrong: list[dict[str, Any]] = []
    statuses: dict[str, int] = {}
    for item in items:
        analysis = safe_analyse(analyser, item.text, {**item.context, "labelled": item.id})
        statuses[analysis.status] = statuses.get(analysis.status, 0) + 1
        got, want = reported(analysis), set(item.expect)
        if not want:
            got_safe = not (got & set(probe.finding_categories or probe.categories))
            got, want = (got | {SAFE}) if got_safe else got, {SAFE}
        for category in got | want:
            c = counts.setdefault(category, [0, 0, 0])
            c[0 if category in got and category in want else 1 if category in got else 2] += 1
        for category in want | {item.category}:
            support[category] = support.get(category, 0) + 1
        relevant = set(probe.finding_categories or probe.categories) | {SAFE}
        if (got ^ want) & (relevant | want):
            wrong.append({"id": item.id, "expect": sorted(want), "got": sorted(got),
                          "status": analysis.status})  # fmt: skip
    scores = {}
    for category in sorted(set(counts) | set(support)):
        tp, fp, fn = counts.get(category, [0, 0, 0])
        n = support.get(category, 0)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        gated = n >= MIN_ITEMS
        ok = not gated or ((precision or 0.0) >= GATE and (recall or 0.0) >= GATE)
        scores[category] = CategoryScore(items=n, tp=tp, fp=fp, fn=fn, precision=precision,
                                         recall=recall, gated=gated, passed=ok)  # fmt: skip
    return ProbeSelftest(
        probe=probe.name, items=len(items), categories=scores, wrong=wrong, statuses=statuses
    )
