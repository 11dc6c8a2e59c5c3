"""The embedded results store: one SQLite file holding runs, their tasks, samples and verdicts.

Every verdict is committed as soon as it is known (WAL journal, one short transaction each), so a
killed evaluation loses nothing that was decided; ``pending`` tells a resumed run what is left.
``infra`` verdicts count as pending: they are retried on resume, never kept as model failures.
"""

from __future__ import annotations

import functools
import json
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from codehazard.errors import StoreError, UnknownRunError
from codehazard.samples import Sample
from codehazard.store._scores import SANDBOX_SCORER, Score, verdict_score
from codehazard.store._text import from_column, from_json, to_column, to_json
from codehazard.tasks import Task, task_from_dict
from codehazard.verdict import Verdict

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    params TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS tasks (
    run_id TEXT NOT NULL REFERENCES runs(id),
    task_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id)
);
CREATE TABLE IF NOT EXISTS samples (
    run_id TEXT NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    task_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    raw TEXT NOT NULL,
    program TEXT NOT NULL,
    meta TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
-- add_samples numbers each new sample after the run's last: without this index, finding the
-- last is a scan of the run's samples, and adding n samples one at a time takes n^2 / 2 rows
CREATE INDEX IF NOT EXISTS samples_order ON samples (run_id, seq);
CREATE TABLE IF NOT EXISTS verdicts (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    recorded REAL NOT NULL,
    PRIMARY KEY (run_id, key),
    FOREIGN KEY (run_id, key) REFERENCES samples(run_id, key)
);
CREATE TABLE IF NOT EXISTS scores (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    scorer TEXT NOT NULL,
    value REAL,
    explanation TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    recorded REAL NOT NULL,
    PRIMARY KEY (run_id, key, scorer),
    FOREIGN KEY (run_id, key) REFERENCES samples(run_id, key)
);
"""

# schema 1 -> 2: the scores table (created by _SCHEMA), and one sample-key scheme: evaluate
# runs keyed samples by their line (``L<line>``); every run now keys them ``<task_id>#<index>``
_MIGRATE_1_TO_2 = """
UPDATE verdicts SET key = (
    SELECT s.task_id || '#' || s.idx FROM samples s
    WHERE s.run_id = verdicts.run_id AND s.key = verdicts.key
) WHERE run_id IN (SELECT id FROM runs WHERE kind = 'evaluate') AND key LIKE 'L%';
UPDATE samples SET key = task_id || '#' || idx
WHERE run_id IN (SELECT id FROM runs WHERE kind = 'evaluate') AND key LIKE 'L%';
"""


@dataclass(frozen=True)
class RunInfo:
    """A run's row: id, kind (``evaluate``, ``run``...), status, parameters and summary."""

    id: str
    created: float
    updated: float
    kind: str
    status: str
    params: dict[str, Any]
    summary: dict[str, Any] | None


@dataclass(frozen=True)
class Record:
    """One sample joined with its task metadata and verdict (``None`` while not yet checked),
    and the values of its other scorers' scores by scorer name (the sandbox's is ``verdict``),
    with each score's metadata in ``details`` (a probe's findings: what its metrics count)."""

    run_id: str
    key: str
    task_id: str
    index: int
    metadata: dict[str, Any]
    raw: dict[str, Any]
    program: str
    verdict: Verdict | None
    scores: dict[str, float | None] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> str | None:
        """The verdict's status, or ``None`` while the sample waits."""
        return None if self.verdict is None else self.verdict.status

    @property
    def passed(self) -> bool:
        """True only when the sample was checked and passed."""
        return self.verdict is not None and self.verdict.passed

    @property
    def failure_kind(self) -> str | None:
        """The kind of failure the verdict's checker named (``None``: none, or no verdict)."""
        return None if self.verdict is None else self.verdict.failure_kind


F = TypeVar("F", bound=Callable[..., Any])


def _reads(method: F) -> F:
    """Map SQLite's read errors (a damaged or foreign file) to ``StoreError``: one line naming
    the file, never a traceback."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(
                f"{self.path}: cannot read the store ({exc}); the file is damaged or not a "
                "codehazard store: restore it from a copy or use another store"
            ) from None

    return wrapper  # type: ignore[return-value]


def new_run_id() -> str:
    """A sortable, readable, unique run id: UTC time plus random hex."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


class Store:
    """The SQLite store. Open it with ``Store(path)``; it creates the file and schema if needed.

    Raises:
        StoreError: the file cannot be opened or is not a codehazard store of a known version.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: store schema version {version} is newer than this codehazard "
                    f"understands ({SCHEMA_VERSION}); upgrade codehazard or choose another `store`"
                )
            fresh = not self._db.execute(
                "SELECT name FROM sqlite_master WHERE name='runs'"
            ).fetchone()
            self._db.executescript(_SCHEMA)  # idempotent; executescript commits by itself
            if version < SCHEMA_VERSION and not fresh:
                self._migrate(version)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: cannot open the store ({exc}); choose another `store`"
            ) from None

    def _migrate(self, version: int) -> None:
        """Bring an older store up to this schema in place, in one transaction.

        Raises:
            sqlite3.DatabaseError: the migration failed (nothing was changed).
        """
        self._db.execute("PRAGMA foreign_keys=OFF")  # keys of both tables move together
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if version <= 1:
                    for statement in _MIGRATE_1_TO_2.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        finally:
            self._db.execute("PRAGMA foreign_keys=ON")

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection, for modules that add their own tables (e.g. the cache)."""
        return self._db

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: write failed ({exc})") from None

    # runs ---------------------------------------------------------------------------------

    def create_run(self, kind: str, params: dict[str, Any], run_id: str | None = None) -> str:
        """Create a run and return its id."""
        run_id = run_id or new_run_id()
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO runs (id, created, updated, kind, status, params) "
                "VALUES (?, ?, ?, ?, 'running', ?)",
                (run_id, now, now, kind, json.dumps(params, sort_keys=True, default=str)),
            )
        return run_id

    def set_run_status(
        self, run_id: str, status: str, summary: dict[str, Any] | None = None
    ) -> None:
        """Mark a run ``running``, ``interrupted``, ``complete`` or ``failed``, with a summary."""
        with self._tx() as db:
            if summary is None:
                db.execute(
                    "UPDATE runs SET status=?, updated=? WHERE id=?", (status, time.time(), run_id)
                )
            else:
                db.execute(
                    "UPDATE runs SET status=?, updated=?, summary=? WHERE id=?",
                    (status, time.time(), json.dumps(summary, default=str), run_id),
                )

    def update_params(self, run_id: str, params: dict[str, Any]) -> None:
        """Replace a run's recorded parameters (e.g. to add the isolation obtained)."""
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET params=?, updated=? WHERE id=?",
                (json.dumps(params, sort_keys=True, default=str), time.time(), run_id),
            )

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

    @_reads
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

    @_reads
    def list_runs(self) -> list[RunInfo]:
        """All runs, newest first."""
        rows = self._db.execute(
            "SELECT id, created, updated, kind, status, params, summary FROM runs "
            "ORDER BY created DESC, id DESC"
        ).fetchall()
        return [self._row_to_run(r) for r in rows]

    # tasks and samples ---------------------------------------------------------------------

    def add_tasks(self, run_id: str, tasks: Iterable[Task]) -> None:
        """Record the tasks of a run (idempotent: a task already recorded is kept)."""
        with self._tx() as db:
            start = db.execute(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM tasks WHERE run_id=?", (run_id,)
            ).fetchone()[0]
            db.executemany(
                "INSERT OR IGNORE INTO tasks (run_id, task_id, seq, data) VALUES (?, ?, ?, ?)",
                ((run_id, t.task_id, start + i, t.model_dump_json()) for i, t in enumerate(tasks)),
            )

    @_reads
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

    def add_samples(self, run_id: str, samples: Iterable[Sample]) -> None:
        """Record samples (idempotent by key: a sample already recorded is kept as it was)."""
        with self._tx() as db:
            start = db.execute(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM samples WHERE run_id=?", (run_id,)
            ).fetchone()[0]
            db.executemany(
                "INSERT OR IGNORE INTO samples (run_id, key, seq, task_id, idx, raw, program, "
                "meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        run_id,
                        s.key,
                        start + i,
                        s.task_id,
                        s.index,
                        to_json(s.raw),
                        to_column(s.program),
                        to_json(s.meta, default=str),
                    )
                    for i, s in enumerate(samples)
                ),
            )

    def replace_sample(self, run_id: str, sample: Sample) -> None:
        """Overwrite a recorded sample's output (raw, program, meta), keeping its key and order.

        Used when a sample whose generation failed (recorded with an ``infra`` verdict) is
        generated again on resume; the stale verdict is replaced when the new one is recorded.

        Raises:
            StoreError: no such sample, or the store cannot be written.
        """
        with self._tx() as db:
            cur = db.execute(
                "UPDATE samples SET raw=?, program=?, meta=? WHERE run_id=? AND key=?",
                (
                    to_json(sample.raw),
                    to_column(sample.program),
                    to_json(sample.meta, default=str),
                    run_id,
                    sample.key,
                ),
            )
            if cur.rowcount != 1:
                raise StoreError(f"run {run_id}: no sample {sample.key!r} to replace")

    @_reads
    def samples(self, run_id: str, *, pending_only: bool = False) -> list[Sample]:
        """The samples of a run in order; with ``pending_only``, those without a final verdict."""
        query = (
            "SELECT s.key, s.task_id, s.idx, s.raw, s.program, s.meta FROM samples s "
            "LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.key = s.key WHERE s.run_id=?"
        )
        if pending_only:
            query += " AND (v.status IS NULL OR v.status = 'infra')"
        rows = self._db.execute(query + " ORDER BY s.seq", (run_id,)).fetchall()
        return [
            Sample(key, task_id, idx, from_json(raw), from_column(program), from_json(meta))
            for key, task_id, idx, raw, program, meta in rows
        ]

    # verdicts -----------------------------------------------------------------------------

    def record_verdict(self, run_id: str, key: str, verdict: Verdict) -> None:
        """Commit one verdict now. A retried ``infra`` verdict is replaced, counting attempts."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO verdicts (run_id, key, status, verdict, attempts, recorded) "
                "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (run_id, key) DO UPDATE SET "
                "status=excluded.status, verdict=excluded.verdict, "
                "attempts=verdicts.attempts + 1, recorded=excluded.recorded",
                (run_id, key, verdict.status, _verdict_json(verdict), time.time()),
            )

    @_reads
    def records(self, run_id: str) -> list[Record]:
        """Every sample of a run joined with its task's metadata and its verdict, in order."""
        self.get_run(run_id)
        meta = {
            tid: json.loads(data).get("metadata", {})
            for tid, data in self._db.execute(
                "SELECT task_id, data FROM tasks WHERE run_id=?", (run_id,)
            )
        }
        scores: dict[str, dict[str, float | None]] = {}
        details: dict[str, dict[str, dict[str, Any]]] = {}
        for key, scorer, value, data in self._db.execute(
            "SELECT key, scorer, value, metadata FROM scores WHERE run_id=?", (run_id,)
        ):
            scores.setdefault(key, {})[scorer] = value
            details.setdefault(key, {})[scorer] = from_json(data)
        rows = self._db.execute(
            "SELECT s.key, s.task_id, s.idx, s.raw, s.program, v.verdict FROM samples s "
            "LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.key = s.key "
            "WHERE s.run_id=? ORDER BY s.seq",
            (run_id,),
        ).fetchall()
        return [
            Record(
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
            for key, task_id, idx, raw, program, v in rows
        ]

    @_reads
    def status_counts(self, run_id: str) -> dict[str, int]:
        """How many verdicts of each status the run has."""
        rows = self._db.execute(
            "SELECT status, COUNT(*) FROM verdicts WHERE run_id=? GROUP BY status", (run_id,)
        ).fetchall()
        return {status: n for status, n in rows}

    # scores -------------------------------------------------------------------------------

    def record_score(self, run_id: str, score: Score) -> None:
        """Commit one score now (a scorer's later score for the same sample replaces it).

        Raises:
            StoreError: the sandbox's own scores are the verdicts (record those instead), the
                sample is not in the run, or the store cannot be written.
        """
        if score.scorer == SANDBOX_SCORER:
            raise StoreError(f"scores of {SANDBOX_SCORER!r} are the verdicts; record a verdict")
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO scores (run_id, key, scorer, value, explanation, metadata, "
                    "recorded) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, key, scorer) "
                    "DO UPDATE SET value=excluded.value, explanation=excluded.explanation, "
                    "metadata=excluded.metadata, recorded=excluded.recorded",
                    (
                        run_id,
                        score.key,
                        score.scorer,
                        score.value,
                        to_column(score.explanation),
                        to_json(score.metadata, default=str),
                        time.time(),
                    ),
                )
        except StoreError as exc:
            raise StoreError(
                f"run {run_id}: cannot record score of {score.key!r} ({exc})"
            ) from None

    def scores(self, run_id: str, scorer: str | None = None) -> list[Score]:
        """Every score of a run (the sandbox's, derived from its verdicts, first), in order.

        Raises:
            UnknownRunError: no such run.
        """
        self.get_run(run_id)
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

    # managing runs ------------------------------------------------------------------------

    def delete_run(self, run_id: str) -> None:
        """Delete a run with its tasks, samples, verdicts and scores (asks nothing).

        Raises:
            UnknownRunError: no such run.
            StoreError: the store cannot be written.
        """
        self.get_run(run_id)
        with self._tx() as db:
            for table in ("scores", "verdicts", "samples", "tasks"):
                db.execute(f"DELETE FROM {table} WHERE run_id=?", (run_id,))
            db.execute("DELETE FROM runs WHERE id=?", (run_id,))

    def progress(self, run_id: str) -> tuple[int, int]:
        """``(samples with a final verdict, samples recorded)`` of a run."""
        done, recorded = self._db.execute(
            "SELECT COUNT(v.key) - COALESCE(SUM(v.status = 'infra'), 0), COUNT(*) FROM samples s "
            "LEFT JOIN verdicts v ON v.run_id = s.run_id AND v.key = s.key WHERE s.run_id=?",
            (run_id,),
        ).fetchone()
        return int(done), int(recorded)


def _verdict_json(verdict: Verdict) -> str:
    """A verdict as stored: its JSON form, escaped where it holds text no UTF-8 can."""
    return to_json(verdict.model_dump(mode="json"))
