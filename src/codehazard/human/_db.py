"""The human baseline's tables, in the same SQLite file as the runs.

A study, its participants (pseudonym, the SHA-256 of their token, their run, their order of
tasks), each participant's progress per task (active time, the times of the first submission
and of the pass, attempts, verdict, gave up) and every attempt (the code and its verdict).
Tokens themselves are never stored: only their hashes, so a copy of the store gives no one
a way into a participant's page. Every write is one short committed transaction, so a killed
server loses nothing it acknowledged.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from codehazard.errors import StoreError
from codehazard.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS human_studies (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    config TEXT NOT NULL,
    tasks TEXT NOT NULL,
    consent TEXT NOT NULL,
    operator_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS human_participants (
    id TEXT PRIMARY KEY,
    study_id TEXT NOT NULL REFERENCES human_studies(id),
    seq INTEGER NOT NULL,
    pseudonym TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    run_id TEXT NOT NULL,
    task_order TEXT NOT NULL,
    created REAL NOT NULL,
    consented REAL,
    position INTEGER NOT NULL DEFAULT 0,
    paused INTEGER NOT NULL DEFAULT 0,
    UNIQUE (study_id, pseudonym)
);
CREATE TABLE IF NOT EXISTS human_progress (
    participant_id TEXT NOT NULL REFERENCES human_participants(id),
    task_id TEXT NOT NULL,
    opened REAL NOT NULL,
    last_seen REAL NOT NULL,
    active_s REAL NOT NULL DEFAULT 0,
    first_submit_s REAL,
    pass_s REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    example_runs INTEGER NOT NULL DEFAULT 0,
    verdict TEXT,
    gave_up INTEGER NOT NULL DEFAULT 0,
    out_of_time INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    draft TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (participant_id, task_id)
);
CREATE TABLE IF NOT EXISTS human_attempts (
    participant_id TEXT NOT NULL REFERENCES human_participants(id),
    task_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    at REAL NOT NULL,
    elapsed_s REAL NOT NULL,
    status TEXT NOT NULL,
    code TEXT NOT NULL,
    verdict TEXT NOT NULL,
    PRIMARY KEY (participant_id, task_id, n)
);
"""

PROGRESS_FIELDS = (
    "task_id", "opened", "last_seen", "active_s", "first_submit_s", "pass_s", "attempts",
    "example_runs", "verdict", "gave_up", "out_of_time", "done", "draft", "comment",
)  # fmt: skip


