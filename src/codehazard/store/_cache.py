"""The response cache and the generation bookkeeping that live in the results store.

Responses are kept in their own table of the store's SQLite file, keyed by a digest of the whole
request (backend, server URL, model, prompt, parameters, sample index; see
``Request.cache_key``), so a rerun, or a run resumed after any interruption, never pays twice
for a response it already got, and never gets one another server gave.
Each write is one autocommitted statement: a kill at any moment leaves either the whole row or
none of it.
"""

from __future__ import annotations

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

    def __len__(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM generation_cache").fetchone()[0])
