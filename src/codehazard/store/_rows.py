"""What the store reads back (a run's row, a sample's record) and the helpers its readers share."""

from __future__ import annotations

import functools
import itertools
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from codehazard.errors import StoreError
from codehazard.verdict import Verdict


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


def reads(method: F) -> F:
    """Map SQLite's read errors (a damaged or foreign file) to ``StoreError``: one line naming
    the file, never a traceback."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.flush()  # a read sees every write made before it
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


def chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of ``size`` (the last shorter), consumed as they are needed."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk
