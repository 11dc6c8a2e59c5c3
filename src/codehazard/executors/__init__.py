"""Executors: where prepared work is judged. The local pool is one; Ray's can be another.

An executor takes samples of known tasks, judges each in a sandbox and streams verdicts back
(``submit`` returns a future; ``evaluate`` yields as verdicts arrive); ``close`` stops it. It
is made by a factory registered by name in ``executors``::

    @executors.register("mine")
    def make(tasks, *, workers, limits, isolation) -> Executor: ...

or from another package through the ``codehazard.executors`` entry-point group. Every
executor's workers call the sandbox's one unit of work, ``codehazard.sandbox.judge_sample``.
"""

from codehazard.executors._base import Executor, ExecutorFactory, executors, get_executor
from codehazard.executors._local import LocalPool

__all__ = ["Executor", "ExecutorFactory", "LocalPool", "executors", "get_executor"]
