"""The executor seam: the protocol, the factory type and the registry of executors."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from codehazard._registry import Registry
from codehazard.errors import RegistrationTypeError
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.tasks import Task
from codehazard.verdict import Verdict


@runtime_checkable
class Executor(Protocol):
    """Judges samples of the tasks it was made with; a context manager.

    A harness failure is a verdict with status ``infra`` (or a future that raises), never a
    model failure; a sample of an unknown task is a ``KeyError`` from ``submit``.
    """

    @property
    def isolation(self) -> dict[str, Any]:
        """The isolation the executor's sandboxes obtained."""
        ...

    def submit(self, sample: Sample) -> concurrent.futures.Future[Verdict]:
        """Queue one sample; its future holds the verdict."""
        ...

    def evaluate(self, samples: Iterable[Sample]) -> Iterator[tuple[Sample, Verdict]]:
        """Judge samples, yielding each with its verdict as soon as it is known."""
        ...

    def close(self) -> None:
        """Stop; samples still queued are cancelled."""
        ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class ExecutorFactory(Protocol):
    """Makes an executor for ``tasks``; started (its sandboxes up) when it returns.

    Raises (when called): ``SandboxError`` when no sandbox can start; ``InputError`` for
    ``workers < 1``.
    """

    def __call__(
        self,
        tasks: Mapping[str, Task],
        *,
        workers: int = ...,
        limits: Limits | None = ...,
        isolation: str = ...,
    ) -> Executor: ...


def _validate(name: str, obj: Any) -> None:
    if not callable(obj):
        raise RegistrationTypeError(
            f"executor {name!r} must be a callable factory, got {type(obj).__name__}"
        )


executors: Registry[Callable[..., Executor]] = Registry(
    "executor", "codehazard.executors", validate=_validate
)
executors.register_lazy("local", "codehazard.executors._local:LocalPool")
"""``local``: sandboxed worker processes on this machine (the default)."""


def get_executor(name: str) -> ExecutorFactory:
    """The factory registered as ``name``.

    Raises:
        UnknownNameError: no executor has that name; the message lists those registered.
        MissingExtraError: the executor's optional dependency is not installed.
    """
    factory: ExecutorFactory = executors.get(name)  # type: ignore[assignment]
    return factory
