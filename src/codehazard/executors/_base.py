"""The executor seam: the protocol, the factory type and the registry of executors."""

from __future__ import annotations

import concurrent.futures
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from codehazard._registry import Registry
from codehazard.errors import ArgumentError, RegistrationTypeError, UnknownNameError
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

    A factory that can work elsewhere than this machine also takes ``address`` (a string of
    its own syntax); ``get_executor`` passes it from the spec ``NAME:ADDRESS`` or
    ``NAME://...``.

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


def check_submittable(closed: bool, tasks: Mapping[str, Task], sample: Sample) -> None:
    """What every executor's ``submit`` checks first: it is open and knows the sample's task.

    Raises:
        RuntimeError: the executor is closed.
        UnknownNameError: the sample's task is not among the executor's (also a ``KeyError``).
    """
    if closed:
        raise RuntimeError("the evaluator is closed")
    if sample.task_id not in tasks:
        raise UnknownNameError(
            f"unknown task_id {sample.task_id!r}", kind="task", name=sample.task_id
        )


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
executors.register_lazy("ray", "codehazard.executors._ray:RayExecutor")
"""``ray``: a sandbox pool per node of a Ray cluster (the ``ray`` extra; ``docs/scale.md``)."""


def split_executor_spec(spec: str) -> tuple[str, str | None]:
    """An executor spec as ``(name, address)``: the one place an address is read from a spec.

    ``NAME`` has no address; ``NAME://REST`` is a URL whose scheme names the executor, and the
    address is the whole URL (``ray://head:10001``, as Ray itself takes it); ``NAME:REST`` gives
    ``REST`` (``ray:10.0.0.5:6379``, ``ray:auto``).

    Raises:
        ArgumentError: an empty name or address; the message names ``executor``.
    """
    name, colon, rest = spec.partition(":")
    address = spec if rest.startswith("//") else rest
    if not name or (colon and not rest.removeprefix("//")):
        raise ArgumentError(
            f"`executor={spec}`: expected NAME, NAME:ADDRESS or NAME://HOST:PORT "
            f"(e.g. `executor=ray://head:10001`); registered: {executors.listing()}"
        )
    return name, address if colon else None


def _takes_address(factory: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: let the call decide
        return True
    return any(p.name == "address" or p.kind is p.VAR_KEYWORD for p in parameters)


def get_executor(spec: str) -> ExecutorFactory:
    """The factory that ``spec`` names: a registered name, with an address where the executor
    takes one (``split_executor_spec``), bound as the factory's ``address`` argument.

    Raises:
        UnknownNameError: no executor has that name; the message lists those registered.
        MissingExtraError: the executor's optional dependency is not installed.
        ArgumentError: a malformed spec, or an address given to an executor that takes none.
    """
    name, address = split_executor_spec(spec)
    factory: ExecutorFactory = executors.get(name)  # type: ignore[assignment]
    if address is None:
        return factory
    if not _takes_address(factory):
        raise ArgumentError(
            f"`executor={spec}`: the {name!r} executor takes no address; pass `executor={name}`"
        )
    bound: ExecutorFactory = functools.partial(factory, address=address)  # type: ignore[assignment]
    return bound
