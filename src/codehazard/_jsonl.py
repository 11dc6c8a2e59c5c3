"""Reading JSONL files (plain or gzip) line by line, keeping line numbers for error messages."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codehazard.errors import InputError


@dataclass(frozen=True)
class Line:
    """One non-blank line of a JSONL file: its 1-based number and its decoded object or error."""

    lineno: int
    text: str
    obj: dict[str, Any] | None
    error: str | None


def open_text(path: Path, errors: str = "strict") -> io.TextIOBase:
    """Open ``path`` for reading text, transparently gunzipping ``.gz`` files.

    ``errors`` is the UTF-8 decoding's error handler: ``surrogateescape`` keeps invalid bytes
    (as lone surrogates) for files of model output, which must be read whatever they hold.

    Raises:
        InputError: the file does not exist or cannot be read.
    """
    try:
        if path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors=errors)
        return open(path, encoding="utf-8", errors=errors)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def iter_lines(path: Path, errors: str = "strict") -> Iterator[Line]:
    """Yield every non-blank line of a JSONL(.gz) file, decoded, with errors instead of raising.

    ``errors`` as for ``open_text``.

    Raises:
        InputError: the file is missing, unreadable, not valid gzip or not UTF-8.
    """
    with open_text(path, errors) as fh:
        try:
            for lineno, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield Line(
                        lineno, text, None, f"invalid JSON ({exc.msg} at column {exc.colno})"
                    )
                    continue
                if not isinstance(obj, dict):
                    yield Line(lineno, text, None, "expected a JSON object on each line")
                    continue
                yield Line(lineno, text, obj, None)
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read as UTF-8 JSONL(.gz): {exc}") from None