def token_hash(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ParticipantRow:
    """A participant's row."""

    id: str
    study_id: str
    seq: int
    pseudonym: str
    run_id: str
    order: list[str]
    created: float
    consented: float | None
    position: int
    paused: bool


class HumanTables:
    """The human tables of one store (created when missing).

    Raises:
        StoreError: the tables cannot be created (a damaged store).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.connection
        try:
            self.db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"{store.path}: cannot add the human study tables ({exc})") from None

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction.

        Raises:
            StoreError: the write failed (nothing of it was kept).
        """
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.store.path}: write failed ({exc})") from None

    # studies --------------------------------------------------------------------------------

    def add_study(
        self, study_id: str, config: str, tasks: list[str], consent: str, operator: str
    ) -> None:
        """Record a new study."""
        with self.tx() as db:
            db.execute(
                "INSERT INTO human_studies (id, created, config, tasks, consent, operator_hash) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (study_id, time.time(), config, json.dumps(tasks), consent, token_hash(operator)),
            )

    def study_row(self, study_id: str) -> tuple[str, float, str, list[str], str, str] | None:
        """``(id, created, config JSON, task ids, consent, operator hash)`` or ``None``."""
        row = self.db.execute(
            "SELECT id, created, config, tasks, consent, operator_hash FROM human_studies "
            "WHERE id=?",
            (study_id,),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2], json.loads(row[3]), *row[4:])

    def study_ids(self) -> list[str]:
        """Every study, newest first."""
        rows = self.db.execute("SELECT id FROM human_studies ORDER BY created DESC, id DESC")
        return [r[0] for r in rows]

    def set_consent(self, study_id: str, text: str) -> None:
        """Replace the consent text."""
        with self.tx() as db:
            db.execute("UPDATE human_studies SET consent=? WHERE id=?", (text, study_id))

    def set_operator(self, study_id: str, token: str) -> None:
        """Replace the operator's token (the old one stops working)."""
        with self.tx() as db:
            db.execute(
                "UPDATE human_studies SET operator_hash=? WHERE id=?", (token_hash(token), study_id)
            )

    # participants ---------------------------------------------------------------------------

    def add_participant(self, row: ParticipantRow, token: str) -> None:
        """Record a new participant."""
        with self.tx() as db:
            db.execute(
                "INSERT INTO human_participants (id, study_id, seq, pseudonym, token_hash, "
                "run_id, task_order, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (row.id, row.study_id, row.seq, row.pseudonym, token_hash(token), row.run_id,
                 json.dumps(row.order), row.created),
            )  # fmt: skip

    def _participant(self, where: str, value: Any) -> ParticipantRow | None:
        row = self.db.execute(
            "SELECT id, study_id, seq, pseudonym, run_id, task_order, created, consented, "
            f"position, paused FROM human_participants WHERE {where}=?",
            (value,),
        ).fetchone()
        if row is None:
            return None
        return ParticipantRow(
            row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7],
            row[8], bool(row[9]),
        )  # fmt: skip

    def participant_by_token(self, token: str) -> ParticipantRow | None:
        """The participant whose token this is, or ``None``."""
        return self._participant("token_hash", token_hash(token))

    def participant(self, participant_id: str) -> ParticipantRow | None:
        """The participant with this id, or ``None``."""
        return self._participant("id", participant_id)

    def participants(self, study_id: str) -> list[ParticipantRow]:
        """A study's participants in the order they were invited."""
        ids = self.db.execute(
            "SELECT id FROM human_participants WHERE study_id=? ORDER BY seq", (study_id,)
        ).fetchall()
        return [p for (pid,) in ids if (p := self.participant(pid)) is not None]

    def next_seq(self, study_id: str) -> int:
        """The number the next invited participant gets."""
        row = self.db.execute(
            "SELECT COALESCE(MAX(seq), -1) + 1 FROM human_participants WHERE study_id=?",
            (study_id,),
        ).fetchone()
        return int(row[0])

    def update_participant(self, participant_id: str, **values: Any) -> None:
        """Set ``consented``, ``position`` or ``paused``."""
        allowed = {"consented", "position", "paused"}
        sets = ", ".join(f"{k}=?" for k in values if k in allowed)
        with self.tx() as db:
            db.execute(
                f"UPDATE human_participants SET {sets} WHERE id=?",
                (*[values[k] for k in values if k in allowed], participant_id),
            )

    def delete_participant(self, participant_id: str) -> None:
        """Remove a participant's rows (their run is deleted by the caller)."""
        with self.tx() as db:
            for table in ("human_attempts", "human_progress"):
                db.execute(f"DELETE FROM {table} WHERE participant_id=?", (participant_id,))
            db.execute("DELETE FROM human_participants WHERE id=?", (participant_id,))

    # progress -------------------------------------------------------------------------------

    def progress(self, participant_id: str, task_id: str) -> dict[str, Any] | None:
        """A participant's progress on one task, or ``None`` before they opened it."""
        row = self.db.execute(
            f"SELECT {', '.join(PROGRESS_FIELDS)} FROM human_progress "
            "WHERE participant_id=? AND task_id=?",
            (participant_id, task_id),
        ).fetchone()
        return None if row is None else dict(zip(PROGRESS_FIELDS, row, strict=True))

    def all_progress(self, participant_id: str) -> list[dict[str, Any]]:
        """A participant's progress on every task they opened."""
        rows = self.db.execute(
            f"SELECT {', '.join(PROGRESS_FIELDS)} FROM human_progress WHERE participant_id=? "
            "ORDER BY opened",
            (participant_id,),
        ).fetchall()
        return [dict(zip(PROGRESS_FIELDS, row, strict=True)) for row in rows]

    def open_task(self, participant_id: str, task_id: str, now: float, draft: str) -> None:
        """Start the clock on a task (nothing changes if it was opened before)."""
        with self.tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO human_progress (participant_id, task_id, opened, "
                "last_seen, draft) VALUES (?, ?, ?, ?, ?)",
                (participant_id, task_id, now, now, draft),
            )

    def set_progress(self, participant_id: str, task_id: str, **values: Any) -> None:
        """Update fields of a task's progress."""
        names = [k for k in values if k in PROGRESS_FIELDS and k != "task_id"]
        with self.tx() as db:
            db.execute(
                f"UPDATE human_progress SET {', '.join(f'{k}=?' for k in names)} "
                "WHERE participant_id=? AND task_id=?",
                (*[values[k] for k in names], participant_id, task_id),
            )

    def add_attempt(
        self, participant_id: str, task_id: str, n: int, elapsed: float, code: str,
        verdict_json: str, status: str, progress: dict[str, Any],
    ) -> None:  # fmt: skip
        """Record attempt ``n`` and the task's new progress in one transaction."""
        names = [k for k in progress if k in PROGRESS_FIELDS and k != "task_id"]
        with self.tx() as db:
            db.execute(
                "INSERT INTO human_attempts (participant_id, task_id, n, at, elapsed_s, status, "
                "code, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (participant_id, task_id, n, time.time(), elapsed, status, code, verdict_json),
            )
            db.execute(
                f"UPDATE human_progress SET {', '.join(f'{k}=?' for k in names)} "
                "WHERE participant_id=? AND task_id=?",
                (*[progress[k] for k in names], participant_id, task_id),
            )

    def attempts(self, participant_id: str, task_id: str) -> list[dict[str, Any]]:
        """A task's attempts in order: ``n``, ``elapsed_s``, ``status``, ``code``, ``verdict``."""
        rows = self.db.execute(
            "SELECT n, elapsed_s, status, code, verdict FROM human_attempts "
            "WHERE participant_id=? AND task_id=? ORDER BY n",
            (participant_id, task_id),
        ).fetchall()
        keys = ("n", "elapsed_s", "status", "code", "verdict")
        return [dict(zip(keys, row, strict=True)) for row in rows]
