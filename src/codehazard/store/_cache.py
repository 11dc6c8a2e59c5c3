"""The response cache and the generation bookkeeping that live in the results store.

Responses are kept in their own table of the store's SQLite file, keyed by a digest of the whole
request (backend, server URL, model, prompt, parameters, sample index; see
``Request.cache_key``), so a rerun, or a run resumed after any interruption, never pays twice
for a response it already got, and never gets one another server gave.
Each write is one autocommitted statement: a kill at any moment leaves either the whole row or
none of it.

Which run an entry belongs to is read from the samples that came from it: each generated
sample's ``meta`` names its ``cache_key`` (generation's ``GenerationMeta``), whether its
response was fresh or a cache hit. ``forget_run`` removes the entries only one run names.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from typing import Any

from codehazard.errors import StoreError
from codehazard.store._sqlite import Store
from codehazard.store._text import from_json, to_json

CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS generation_cache (
    key TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    created REAL NOT NULL
)
"""


class ResponseCache:
    """Cached responses in ``store``'s file. Use from the thread that owns the store.

    Raises (constructor):
        StoreError: the table cannot be created.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._db = store.connection
        self._run(CACHE_SCHEMA)

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise StoreError(f"{self._store.path}: response cache failed ({exc})") from None

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached response for ``key``, or ``None``.

        Raises:
            StoreError: the store cannot be read.
        """
        row = self._run("SELECT response FROM generation_cache WHERE key=?", (key,)).fetchone()
        return None if row is None else from_json(row[0])

    def put(
        self,
        key: str,
        *,
        backend: str,
        model: str,
        request: dict[str, Any],
        response: dict[str, Any],
    ) -> None:
        """Store (or replace) the response for ``key``, committed at once.

        Raises:
            StoreError: the store cannot be written.
        """
        self._run(
            "INSERT OR REPLACE INTO generation_cache (key, backend, model, request, response, "
            "created) VALUES (?, ?, ?, ?, ?, ?)",
            (
                key,
                backend,
                model,
                to_json(request, sort_keys=True),
                to_json(response),
                time.time(),
            ),
        )

    def forget_run(self, run_id: str) -> tuple[int, int]:
        """Delete the entries that the samples of ``run_id`` came from and no other run's
        samples did, in one transaction; returns ``(deleted, kept because shared)``.

        Raises:
            StoreError: the store cannot be read or written.
        """
        named = (
            # a damaged meta column names no entry (json_extract of NULL), never fails the delete
            "SELECT k FROM (SELECT json_extract(CASE WHEN json_valid(meta) THEN meta END, "
            "'$.cache_key') AS k FROM samples WHERE run_id {} ?) WHERE k IS NOT NULL"
        )
        mine = f"SELECT key FROM generation_cache WHERE key IN ({named.format('=')})"
        shared = f"{mine} AND key IN ({named.format('!=')})"
        self._run("BEGIN IMMEDIATE")
        try:
            kept = len(self._run(shared, (run_id, run_id)).fetchall())
            deleted = self._run(
                f"DELETE FROM generation_cache WHERE key IN ({mine} AND key NOT IN "
                f"({named.format('!=')}))",
                (run_id, run_id),
            ).rowcount
            self._run("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # the error that stopped it is the one to see
                self._db.execute("ROLLBACK")
            raise
        return int(deleted), kept

    def __len__(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM generation_cache").fetchone()[0])
