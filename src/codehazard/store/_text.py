"""Storing any Python string, exactly: what a model writes is not always valid Unicode text.

A completion may hold a lone surrogate (``"\\ud800"``, from a JSON escape or an invalid byte of a
samples file read with ``surrogateescape``), NUL characters or very long lines. SQLite's
``TEXT`` and UTF-8 files cannot hold lone surrogates, and Python's ``sqlite3`` refuses to bind
them, so one such sample used to stop a whole evaluation. These helpers are the store's only
way in and out for model-controlled text:

* ``to_column`` / ``from_column``: a string that is valid UTF-8 is stored as ``TEXT``, unchanged
  (readable by any SQLite client); any other string as a ``BLOB`` of its ``surrogatepass``
  UTF-8 bytes. The storage class tells the two apart, so every string reads back identical.
* ``to_json`` / ``from_json``: JSON for columns and files; non-ASCII text stays readable, and a
  value holding a lone surrogate is written with ``\\uXXXX`` escapes (valid JSON, valid UTF-8,
  read back identical by ``json.loads``).
"""

from __future__ import annotations

import json
from typing import Any

from codehazard.errors import StoreError


def to_column(text: str) -> str | bytes:
    """The value to bind for a text column: ``text`` itself, or its bytes when not UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
    return text


def from_column(value: str | bytes) -> str:
    """The string ``to_column`` was given.

    Raises:
        StoreError: the column holds neither text nor bytes (a damaged store).
    """
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogatepass")
    if isinstance(value, str):
        return value
    raise StoreError(
        f"the store is damaged: expected a text or blob column, got {type(value).__name__}"
    )


def to_json(value: Any, **options: Any) -> str:
    """``json.dumps`` that always gives encodable text: readable, escaped only where needed."""
    text = json.dumps(value, ensure_ascii=False, **options)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, **options)
    return text


def from_json(value: str | bytes) -> Any:
    """Parse what ``to_json`` (or an older store's plain ``json.dumps``) wrote."""
    return json.loads(from_column(value))
