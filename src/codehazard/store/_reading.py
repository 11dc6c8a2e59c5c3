"""The store's readers: runs, tasks, samples, records, scores and counts, read by pages.

A mixin of ``Store`` (which owns the connection and the write buffer): every read commits the
buffered writes first (``reads``), so it sees everything written before it, and every reader of
a run's samples goes a page (``PAGE`` rows) at a time, so a run's size never decides the
memory a reader takes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from codehazard.errors import UnknownRunError
from codehazard.samples import Sample
from codehazard.store._rows import Record, RunInfo, chunks, reads
from codehazard.store._scores import SANDBOX_SCORER, Score, verdict_score
from codehazard.store._text import from_column, from_json
from codehazard.tasks import Task, task_from_dict
from codehazard.verdict import Verdict

PAGE = 500
"""Rows read at a time by the paged readers (and keys looked up per query)."""


class StoreReaders:
    """The read half of ``Store``."""

    path: Path
    _db: sqlite3.Connection

    def flush(self) -> None:  # pragma: no cover - Store's own replaces it
        """Commit buffered writes (``Store.flush``)."""

    @reads
    def get_run(self, run_id: str) -> RunInfo:
        """Return one run.

        Raises:
            UnknownRunError: no run has that id (the message says how to list them).
        """
        row = self._db.execute(
            "SELECT id, created, updated, kind, status, params, summary FROM runs WHERE id=?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise UnknownRunError(
                f"no run {run_id!r} in {self.path}; `codehazard runs list` shows the runs"
            )
        return self._row_to_run(row)

    @reads
    def list_runs(self) -> list[RunInfo]:
        """All runs, newest first."""
        rows = self._db.execute(
            "SELECT id, created, updated, kind, status, params, summary FROM runs "
            "ORDER BY created DESC, id DESC"
        ).fetchall()
        return [self._row_to_run(r) for r in rows]

    def _row_to_run(self, row: Sequence[Any]) -> RunInfo:
        return RunInfo(
            id=row[0],
            created=row[1],
            updated=row[2],
            kind=row[3],
            status=row[4],
            params=json.loads(row[5]),
            summary=json.loads(row[6]) if row[6] else None,
        )

    @reads
    def tasks(self, run_id: str) -> dict[str, Task]:
        """The tasks of a run, in the order they were added."""
        rows = self._db.execute(
            "SELECT data FROM tasks WHERE run_id=? ORDER BY seq", (run_id,)
        ).fetchall()
        out: dict[str, Task] = {}
        for (data,) in rows:
            task = Task.model_validate_json(data) if data.startswith("{") else None
            if task is None:  # pragma: no cover - defensive
                task = task_from_dict(json.loads(data))
            out[task.task_id] = task
        return out

    def samples(self, run_id: str, *, pending_only: bool = False) -> list[Sample]:
        """The samples of a run in order; with ``pending_only``, those without a final verdict.

        Raises:
            StoreError: the store cannot be read.
        """
        return list(self.iter_samples(run_id, pending_only=pending_only))

    def iter_samples(
        self, run_id: str, *, pending_only: bool = False, keys: Iterable[str] | None = None
    ) -> Iterator[Sample]:
        """``samples``, read a page at a time; with ``keys``, only those samples, in the order
        of ``keys`` (consumed as needed; a key without a sample is skipped).

        Raises:
            StoreError: the store cannot be read.
        """
        select = "s.task_id, s.idx, s.raw, s.program, s.meta"
        for rows in self._pages(run_id, select, pending_only=pending_only, keys=keys):
            for _, key, task_id, idx, raw, program, meta in rows:
                yield Sample(
                    key, task_id, idx, from_json(raw), from_column(program), from_json(meta)
                )

    def sample_keys(self, run_id: str) -> set[str]:
        """The keys of a run's samples.

        Raises:
            StoreError: the store cannot be read.
        """
        return {row[1] for rows in self._pages(run_id, "NULL") for row in rows}

    def _pages(
        self,
        run_id: str,
        select: str,
        *,
        pending_only: bool = False,
        keys: Iterable[str] | None = None,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Rows ``(seq, key, <select>...)`` of a run's samples (``s``, joined with their
        verdicts ``v``), ``PAGE`` at a time in store order, or in the order of ``keys``.
        Every page is fetched whole, so the store may be written between pages."""
        query = (
            f"SELECT s.seq, s.key, {select} FROM samples s LEFT JOIN verdicts v "
            "ON v.run_id = s.run_id AND v.key = s.key WHERE s.run_id=?"
        )
        if pending_only:
            query += " AND (v.status IS NULL OR v.status = 'infra')"
        if keys is not None:
            for chunk in chunks(keys, PAGE):
                marks = ", ".join("?" * len(chunk))
                rows = self._fetch(f"{query} AND s.key IN ({marks})", (run_id, *chunk))
                found = {row[1]: row for row in rows}
                yield [found[key] for key in chunk if key in found]
            return
        last = -1
        while True:
            rows = self._fetch(
                f"{query} AND s.seq > ? ORDER BY s.seq LIMIT ?", (run_id, last, PAGE)
            )
            if rows:
                yield rows
            if len(rows) < PAGE:
                return
            last = rows[-1][0]

    @reads
    def _fetch(self, query: str, args: tuple[Any, ...]) -> list[Any]:
        return self._db.execute(query, args).fetchall()

    def records(self, run_id: str) -> list[Record]:
        """Every sample of a run joined with its task's metadata and its verdict, in order.

        Raises:
            UnknownRunError: no such run.
            StoreError: the store cannot be read.
        """
        return list(self.iter_records(run_id))

    def iter_records(self, run_id: str, *, keys: Iterable[str] | None = None) -> Iterator[Record]:
        """``records``, read a page at a time (the run's size does not matter); with ``keys``,
        only those samples' records, in the order of ``keys`` (a key without a sample is
        skipped). Each task's ``metadata`` is one dict, shared by its records.

        Raises:
            UnknownRunError: no such run (raised when iteration starts).
            StoreError: the store cannot be read.
        """
        self.get_run(run_id)
        meta = self.task_metadata(run_id)
        select = "s.task_id, s.idx, s.raw, s.program, v.verdict"
        for rows in self._pages(run_id, select, keys=keys):
            scores, details = self._page_scores(run_id, [row[1] for row in rows])
            for _, key, task_id, idx, raw, program, v in rows:
                yield Record(
                    run_id=run_id,
                    key=key,
                    task_id=task_id,
                    index=idx,
                    metadata=meta.get(task_id, {}),
                    raw=from_json(raw),
                    program=from_column(program),
                    verdict=Verdict.model_validate(from_json(v)) if v else None,
                    scores=scores.get(key, {}),
                    details=details.get(key, {}),
                )

    def _page_scores(
        self, run_id: str, keys: list[str]
    ) -> tuple[dict[str, dict[str, float | None]], dict[str, dict[str, dict[str, Any]]]]:
        """The scores (and their metadata) of one page of samples, by key and scorer."""
        scores: dict[str, dict[str, float | None]] = {}
        details: dict[str, dict[str, dict[str, Any]]] = {}
        if not keys:
            return scores, details
        marks = ", ".join("?" * len(keys))
        for key, scorer, value, data in self._fetch(
            f"SELECT key, scorer, value, metadata FROM scores WHERE run_id=? AND key IN ({marks})",
            (run_id, *keys),
        ):
            scores.setdefault(key, {})[scorer] = value
            details.setdefault(key, {})[scorer] = from_json(data)
        return scores, details

    @reads
    def task_metadata(self, run_id: str) -> dict[str, dict[str, Any]]:
        """Each recorded task's ``metadata`` by task id (without parsing whole tasks)."""
        return {
            tid: json.loads(data).get("metadata", {})
            for tid, data in self._db.execute(
                "SELECT task_id, data FROM tasks WHERE run_id=?", (run_id,)
            )
        }

    @reads
    def task_outcomes(self, run_id: str) -> list[tuple[str, str | None, int]]:
        """``(task_id, status, samples)`` for each task and verdict status of a run (status
        ``None``: samples without a verdict yet), ordered by each group's first sample: what
        pass@k and the summaries need, in one query, whatever the run's size."""
        return [
            (task_id, status, int(n))
            for task_id, status, n, _ in self._db.execute(
                "SELECT s.task_id, v.status, COUNT(*), MIN(s.seq) AS first FROM samples s "
                "LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.key = s.key "
                "WHERE s.run_id=? GROUP BY s.task_id, v.status ORDER BY first",
                (run_id,),
            )
        ]

    @reads
    def status_counts(self, run_id: str) -> dict[str, int]:
        """How many verdicts of each status the run has."""
        rows = self._db.execute(
            "SELECT status, COUNT(*) FROM verdicts WHERE run_id=? GROUP BY status", (run_id,)
        ).fetchall()
        return {status: n for status, n in rows}

    def scores(self, run_id: str, scorer: str | None = None) -> list[Score]:
        """Every score of a run (the sandbox's, derived from its verdicts, first), in order.

        Raises:
            UnknownRunError: no such run.
        """
        self.get_run(run_id)  # commits what is buffered, so the query below sees it
        out: list[Score] = []
        if scorer in (None, SANDBOX_SCORER):
            rows = self._db.execute(
                "SELECT v.key, v.verdict FROM verdicts v JOIN samples s ON s.run_id = v.run_id "
                "AND s.key = v.key WHERE v.run_id=? ORDER BY s.seq",
                (run_id,),
            ).fetchall()
            out += [verdict_score(key, Verdict.model_validate(from_json(v))) for key, v in rows]
        query = (
            "SELECT c.key, c.scorer, c.value, c.explanation, c.metadata FROM scores c "
            "JOIN samples s ON s.run_id = c.run_id AND s.key = c.key WHERE c.run_id=?"
        )
        args: tuple[Any, ...] = (run_id,)
        if scorer is not None:
            query, args = query + " AND c.scorer=?", (run_id, scorer)
        for key, name, value, explanation, meta in self._db.execute(
            query + " ORDER BY c.scorer, s.seq", args
        ):
            out.append(
                Score(key=key, scorer=name, value=value, explanation=from_column(explanation),
                      metadata=from_json(meta))
            )  # fmt: skip
        return out

    @reads
    def progress(self, run_id: str) -> tuple[int, int]:
        """``(samples with a final verdict, samples recorded)`` of a run."""
        done, recorded = self._db.execute(
            "SELECT COUNT(v.key) - COALESCE(SUM(v.status = 'infra'), 0), COUNT(*) FROM samples s "
            "LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.key = s.key WHERE s.run_id=?",
            (run_id,),
        ).fetchone()
        return int(done), int(recorded)
