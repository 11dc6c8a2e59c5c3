"""The ``stress`` checker kind: a concurrent object hammered by threads, its history judged.

The task's entry point is a class. For each of ``rounds`` rounds the trusted judge constructs a
fresh object (``init`` as its arguments), has the trusted driver (``sandbox._drivers_threads``)
run ``threads`` threads of seeded operations on it, reads the final state back through the
channel, and decides from that plain data: linearizability of the history against the
sequential ``model``, the model's invariants, deadlock (the driver's watchdog), starvation and
the pool's and lock's own properties. ``methods`` maps each of the model's roles to the method
name the task uses; ``params`` are the model's parameters (a queue's capacity, the accounts'
opening balances). See ``docs/suites/expressivity.md``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from codehazard.tasks._checkers import CheckerSpec, checker_kind

StressModel = Literal[
    "counter", "ids", "high-water", "bank", "stats", "once", "queue", "rwlock", "pool"
]
"""The sequential specifications the judge knows (``sandbox._stress_models``)."""


@checker_kind(
    prepare="codehazard.sandbox._check_stress:prepare_stress",
    help="threads hammer an object; its history is checked for linearizability and deadlock",
    drivers=("codehazard.sandbox._drivers_threads:stress",),
)
class StressChecker(CheckerSpec):
    """Stress a concurrent class: seeded rounds of threads, histories judged in the trusted
    judge. ``threads`` stays under the sandbox's process limit (32 counts threads too)."""

    kind: Literal["stress"] = "stress"
    model: StressModel
    methods: dict[str, str]
    init: list[Any] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    threads: int = Field(6, ge=2, le=16)
    ops: int = Field(8, ge=1, le=40)
    rounds: int = Field(20, ge=1, le=500)
    seed: int = 0
    yield_p: float = Field(0.05, ge=0.0, le=0.5)
    switch_interval: float = Field(1e-6, gt=0.0, le=0.01)
    hold: float = Field(0.0005, ge=0.0, le=0.05)
    stall_s: float = Field(1.0, gt=0.0, le=10.0)
