"""The ``sequence`` checker kind: call sequences on an object, monitored against a property.

A task of this kind names a class (the entry point). The trusted judge constructs fresh objects
through the channel, drives each of the task's call sequences on one of them (one round trip
per sequence, through a trusted driver), reads the observed state back, and decides from that
plain data, beside the reference class run in the judge, whether a property was broken: a
safety invariant (``invariant``), a liveness bound (``liveness``), a coupling between pieces
of state (``coupling``) or the specified answers (``contract``). On a violation it shrinks the
sequence (delta debugging, on fresh objects in the same sample) and reports the shortest
failing one it found. See ``docs/suites/expressivity.md`` (``## Temporal``, and
``## Interdependence`` for the ``coupled`` monitor).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from codehazard.errors import InputError
from codehazard.tasks._checkers import CheckerSpec, checker_kind

MONITORS = (
    "at_least",
    "exclusive",
    "transitions",
    "window",
    "bounded_wait",
    "gives_up",
    "coupled",
)
"""The properties the trusted judge can monitor (``sandbox._check_sequence``): their
``params`` are documented there."""

SEQUENCE_DRIVERS = (
    "codehazard.sandbox._drive_sequence:drive_steps",
    "codehazard.sandbox._drive_sequence:drive_many",
)


@checker_kind(
    prepare="codehazard.sandbox._check_sequence:prepare_sequence",
    help="call sequences on objects of the entry-point class, monitored for a safety or "
    "liveness property; failures are shrunk to the shortest failing sequence",
    drivers=SEQUENCE_DRIVERS,
)
class SequenceChecker(CheckerSpec):
    """Call sequences on objects of the entry-point class, checked against a property.

    ``init`` are the constructor's arguments; ``observe`` names zero-argument methods read
    after every call (the state a property speaks of); ``sequences`` lists the call sequences,
    each a list of ``[method, [args...]]`` steps; ``drain`` is appended to every sequence that
    is run (shrunk ones too), so that "eventually" is decided on a finite trace; ``monitor``
    names the property (``MONITORS``) with its ``params``; ``shrink_budget`` bounds the runs
    spent shrinking a failing sequence.
    """

    kind: Literal["sequence"] = "sequence"
    init: list[Any] = Field(default_factory=list)
    observe: list[str] = Field(default_factory=list)
    sequences: list[list[tuple[str, list[Any]]]]
    drain: list[tuple[str, list[Any]]] = Field(default_factory=list)
    monitor: str
    params: dict[str, Any] = Field(default_factory=dict)
    shrink_budget: int = Field(default=200, ge=0, le=10_000)

    @model_validator(mode="after")
    def _known_monitor(self) -> SequenceChecker:
        if self.monitor not in MONITORS:
            raise InputError(
                f"sequence checker: unknown monitor {self.monitor!r}; use one of "
                f"{', '.join(MONITORS)}"
            )
        if not self.sequences:
            raise InputError("sequence checker: sequences is empty; give at least one")
        if self.monitor == "coupled":
            _check_couplings(self.params)
        return self


def _check_couplings(params: dict[str, Any]) -> None:
    """The ``coupled`` monitor's params: named couplings whose sources define ``holds``.

    Raises:
        InputError: ``couplings`` is missing or empty, or one lacks a name or a source that
            compiles.
    """
    couplings = params.get("couplings")
    if type(couplings) is not list or not couplings:
        raise InputError("sequence checker: the coupled monitor needs params.couplings (a list)")
    for number, coupling in enumerate(couplings):
        where = f"sequence checker: params.couplings[{number}]"
        if type(coupling) is not dict or set(coupling) != {"name", "source"}:
            raise InputError(f"{where}: give exactly a name and a source")
        if "def holds(" not in coupling["source"]:
            raise InputError(f"{where}: the source must define holds(state)")
        try:
            compile(coupling["source"], "<coupling>", "exec")
        except SyntaxError as exc:
            raise InputError(f"{where}: the source does not compile: {exc.msg}") from None
