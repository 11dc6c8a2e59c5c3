"""What an ``interdependence`` template produces beyond a ``temporal`` one: named couplings.

A template returns the ``temporal`` suite's ``Spec`` (the reference class as named methods,
its docstring, the observers, the call sequences, the mutants) with the ``coupled`` monitor:
its ``params`` list the couplings, each a name and the source of ``holds(state)``, our own
code that the trusted judge runs on the plain observed state after every call
(``sandbox._sequence_monitors``). ``Design`` adds the nesting depth of the state, one of the
two things a level grades (the other is the number of coupled variables, ``Spec.state_size``).
"""

from __future__ import annotations

import random
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codehazard.tasks.suites._temporal_spec import Spec, Steps, method


@dataclass(frozen=True)
class Design:
    """One template at one level: the ``Spec`` and how deeply its state nests."""

    spec: Spec
    depth: int


def code(text: str) -> str:
    """A method's source as written in a template, its blank lines dropped (a template writes
    optional lines as empty ones)."""
    return "".join(line + "\n" for line in method(text).splitlines() if line.strip())


def coupling(name: str, code: str) -> dict[str, str]:
    """A named coupling: ``code`` defines ``holds(s)``, ``s`` the observed state by observer
    name; it returns ``None`` when the coupling holds, else what is wrong (one short line)."""
    return {"name": name, "source": textwrap.dedent(code).strip("\n") + "\n"}


def couplings(*items: dict[str, str]) -> dict[str, Any]:
    """The ``coupled`` monitor's params."""
    return {"couplings": list(items)}


def sample_args(rng: random.Random, pools: Sequence[Sequence[Any]], count: int) -> list[list[Any]]:
    """``count`` distinct argument lists, each argument drawn from its pool (seeded), in the
    order drawn; used as a method's argument values in random and adversarial sequences."""
    out: list[list[Any]] = []
    seen: set[str] = set()
    for _ in range(count * 20):
        args = [pool[rng.randrange(len(pool))] for pool in pools]
        if repr(args) not in seen:
            seen.add(repr(args))
            out.append(args)
        if len(out) == count:
            break
    return out


def steps(*calls: tuple[str, list[Any]]) -> Steps:
    """A literal call sequence (a helper so adversarial sequences read as calls)."""
    return [(name, list(args)) for name, args in calls]
