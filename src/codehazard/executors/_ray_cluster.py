"""The Ray executor's view of the cluster: connecting, the nodes, how the workers are spread
over them, and the least isolation of several nodes' pools.

Kept apart from the dispatch (``_ray``) because none of it is per sample.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any

from codehazard.errors import ArgumentError, SandboxError
from codehazard.executors._ray_actor import ray
from codehazard.sandbox import ISOLATION_LEVELS, IsolationRefused, require_isolation_kept

LOCAL = "local"
"""The address Ray takes for "start a runtime of your own here" (never an existing one)."""


@dataclass
class Connection:
    """This process's link to a Ray runtime, and whether the executor made it (and so ends it:
    a runtime the caller had already started or joined is left as it was)."""

    address: str
    owned: bool

    def close(self) -> None:
        """Shut down the runtime (``local``) or disconnect, when the executor connected."""
        if self.owned and ray.is_initialized():
            ray.shutdown()


def _current_address() -> str:
    try:
        return str(ray.get_runtime_context().gcs_address)
    except Exception:  # a Ray Client connection has no GCS address of its own here
        return "ray://"


def connect(address: str | None) -> Connection:
    """Join the Ray runtime ``address`` names (``None``: start one here, shut down at close).

    ``ray://HOST:PORT`` is Ray Client (the cluster's client server, port 10001 by default:
    this process may be anywhere); ``HOST:PORT`` (the GCS, port 6379 by default) and ``auto``
    join a cluster this machine is a node of. A runtime this process already joined
    (``ray.init()`` in a notebook) is used as it is when ``address`` is ``None`` or names it.

    Ray replaces the process's SIGTERM handler when it connects; the caller's is put back, so
    that the command line still treats SIGTERM as Ctrl-C.

    Raises:
        ArgumentError: Ray is already connected elsewhere in this process.
        SandboxError: Ray cannot start or reach the cluster; the message says which and why.
    """
    if ray.is_initialized():
        current = _current_address()
        if address not in (None, current, "auto"):
            raise ArgumentError(
                f"`executor=ray:{address}`: this process is already connected to the Ray "
                f"runtime at {current}; pass `executor=ray` to judge there, or call "
                "ray.shutdown() first"
            )
        return Connection(current, owned=False)
    target = address or LOCAL
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.ERROR}
    if target == LOCAL:
        options["include_dashboard"] = False
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if main else None
    try:
        _init(target, options)
    except Exception as exc:
        where = "start a local Ray runtime" if target == LOCAL else f"reach {target}"
        hint = (
            " (`ray://` is Ray Client: the head's client server, `ray start --head` starts "
            "it on port 10001, and it needs Ray Client's package: `pip install 'codehazard[ray]'`)"
            if target.startswith("ray://")
            else ""
        )
        why = str(exc).strip() or type(exc).__name__
        raise SandboxError(f"the Ray executor could not {where}: {why}{hint}") from exc
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
    _cluster_errors_to_stderr()
    return Connection(target, owned=True)


_ATTEMPTS = 3
"""Tries to join an existing cluster: a head busy starting, or a loaded one, can refuse the
first."""


def _init(target: str, options: dict[str, Any]) -> None:
    """``ray.init``, tried again (twice, a second apart) when an existing cluster refuses."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            ray.init(address=target, **options)
            return
        except ConnectionError:
            if target == LOCAL or attempt == _ATTEMPTS:
                raise
            if ray.is_initialized():
                ray.shutdown()
            time.sleep(1.0)


def _cluster_errors_to_stderr() -> None:
    """Send the cluster's error messages (a node lost, a worker killed) to stderr.

    Ray's driver prints them on stdout, from a thread of its own, whatever ``log_to_driver``
    says; stdout is the command's output (``--json``), so they are moved to stderr, kept
    whole. Ray's private printing function is wrapped where it exists; a Ray without it is
    left alone.
    """
    module = getattr(getattr(ray, "_private", None), "worker", None)
    original = getattr(module, "print_to_stdstream", None)
    if original is None or getattr(original, "_to_stderr", False):
        return

    def to_stderr(data: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return original({**data, "is_err": True}, *args, **kwargs)

    to_stderr._to_stderr = True  # type: ignore[attr-defined]
    module.print_to_stdstream = to_stderr  # type: ignore[union-attr]


@dataclass(frozen=True)
class Node:
    """An alive node of the cluster that can host a pool."""

    id: str
    ip: str
    cpus: float


def alive_nodes() -> list[Node]:
    """The cluster's alive nodes with at least one CPU, the most CPUs first."""
    nodes = [
        Node(str(n["NodeID"]), str(n.get("NodeManagerAddress", "")), float(cpus))
        for n in ray.nodes()
        if n.get("Alive") and (cpus := (n.get("Resources") or {}).get("CPU", 0)) >= 1
    ]
    return sorted(nodes, key=lambda n: (-n.cpus, n.id))


def spread(nodes: list[Node], workers: int) -> list[tuple[Node, int]]:
    """``workers`` sandbox workers over ``nodes`` in proportion to their CPUs (largest
    remainder), at least one on each node used; with fewer workers than nodes, the nodes with
    the most CPUs get one each.

    Raises:
        SandboxError: no node has a CPU.
    """
    if not nodes:
        raise SandboxError(
            "the Ray cluster has no alive node with a CPU to run sandboxes on (`ray status` "
            "shows its nodes)"
        )
    used = nodes[: min(len(nodes), workers)]
    rest = workers - len(used)
    total = sum(n.cpus for n in used)
    exact = [rest * n.cpus / total for n in used]
    shares = [1 + int(x) for x in exact]
    by_remainder = sorted(range(len(used)), key=lambda i: (-(exact[i] - int(exact[i])), i))
    for i in by_remainder[: workers - sum(shares)]:
        shares[i] += 1
    return list(zip(used, shares, strict=True))


def _rank(record: dict[str, Any]) -> int:
    level = str(record.get("level", "none"))
    return ISOLATION_LEVELS.index(level) if level in ISOLATION_LEVELS else -1


def least_isolation(records: list[dict[str, Any]], minimum: str) -> dict[str, Any]:
    """The record that every one of ``records`` keeps (each pool's first worker's): the run's
    isolation, the least of its nodes'. Each record is at least ``minimum`` already (each
    pool refused less itself).

    Raises:
        IsolationRefused: no record is kept by all the others (two nodes each lack something
            the other has): no one record would be true of every verdict, so, as when a local
            worker obtains less than the first, the run does not start; the message says what
            was lost.
    """
    ordered = sorted(records, key=_rank)
    first_error: IsolationRefused | None = None
    for candidate in ordered:
        try:
            for other in records:
                require_isolation_kept(candidate, other, minimum)
        except IsolationRefused as exc:
            first_error = first_error or exc
            continue
        return candidate
    assert first_error is not None
    raise first_error
