"""Executors: where prepared work is judged: ``local`` (a pool of sandboxed worker processes)
and ``ray`` (one such pool on each node of a Ray cluster; the ``ray`` extra).

An executor takes samples of known tasks, judges each in a sandbox and streams verdicts back
(``submit`` returns a future; ``evaluate`` yields as verdicts arrive); ``close`` stops it. It
is made by a factory registered by name in ``executors``::

    @executors.register("mine")
    def make(tasks, *, workers, limits, isolation, address=None) -> Executor: ...

or from another package through the ``codehazard.executors`` entry-point group. A spec names
the executor and, for one that works elsewhere, where: ``ray``, ``ray://HOST:PORT``,
``ray:HOST:PORT`` (``split_executor_spec``; ``get_executor`` binds the address). Every
executor's workers call the sandbox's one unit of work, ``codehazard.sandbox.judge_sample``.
"""

from codehazard.executors._base import (
    Executor,
    ExecutorFactory,
    executors,
    get_executor,
    split_executor_spec,
)
from codehazard.executors._local import LocalPool

__all__ = [
    "Executor",
    "ExecutorFactory",
    "LocalPool",
    "executors",
    "get_executor",
    "split_executor_spec",
]
