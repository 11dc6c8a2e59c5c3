"""The ``noninterference`` checker kind: pairs of runs that differ only in a secret.

A task of this kind names a function and a list of pairs: the same public arguments with two
different values of the secret argument. The trusted judge calls the candidate on both halves
of every pair and requires that what an observer sees does not differ: the answer (``output``,
``count``, ``order``), the exception and its message (``exception``) and, when the secret is
*served* (handed over as a proxy whose every read the judge answers and counts), the work done
reading it (``work``). A difference is a ``leak`` naming the channel and the pair. Then every
answer must equal the reference's on the same arguments (``contract``). See
``docs/suites/expressivity.md`` (``## Hyperproperties``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from codehazard.errors import InputError
from codehazard.tasks._checkers import CheckerSpec, checker_kind

OBSERVED = ("output", "exception", "work")
"""What the judge compares between the two runs of a pair (``work`` needs a served secret)."""


class SecretPair(BaseModel):
    """One pair of runs: the public ``args`` (the secret's position holds anything, it is
    replaced) and the two values of the secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    args: list[Any]
    secrets: tuple[Any, Any]


@checker_kind(
    prepare="codehazard.sandbox._check_noninterference:prepare_noninterference",
    help="pairs of runs that differ only in a secret argument: the output, the exception and "
    "(for a served secret) the reads of it must not differ; then the reference's answers",
)
class NoninterferenceChecker(CheckerSpec):
    """Pairs of calls that differ only in argument ``secret_arg``, checked for leaks.

    ``served``: the secret reaches the candidate as a served proxy (``sandbox._served``) and
    the work of reading it is observed; else it is passed as plain data. ``observe`` names
    what must not differ within a pair (``OBSERVED``); ``budget`` bounds one call's reads.
    """

    kind: Literal["noninterference"] = "noninterference"
    secret_arg: int = Field(default=0, ge=0)
    served: bool = False
    pairs: list[SecretPair]
    observe: list[str] = Field(default_factory=lambda: list(OBSERVED))
    budget: int = Field(default=10_000, ge=1, le=1_000_000)
    numbers: Literal["count", "output"] = "count"
    """The channel named when two answers differ only in numbers: ``count`` where the numbers
    are counts or totals of records, ``output`` where a number is the released value itself."""

    @model_validator(mode="after")
    def _consistent(self) -> NoninterferenceChecker:
        if not self.pairs:
            raise InputError("noninterference checker: pairs is empty; give at least one")
        unknown = sorted(set(self.observe) - set(OBSERVED))
        if unknown:
            raise InputError(
                f"noninterference checker: unknown observe {unknown}; use {', '.join(OBSERVED)}"
            )
        if "work" in self.observe and not self.served:
            raise InputError("noninterference checker: observe 'work' needs served: true")
        for number, pair in enumerate(self.pairs):
            if self.secret_arg >= len(pair.args):
                raise InputError(
                    f"noninterference checker: pair {number} has {len(pair.args)} args; "
                    f"secret_arg {self.secret_arg} must name one of them"
                )
        return self
