"""Which samples a report embeds, so that a 100,000-sample run still gives a small file.

Samples are grouped in cells (run x suite x level); each cell embeds at most ``cap`` samples:
all its failures first (in run order, up to the cap), then a seeded sample of its passes
(and of samples not yet judged) to fill it. Every cell is represented, so every evidence
value and every curve point links to samples behind it; text fields longer than
``text_limit`` characters are cut (the sample says so). Prompts are stored once per task.
"""

from __future__ import annotations

import random
import zlib
from collections import defaultdict
from collections.abc import Sequence

from codehazard.report._model import SampleSection, SampleView
from codehazard.report._runs import LoadedRun
from codehazard.scoring import suite_of
from codehazard.store import Record

DEFAULT_CAP = 40
"""Samples embedded per cell (run x suite x level) by default."""
DEFAULT_TEXT_LIMIT = 4000
"""Characters kept of each embedded text field (prompt, output, code, values)."""
CELL = "run x suite x level"


def _cut(text: str | None, limit: int) -> tuple[str | None, bool]:
    if text is None or len(text) <= limit:
        return text, False
    return text[:limit] + f"\n[... {len(text) - limit} more characters]", True


def _raw_output(raw: dict[str, object]) -> str:
    for name in ("completion", "solution", "output", "text"):
        value = raw.get(name)
        if isinstance(value, str):
            return value
    return ""


def _level(rec: Record) -> str:
    for key in ("level", "components"):
        value = rec.metadata.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool):
            return str(value)
    return ""


def sample_id(run: str, key: str) -> str:
    """The id a report gives a sample: ``run:key`` (unique across the runs shown)."""
    return f"{run}:{key}"


def _view(run: LoadedRun, rec: Record, limit: int) -> SampleView:
    v = rec.verdict
    cut = False
    fields: dict[str, str | None] = {}
    for name, text in (
        ("raw_output", _raw_output(rec.raw)),
        ("code", rec.program),
        ("failing_input", v.failing_input if v else None),
        ("expected", v.expected if v else None),
        ("actual", v.actual if v else None),
        ("exception", v.exception if v else None),
        ("detail", v.detail if v else ""),
    ):
        fields[name], was_cut = _cut(text, limit)
        cut = cut or was_cut
    return SampleView(
        id=sample_id(run.id, rec.key),
        run=run.id,
        key=rec.key,
        task_id=rec.task_id,
        index=rec.index,
        model=run.view.model or run.view.backend,
        suite=suite_of(rec) or "",
        dimension=str(rec.metadata.get("dimension") or ""),
        level=_level(rec),
        status=rec.status or "pending",
        failure_kind=(v.failure_kind or "") if v else "",
        detail=fields["detail"] or "",
        raw_output=fields["raw_output"] or "",
        code=fields["code"] or "",
        failing_input=fields["failing_input"],
        expected=fields["expected"],
        actual=fields["actual"],
        exception=fields["exception"],
        findings=run.findings.get(rec.key, []),
        truncated=cut,
    )


def _pick(cell: str, records: list[Record], cap: int, seed: int) -> list[Record]:
    failures = [r for r in records if r.status is not None and not r.passed]
    if len(failures) >= cap:
        return failures[:cap]
    rest = [r for r in records if r.status is None or r.passed]
    rng = random.Random(seed * 1_000_003 + zlib.crc32(cell.encode()))
    chosen = rng.sample(rest, min(cap - len(failures), len(rest)))
    order = {id(r): i for i, r in enumerate(records)}
    return failures + sorted(chosen, key=lambda r: order[id(r)])


def choose_samples(
    runs: Sequence[LoadedRun], *, cap: int, seed: int, text_limit: int
) -> SampleSection:
    """The embedded samples of ``runs``: at most ``cap`` per cell, failures first."""
    chosen: list[SampleView] = []
    prompts: dict[str, str] = {}
    total = 0
    for run in runs:
        cells: dict[str, list[Record]] = defaultdict(list)
        for rec in run.records:
            cells[f"{suite_of(rec) or ''}|{_level(rec)}"].append(rec)
        total += len(run.records)
        for cell, records in cells.items():
            for rec in _pick(f"{run.id}|{cell}", records, cap, seed):
                chosen.append(_view(run, rec, text_limit))
                prompt = run.prompts.get(rec.task_id)
                if prompt is not None:
                    prompts.setdefault(rec.task_id, _cut(prompt, text_limit)[0] or "")
    note = (
        f"{len(chosen)} of {total} samples embedded: at most {cap} per cell ({CELL}), all of "
        f"a cell's failures first, then passes drawn with seed {seed}; the store holds the rest "
        "(`codehazard runs export`)"
    )
    return SampleSection(
        cap_per_cell=cap,
        seed=seed,
        cell=CELL,
        text_limit=text_limit,
        total=total,
        embedded=len(chosen),
        prompts=prompts,
        samples=chosen,
        note=note,
    )
