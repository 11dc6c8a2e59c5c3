"""The ``temporal`` suite: classes whose methods are called in sequences (temporal reasoning).

*Safety*: an invariant holds after every call of every sequence (a balance never negative, no
double booking, no forbidden transition of a lifecycle, a rate limit never exceeded).
*Liveness*: every request is served within a bounded number of steps (a fair queue starves no
client, a lock's waiters are all granted, a retry loop ends). Each task is one template at one
level with seeded constants, checked by the ``sequence`` kind: seeded random call sequences
and adversarial ones built from the specification (boundary values, repeated and interleaved
requests, contention), monitored against the property in the trusted judge, with failures
shrunk to the shortest failing sequence. Levels grow with the number of interacting methods
and the size of the state. See ``docs/suites/expressivity.md`` (``## Temporal``).
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
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._render import docstring_tokens
from codehazard.tasks.suites._temporal_liveness import make_lock, make_queue, make_retry
from codehazard.tasks.suites._temporal_machines import make_limiter, make_machine
from codehazard.tasks.suites._temporal_safety import make_account, make_booking
from codehazard.tasks.suites._temporal_spec import Spec, Steps

SUITE = "temporal"
GENERATOR_VERSION = 1
LEVELS = (1, 2, 3)
RANDOM_SEQUENCES = 16
"""Seeded random sequences per task, besides the adversarial ones."""


@dataclass(frozen=True)
class Template:
    """A family of tasks: how to make its ``Spec`` at a level, and the property's dimension."""

    name: str
    dimension: str
    make: Callable[[int, random.Random], Spec]


TEMPLATES = (
    Template("account", "temporal-safety", make_account),
    Template("booking", "temporal-safety", make_booking),
    Template("lifecycle", "temporal-safety", make_machine),
    Template("rate-limit", "temporal-safety", make_limiter),
    Template("fair-queue", "temporal-liveness", make_queue),
    Template("lock", "temporal-liveness", make_lock),
    Template("retry", "temporal-liveness", make_retry),
)
TEMPLATES_BY_NAME = {t.name: t for t in TEMPLATES}


def _spec(template: str, level: int, key: str) -> Spec:
    return TEMPLATES_BY_NAME[template].make(level, random.Random(key))


def _wrapped(doc: str, width: int) -> list[str]:
    """The specification's lines wrapped to ``width``; a bullet's continuation is indented."""
    out: list[str] = []
    for line in doc.splitlines():
        follow = "  " if line.startswith(("- ", "  ")) else ""
        out.extend(textwrap.wrap(line, width, subsequent_indent=follow) or [""])
    return out


def _prompt(spec: Spec) -> str:
    lines = _wrapped(spec.doc, 84)
    body = "\n".join(f"    {line}" if line else "" for line in lines)
    return f'class {spec.cls}:\n    """{body.lstrip()}\n    """\n\n'


def _instruction(spec: Spec) -> str:
    return (
        f"Write a Python class `{spec.cls}` as specified below. Its methods are called in any "
        f"order, many times.\n\n{spec.doc}\n\n"
        "Reply with the complete class in a single Python code block."
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


def _task(seed: int, level: int, index: int, taken: set[str]) -> Task:
    template = TEMPLATES[index % len(TEMPLATES)]
    for attempt in range(50):
        key = f"{SUITE}/{seed}/{template.name}/L{level}/{index}/{attempt}"
        spec = _spec(template.name, level, key)
        if _prompt(spec) not in taken:
            break
    prompt = _prompt(spec)
    taken.add(prompt)
    rng = random.Random(key + "/sequences")
    checker = SequenceChecker(
        init=spec.init,
        observe=spec.observe,
        sequences=_sequences(spec, rng),
        drain=spec.drain,
        monitor=spec.monitor,
        params=spec.params,
    )
    public = [m for m in spec.methods if not m.startswith("_")]
    metadata: dict[str, Any] = {
        "suite": SUITE,
        "generator_version": GENERATOR_VERSION,
        "dimension": template.dimension,
        "level": level,
        "template": template.name,
        "methods": len(public),
        "state_size": spec.state_size,
        "monitor": spec.monitor,
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
        InputError: the task's metadata does not name a temporal template and its key.
    """
    meta = task.metadata
    if meta.get("template") not in TEMPLATES_BY_NAME or "key" not in meta:
        raise InputError(f"task {task.task_id}: no temporal template and key in its metadata")
    spec = _spec(meta["template"], int(meta["level"]), meta["key"])
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
    description="classes whose methods are called in sequences: safety invariants and "
    "liveness bounds, checked on generated call sequences (temporal reasoning)",
    params=(
        SuiteParam("levels", "ints", LEVELS, "levels: more interacting methods and state", 1, 3),
        SuiteParam("per_level", "int", 12, "tasks per level (templates in turn)", 1, 1000),
        SuiteParam("seed", "int", 0, "generator seed: the same seed gives identical tasks", 0),
    ),
    mutants=mutants,
)
def build_temporal(levels: tuple[int, ...], per_level: int, seed: int) -> list[Task]:
    """Generate the suite: ``per_level`` tasks per level, the templates in turn, each task's
    constants and sequences from its own seeded generator; no two prompts of a build alike."""
    tasks: list[Task] = []
    taken: set[str] = set()
    for level in levels:
        tasks.extend(_task(seed, level, index, taken) for index in range(per_level))
    return tasks
