"""The embedded results store: one SQLite file holding runs, their tasks, samples and verdicts.

Every verdict is committed as soon as it is known (WAL journal, one short transaction each), or,
inside ``Store.batched`` (what a run's session uses), in a group commit within a fraction of a
second, so a killed evaluation loses nothing that was decided and nothing a resume cannot
recompute (``_batch`` gives the argument); ``pending`` tells a resumed run what is left.
``infra`` verdicts count as pending: they are retried on resume, never kept as model failures.
Reading is by pages (``iter_samples``, ``iter_records``, ``task_outcomes``), so a run of any
size is read in bounded memory.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from codehazard.errors import StoreError
from codehazard.samples import Sample
from codehazard.store._batch import WriteBuffer
from codehazard.store._reading import StoreReaders
from codehazard.store._rows import Record, RunInfo, new_run_id
from codehazard.store._schema import ADD_SAMPLE, MIGRATE_1_TO_2, SCHEMA, SCHEMA_VERSION
from codehazard.store._scores import SANDBOX_SCORER, Score
from codehazard.store._text import to_column, to_json
from codehazard.tasks import Task
from codehazard.verdict import Verdict

__all__ = ["SCHEMA_VERSION", "Record", "RunInfo", "Store", "new_run_id"]


class Store(StoreReaders):
    """The SQLite store. Open it with ``Store(path)``; it creates the file and schema if needed.

    Raises:
        StoreError: the file cannot be opened or is not a codehazard store of a known version.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._buffer: WriteBuffer | None = None
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
            self._db.executescript(SCHEMA)  # idempotent; executescript commits by itself
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
                    for statement in MIGRATE_1_TO_2.split(";"):
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
        """The underlying connection, for modules that add their own tables (e.g. the cache);
        every buffered write is committed first, so what it reads is up to date.

        Raises:
            StoreError: the buffered writes could not be committed.
        """
        self.flush()
        return self._db

    def close(self) -> None:
        """Commit what is buffered and close the connection.

        Raises:
            StoreError: the buffered writes could not be committed (the connection is closed
                all the same).
        """
        try:
            self.flush()
        finally:
            self._db.close()

    @contextmanager
    def batched(self, *, max_rows: int = 500, max_delay: float = 0.25) -> Iterator[Store]:
        """Group commits: samples, verdicts and scores recorded inside the block are committed
        together, in order, at least every ``max_rows`` writes or ``max_delay`` seconds
        (checked at each write; call ``flush`` from a timer when writes may pause), before
        any read or other write, and when the block ends, however it ends. A kill loses at
        most the writes still waiting, each of which a resume recomputes; a committed write
        is never lost (the argument is in ``codehazard.store._batch``). Blocks nest.

        Raises:
            StoreError: the last commit failed (unless the block is ending on another error).
        """
        if self._buffer is None:
            self._buffer = WriteBuffer(max_rows, max_delay)
        self._buffer.depth += 1
        failed = False
        try:
            yield self
        except BaseException:
            failed = True
            raise
        finally:
            self._buffer.depth -= 1
            if self._buffer.depth == 0:
                try:
                    self.flush()
                except StoreError:
                    if not failed:  # the error that ended the block is the one to see
                        raise
                finally:
                    self._buffer = None

    def flush(self) -> None:
        """Commit the writes buffered by ``batched`` now (nothing to do outside it).

        Raises:
            StoreError: the commit failed; the writes that could be kept were kept.
        """
        if self._buffer is not None and self._buffer.writes:
            self._buffer.commit(self._db, self._begin)

    def _write(self, sql: str, params: tuple[Any, ...]) -> None:
        """One write: buffered inside ``batched`` (committed when due), else committed now."""
        if self._buffer is not None:
            if self._buffer.add(sql, params):
                self.flush()
            return
        with self._tx() as db:
            db.execute(sql, params)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """A transaction committed at its end, after every buffered write.

        Raises:
            StoreError: it failed (rolled back) or the buffered writes could not be committed.
        """
        self.flush()
        with self._begin() as db:
            yield db

    @contextmanager
    def _begin(self) -> Iterator[sqlite3.Connection]:
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

    def add_samples(self, run_id: str, samples: Iterable[Sample]) -> None:
        """Record samples (idempotent by key: a sample already recorded is kept as it was),
        each numbered after the run's last; buffered inside ``batched``."""
        rows = (
            (
                run_id,
                s.key,
                run_id,
                s.task_id,
                s.index,
                to_json(s.raw),
                to_column(s.program),
                to_json(s.meta, default=str),
            )
            for s in samples
        )
        if self._buffer is not None:
            for row in rows:
                self._write(ADD_SAMPLE, row)
            return
        with self._tx() as db:
            db.executemany(ADD_SAMPLE, rows)

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

    # verdicts -----------------------------------------------------------------------------

    def record_verdict(self, run_id: str, key: str, verdict: Verdict) -> None:
        """Commit one verdict now (inside ``batched``: with the next group commit). A retried
        ``infra`` verdict is replaced, counting attempts.

        Raises:
            StoreError: the store cannot be written (inside ``batched``: raised by the write
                or read that commits the group).
        """
        self._write(
            "INSERT INTO verdicts (run_id, key, status, verdict, attempts, recorded) "
            "VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (run_id, key) DO UPDATE SET "
            "status=excluded.status, verdict=excluded.verdict, "
            "attempts=verdicts.attempts + 1, recorded=excluded.recorded",
            (run_id, key, verdict.status, _verdict_json(verdict), time.time()),
        )

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
            self._write(
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


def _verdict_json(verdict: Verdict) -> str:
    """A verdict as stored: its JSON form, escaped where it holds text no UTF-8 can."""
    return to_json(verdict.model_dump(mode="json"))
