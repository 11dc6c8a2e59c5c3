"""Group commits: the store's writes of one session, committed a few hundred at a time.

Committing each verdict in a transaction of its own costs a lock, a journal append and, every
thousand pages, a checkpoint that syncs the file: a few hundred microseconds, which at a
thousand verdicts a second is a core of the driver spent on commits. Inside
``Store.batched`` the writes that a resume can recompute (samples, verdicts, scores) wait in
a ``WriteBuffer`` and are committed together, in the order they were made, in one transaction:
when ``max_rows`` are waiting, when the oldest has waited ``max_delay`` seconds (checked at
each write, and by the caller's timer calling ``flush``), before any read or any write that
is not buffered, and when the batch ends.

Why a kill -9 of the driver still loses nothing:

* A flush is one SQLite transaction in WAL mode with ``synchronous=NORMAL``: the commit
  appends the transaction's pages to the write-ahead log with ``write(2)`` before it returns.
  From then on the pages are the kernel's, not the process's: a killed process (SIGKILL, the
  OOM killer, a crash) cannot take them back, and the next connection finds them in the log.
  A committed verdict is never lost. (Only an operating-system crash or power loss can lose
  the last commits before the log is synced, and even then the file stays consistent: the
  samples concerned are simply judged again.)
* What a kill does lose is the buffer: at most ``max_rows`` writes, made in the last
  ``max_delay`` seconds. Each is something a resume recomputes: a sample not stored is read
  again from its samples file, or rebuilt from the response cache, which is never buffered
  (a paid response is committed the moment it arrives); a verdict not stored leaves its sample
  pending, so it is judged again; a score not stored is computed again for a judged sample.
  Keys are stable and writes are upserts, so nothing is judged twice into the store.
* Writes keep their order (a sample before its verdict, a verdict before its scores), and a
  transaction is atomic, so no kill leaves a verdict without its sample.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from codehazard.errors import StoreError

Write = tuple[str, tuple[Any, ...]]
"""One buffered statement and its parameters."""


class WriteBuffer:
    """The writes waiting for the next group commit, and when the oldest was made."""

    def __init__(self, max_rows: int, max_delay: float) -> None:
        self.max_rows, self.max_delay = max_rows, max_delay
        self.writes: list[Write] = []
        self.since = 0.0
        self.depth = 0

    def add(self, sql: str, params: tuple[Any, ...]) -> bool:
        """Buffer one write; ``True`` when the buffer is due for a commit."""
        if not self.writes:
            self.since = time.monotonic()
        self.writes.append((sql, params))
        return self.due()

    def due(self) -> bool:
        """Full, or its oldest write has waited long enough."""
        return bool(self.writes) and (
            len(self.writes) >= self.max_rows or time.monotonic() - self.since >= self.max_delay
        )

    def commit(self, db: sqlite3.Connection, tx: Callable[[], Any]) -> None:
        """Execute the buffered writes in order inside ``tx()`` (a transaction's context
        manager), runs of one statement as one ``executemany``. The buffer is emptied first.
        When the group fails (one write breaks a constraint, say), each write is tried again
        in a transaction of its own, so one bad write never costs the others.

        Raises:
            StoreError: from ``tx``: the first write that could not be committed.
        """
        writes, self.writes = self.writes, []
        try:
            with tx():
                _execute(db, writes)
        except StoreError:
            first: StoreError | None = None
            for write in writes:
                try:
                    with tx():
                        _execute(db, [write])
                except StoreError as exc:
                    first = first or exc
            if first is not None:
                raise first from None


def _execute(db: sqlite3.Connection, writes: list[Write]) -> None:
    """``writes`` in order, each run of one statement as one ``executemany``."""
    start = 0
    while start < len(writes):
        sql = writes[start][0]
        end = start + 1
        while end < len(writes) and writes[end][0] == sql:
            end += 1
        db.executemany(sql, [params for _, params in writes[start:end]])
        start = end
