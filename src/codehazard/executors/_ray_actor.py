"""What the Ray executor runs on each node: an actor that holds one local sandbox pool.

The actor is a thin host for ``LocalPool``, the same pool of sandboxed worker processes the
local executor is: the same isolation, the same minimum-isolation refusal, the same worker
restarts and ``infra`` verdicts. It adds only where it ran (each verdict's
``isolation["node"]``) and speaks plain data to the driver (dicts, never exceptions, which
Ray would wrap), so that a refusal reaches the driver as a refusal and not as a crash.

Importing this module needs Ray (the ``ray`` extra): the registry's lazy entry for ``ray``
imports it, so a missing Ray is reported when the executor is looked up, with the install line.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from codehazard._registry import require_extra
from codehazard.executors._local import LocalPool
from codehazard.samples import Sample
from codehazard.sandbox import IsolationRefused, Limits
from codehazard.tasks import Task, import_kind_sources

ray = require_extra("ray", "ray", feature="the Ray executor (`executor=ray`)")


def refusal(exc: IsolationRefused) -> dict[str, Any]:
    """An ``IsolationRefused`` as plain data (its keyword arguments do not survive pickling)."""
    return {
        "message": str(exc),
        "obtained": exc.obtained,
        "required": exc.required,
        "refused": list(exc.refused),
    }


def this_node() -> dict[str, str]:
    """The Ray node this process runs on: its id, IP address and host name."""
    return {
        "id": ray.get_runtime_context().get_node_id(),
        "ip": ray.util.get_node_ip_address(),
        "hostname": socket.gethostname(),
    }


@ray.remote(max_restarts=0, max_task_retries=0)
class NodePool:
    """One ``LocalPool`` on the node Ray placed this actor on; asynchronous, so that every
    sample the driver sends waits in the pool's queue at once and no worker idles.

    Every method answers with a dict: ``start`` with ``ok`` (the isolation the pool's first
    worker obtained, and the node), ``refused`` (below the minimum) or ``failed`` (no sandbox
    could start); ``judge`` with ``verdict``, ``refused`` (a restarted worker obtained less)
    or ``error``.
    """

    def __init__(self) -> None:
        self._pool: LocalPool | None = None
        self._node = this_node()

    async def start(
        self,
        payload: tuple[list[str], list[tuple[str, str | None]]],
        workers: int,
        limits: Limits,
        isolation: str,
        retries: int,
    ) -> dict[str, Any]:
        """Start the pool on ``payload`` (the tasks as JSON, and the modules that define the
        caller's own checker kinds)."""
        tasks_json, sources = payload
        try:
            import_kind_sources(sources)
            tasks = [Task.model_validate_json(text) for text in tasks_json]
            self._pool = LocalPool(
                {t.task_id: t for t in tasks},
                workers=workers,
                limits=limits,
                isolation=isolation,
                retries=retries,
            )
        except IsolationRefused as exc:
            return {"refused": refusal(exc), "node": self._node}
        except Exception as exc:  # no sandbox here: the driver says which node and why
            return {"failed": f"{type(exc).__name__}: {exc}", "node": self._node}
        return {"ok": {"isolation": self._pool.started_with or {}}, "node": self._node}

    async def judge(self, key: str, task_id: str, index: int, program: str) -> dict[str, Any]:
        """Judge one sample in the pool; its verdict records this node."""
        assert self._pool is not None, "start first"
        try:
            future = self._pool.submit(Sample(key, task_id, index, {}, program))
            verdict = await asyncio.wrap_future(future)
        except IsolationRefused as exc:
            return {"refused": refusal(exc)}
        except Exception as exc:  # the pool broke: the harness's failure, never the model's
            return {"error": f"{type(exc).__name__}: {exc}"}
        record = verdict.model_dump(mode="json")
        record["isolation"] = {**record["isolation"], "node": self._node}
        return {"verdict": record}

    async def close(self) -> None:
        """Stop the pool's workers (their cgroups and uid leases are released)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.get_running_loop().run_in_executor(None, pool.close)
