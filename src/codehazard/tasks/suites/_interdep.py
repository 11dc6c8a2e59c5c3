"""The ``interdependence`` suite: state spread over several variables that must agree.

A class keeps the same facts in several places: a ledger's balances and its journal, an
inventory's stock, reservations and open orders, a matrix's cells and its row and column sums,
a graph's edge set and its degree table, a configuration's fields and those derived from them,
a roster indexed both ways, a tree of categories whose totals roll up.
Every method must keep all of them in step (DOMAIN notes, section 4: variable
interdependencies). Each task is one template at one level with seeded names and constants,
checked by the ``sequence`` kind with the ``coupled`` monitor: after every call of seeded
random and adversarial call sequences, the trusted judge checks each named coupling on the
plain state read back (a failure is ``coupling`` and names the one that broke), then compares
every answer and state with the reference class (``contract``). Levels grow with the number of
coupled variables and the nesting depth. See ``docs/suites/expressivity.md``
(``## Interdependence``).
"""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codehazard.errors import InputError
from codehazard.tasks._kind_sequence import SequenceChecker
from codehazard.tasks._model import Task
from codehazard.tasks.suites._chain import WrongSolution
from codehazard.tasks.suites._interdep_budget import make_budget
from codehazard.tasks.suites._interdep_config import make_config
from codehazard.tasks.suites._interdep_grid import make_graph, make_matrix
from codehazard.tasks.suites._interdep_ledger import make_ledger
from codehazard.tasks.suites._interdep_roster import make_roster
from codehazard.tasks.suites._interdep_spec import Design
from codehazard.tasks.suites._interdep_store import make_inventory
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._render import docstring_tokens
from codehazard.tasks.suites._temporal_spec import Spec, Steps

SUITE = "interdependence"
DIMENSION = "interdependence"
GENERATOR_VERSION = 1
LEVELS = (1, 2, 3)
RANDOM_SEQUENCES = 16
"""Seeded random sequences per task, besides the adversarial ones."""


@dataclass(frozen=True)
class Template:
    """A family of tasks: how to make its ``Design`` at a level."""

    name: str
    make: Callable[[int, random.Random], Design]


TEMPLATES = (
    Template("ledger", make_ledger),
    Template("inventory", make_inventory),
    Template("matrix", make_matrix),
    Template("graph", make_graph),
    Template("config", make_config),
    Template("roster", make_roster),
    Template("budget", make_budget),
)
TEMPLATES_BY_NAME = {t.name: t for t in TEMPLATES}


def _design(template: str, level: int, key: str) -> Design:
    return TEMPLATES_BY_NAME[template].make(level, random.Random(key))


def _wrapped(doc: str, width: int) -> list[str]:
    """The specification's lines wrapped to ``width``; a bullet's continuation is indented."""
    out: list[str] = []
    for line in doc.splitlines():
        follow = "  " if line.startswith(("- ", "  ")) else ""
        out.extend(textwrap.wrap(line, width, subsequent_indent=follow) or [""])
    return out


def _prompt(spec: Spec) -> str:
    body = "\n".join(f"    {line}" if line else "" for line in _wrapped(spec.doc, 84))
    return f'class {spec.cls}:\n    """{body.lstrip()}\n    """\n\n'


def _instruction(spec: Spec) -> str:
    doc = "\n".join(_wrapped(spec.doc, 96))
    return (
        f"Write a Python class `{spec.cls}` as specified below. Its methods are called in any "
        f"order, many times, and every method must keep all of the object's state consistent."
        f"\n\n{doc}\n\nReply with the complete class in a single Python code block."
    )


def _sequences(spec: Spec, rng: random.Random) -> list[Steps]:
    out: list[Steps] = []
    seen: set[str] = set()
    candidates = [*spec.adversarial, *(spec.random_steps(rng) for _ in range(RANDOM_SEQUENCES))]
    for steps in candidates:
        text = repr(steps)
        if steps and text not in seen:
            seen.add(text)
            out.append([(name, list(args)) for name, args in steps])
    return out


def _public_method(name: str, code: str) -> bool:
    return code.startswith("def ") and not name.startswith("_")


def _task(seed: int, level: int, index: int, taken: set[str]) -> Task:
    template = TEMPLATES[index % len(TEMPLATES)]
    for attempt in range(50):
        key = f"{SUITE}/{seed}/{template.name}/L{level}/{index}/{attempt}"
        design = _design(template.name, level, key)
        if _prompt(design.spec) not in taken:
            break
    spec = design.spec
    prompt = _prompt(spec)
    taken.add(prompt)
    checker = SequenceChecker(
        init=spec.init,
        observe=spec.observe,
        sequences=_sequences(spec, random.Random(key + "/sequences")),
        drain=spec.drain,
        monitor=spec.monitor,
        params=spec.params,
    )
    metadata: dict[str, Any] = {
        "suite": SUITE,
        "generator_version": GENERATOR_VERSION,
        "dimension": DIMENSION,
        "level": level,
        "template": template.name,
        "coupled_variables": spec.state_size,
        "depth": design.depth,
        "couplings": [c["name"] for c in spec.params["couplings"]],
        "methods": len([m for m, code in spec.methods.items() if _public_method(m, code)]),
        "sequences": len(checker.sequences),
        "docstring_tokens": docstring_tokens(spec.doc),
        "seed": seed,
        "key": key,
    }
    return Task(
        task_id=f"{SUITE}/{template.name}/L{level}/{index}",
        prompt=prompt,
        entry_point=spec.cls,
        canonical_solution=spec.source(),
        checker=checker,
        instruction=_instruction(spec),
        metadata=metadata,
    )


def mutants(task: Task) -> list[WrongSolution]:
    """The template's wrong classes for ``task``, each a whole program judged in the sandbox.

    Raises:
        InputError: the task's metadata does not name an interdependence template and its key.
    """
    meta = task.metadata
    if meta.get("template") not in TEMPLATES_BY_NAME or "key" not in meta:
        raise InputError(
            f"task {task.task_id}: no interdependence template and key in its metadata"
        )
    spec = _design(meta["template"], int(meta["level"]), meta["key"]).spec
    return [
        WrongSolution(
            task.task_id,
            m.kind,
            f"({meta['template']}) {m.detail}",
            program=task.prompt + spec.source(m.methods),
        )
        for m in spec.mutants
    ]


@register_suite(
    SUITE,
    description="classes that keep the same facts in several variables and nested "
    "structures (ledgers, inventories, matrices, graphs, configurations, rosters, budget "
    "trees): every "
    "coupling checked after every call of generated call sequences (variable interdependence)",
    params=(
        SuiteParam(
            "levels", "ints", LEVELS, "levels: more coupled variables, deeper nesting", 1, 3
        ),
        SuiteParam("per_level", "int", 12, "tasks per level (templates in turn)", 1, 1000),
        SuiteParam("seed", "int", 0, "generator seed: the same seed gives identical tasks", 0),
    ),
    mutants=mutants,
)
def build_interdependence(levels: tuple[int, ...], per_level: int, seed: int) -> list[Task]:
    """Generate the suite: ``per_level`` tasks per level, the templates in turn, each task's
    names, constants and sequences from its own seeded generator; no two prompts alike."""
    tasks: list[Task] = []
    taken: set[str] = set()
    for level in levels:
        tasks.extend(_task(seed, level, index, taken) for index in range(per_level))
    return tasks
