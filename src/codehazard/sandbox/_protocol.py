"""The typed messages between an executor and a sandboxed worker process.

A worker is started as ``python -m codehazard.sandbox._entry FD`` and speaks over the socket
``FD`` (a ``multiprocessing.connection.Connection``: pickled objects, length-prefixed). The
parent sends ``WorkerConfig`` first; the worker answers ``Ready`` (its sandbox is up),
``StartFailed``, or ``Refused`` (it cannot start with a guarantee the run needs, such as a
leased uid); then each ``Job`` gets one ``Done`` (or ``Refused``, after which the worker
stops); ``Stop`` (or a closed socket) ends it.
Only these classes cross the socket, so both ends agree on one shape, checked on arrival.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WorkerConfig:
    """Parent to worker, first: which worker, how isolated, and the tasks it judges (JSON)."""

    index: int
    isolation: str
    disk_mb: int
    tasks_json: list[str] = field(default_factory=list)
    kind_sources: list[tuple[str, str | None]] = field(default_factory=list)
    """Modules registering checker kinds of the caller's own, imported before the tasks load."""
    hidden: dict[str, list[str]] | None = None
    """What the sandbox hides of the library trees (``hidden_view``), walked once per evaluation
    by the executor instead of once per worker; ``None``: the worker walks them itself."""


@dataclass(frozen=True)
class Ready:
    """Worker to parent: the sandbox started, with this isolation obtained."""

    isolation: dict[str, Any]


@dataclass(frozen=True)
class StartFailed:
    """Worker to parent: the sandbox could not start, and why (the host's refusal)."""

    message: str


@dataclass(frozen=True)
class Job:
    """Parent to worker: judge ``program`` against task ``task_id`` under ``limits``."""

    task_id: str
    program: str
    limits: dict[str, Any]


@dataclass(frozen=True)
class Done:
    """Worker to parent: the verdict on the last ``Job`` (``Verdict.model_dump(mode="json")``)."""

    verdict: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    """Worker to parent, instead of ``Done``: a restarted sandbox obtained less isolation than
    the worker started with, so it judges nothing more; or, instead of ``Ready``, the sandbox
    cannot start with a guarantee the run needs (no uid could be leased). ``IsolationRefused``'s
    fields."""

    message: str
    obtained: str
    required: str
    refused: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stop:
    """Parent to worker: finish and exit."""


ToWorker = WorkerConfig | Job | Stop
FromWorker = Ready | StartFailed | Done | Refused
