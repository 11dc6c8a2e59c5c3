"""What a ``temporal`` template produces for one task: the class, its property, its mutants.

A template (``_temporal_safety``, ``_temporal_liveness``) turns a level and a seeded generator
into a ``Spec``: the reference class as named methods, the docstring that specifies it, the
constructor's arguments, the observers the property reads, the monitor and its parameters,
the drain, the call sequences (seeded random ones and adversarial ones built from the
specification) and the mutants, each a set of methods replaced by a plausible wrong version.
"""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Step = tuple[str, list[Any]]
Steps = list[Step]


@dataclass(frozen=True)
class Mutant:
    """A wrong class: ``methods`` replace the reference's methods of the same names."""

    kind: str
    detail: str
    methods: dict[str, str]


@dataclass(frozen=True)
class Spec:
    """One template at one level with its seeded constants (see the module docstring)."""

    cls: str
    doc: str
    init: list[Any]
    methods: dict[str, str]
    observe: list[str]
    monitor: str
    params: dict[str, Any]
    random_steps: Callable[[random.Random], Steps]
    adversarial: list[Steps]
    mutants: list[Mutant]
    drain: Steps = field(default_factory=list)
    state_size: int = 1

    def source(self, overrides: dict[str, str] | None = None) -> str:
        """The class body's methods (the canonical solution), some replaced by ``overrides``."""
        chosen = {**self.methods, **(overrides or {})}
        return "\n".join(_indent(code) for code in chosen.values())


def _indent(code: str) -> str:
    return textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", "    ")


def method(code: str) -> str:
    """A method's source as written in a template (dedented when rendered)."""
    return textwrap.dedent(code).strip("\n") + "\n"


def pick(rng: random.Random, names: Sequence[str]) -> str:
    """A seeded choice (a helper so every template draws the same way)."""
    return names[rng.randrange(len(names))]


def repeated(step: Step, times: int) -> Steps:
    """The same call ``times`` times: a repeated request."""
    return [(step[0], list(step[1])) for _ in range(times)]


def interleaved(first: Steps, second: Steps) -> Steps:
    """Two call lists, one call of each in turn."""
    out: Steps = []
    for a, b in zip(first, second, strict=False):
        out.extend([a, b])
    return out


def random_calls(
    rng: random.Random, choices: Sequence[tuple[str, Sequence[list[Any]]]], low: int, high: int
) -> Steps:
    """A sequence of ``low`` to ``high`` calls, each method and its arguments drawn from
    ``choices`` (a method with the argument lists it may take)."""
    out: Steps = []
    for _ in range(rng.randint(low, high)):
        name, arg_lists = choices[rng.randrange(len(choices))]
        out.append((name, list(arg_lists[rng.randrange(len(arg_lists))])))
    return out


def boundary_runs(choices: Sequence[tuple[str, Sequence[list[Any]]]], times: int) -> list[Steps]:
    """Adversarial sequences from the specification's argument lists: each method with each
    of its arguments repeated, and each pair of methods interleaved on their extreme values."""
    out: list[Steps] = []
    for name, arg_lists in choices:
        for args in (arg_lists[0], arg_lists[-1]):
            out.append(repeated((name, args), times))
    for i, (first, first_args) in enumerate(choices):
        for second, second_args in choices[i + 1 :]:
            a = [(first, list(first_args[k % len(first_args)])) for k in range(times)]
            b = [(second, list(second_args[-1 - k % len(second_args)])) for k in range(times)]
            out.append(interleaved(a, b))
    return out
