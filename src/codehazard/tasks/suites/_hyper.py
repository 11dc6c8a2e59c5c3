"""The ``hyperproperties`` suite: properties of pairs of runs (noninterference).

Public outputs, exceptions and their messages, and observable work must not depend on secret
inputs. Four templates, each at three levels, with seeded names, sizes, constants and messages:

- ``password``: a password check whose reads of the stored password (a served secret) must not
  depend on its characters (L1), nor on its length (L2), with specified error text (L3);
- ``release``: declassification of a served list: only a rounded total (L1), a capped count at
  constant work (L2), a summary with small groups suppressed (L3);
- ``report``: access-controlled reports that must not leak hidden records through counts,
  ordering or contents: ids and a count (L1), a team ranking (L2), a page with totals (L3);
- ``lookup``: lookups whose answers and error text must not tell hidden from missing: by id
  (L1), several ids (L2), a title search (L3).

Checked by the ``noninterference`` kind on generated pairs of runs that differ only in the
secret. See ``docs/suites/expressivity.md`` (``## Hyperproperties``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codehazard.errors import InputError
from codehazard.tasks._kind_noninterference import NoninterferenceChecker, SecretPair
from codehazard.tasks._model import Task
from codehazard.tasks.suites._chain import WrongSolution
from codehazard.tasks.suites._hyper_records import make_lookup, make_report
from codehazard.tasks.suites._hyper_secrets import make_password, make_release
from codehazard.tasks.suites._hyper_spec import Spec
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._render import docstring_tokens

SUITE = "hyperproperties"
DIMENSION = "hyperproperties"
GENERATOR_VERSION = 1
LEVELS = (1, 2, 3)
TIMEOUT = 10.0
"""CPU seconds of a sample: every read of a served secret is a round trip, a few thousand a
task; well under a second on an idle machine, the rest is slack for a loaded one."""


@dataclass(frozen=True)
class Template:
    """A family of tasks: how to make its ``Spec`` at a level."""

    name: str
    make: Callable[[int, random.Random], Spec]


TEMPLATES = (
    Template("password", make_password),
    Template("release", make_release),
    Template("report", make_report),
    Template("lookup", make_lookup),
)
TEMPLATES_BY_NAME = {t.name: t for t in TEMPLATES}


def _spec(template: str, level: int, key: str) -> Spec:
    return TEMPLATES_BY_NAME[template].make(level, random.Random(key))


def _prompt(spec: Spec) -> str:
    return spec.header() + spec.docstring()


def _instruction(spec: Spec) -> str:
    return (
        f"Write a Python function `{spec.fn}({', '.join(spec.params)})` as specified below. "
        f"It is called many times, on inputs that differ only in what is secret.\n\n"
        f"{spec.doc}\n\nReply with the complete function in a single Python code block."
    )


def _checker(spec: Spec) -> NoninterferenceChecker:
    observe = ["output", "exception", "work"] if spec.served else ["output", "exception"]
    return NoninterferenceChecker(
        secret_arg=0,
        served=spec.served,
        pairs=[SecretPair(args=args, secrets=(a, b)) for args, a, b in spec.pairs],
        observe=observe,
        numbers=spec.numbers,  # type: ignore[arg-type]
    )


def _task(seed: int, level: int, index: int, taken: set[str]) -> Task:
    template = TEMPLATES[index % len(TEMPLATES)]
    for attempt in range(50):
        key = f"{SUITE}/{seed}/{template.name}/L{level}/{index}/{attempt}"
        spec = _spec(template.name, level, key)
        if _prompt(spec) not in taken:
            break
    prompt = _prompt(spec)
    taken.add(prompt)
    metadata: dict[str, Any] = {
        "suite": SUITE,
        "generator_version": GENERATOR_VERSION,
        "dimension": DIMENSION,
        "level": level,
        "template": template.name,
        "served": spec.served,
        "pairs": len(spec.pairs),
        "secret_size": spec.size,
        "docstring_tokens": docstring_tokens(spec.doc),
        "seed": seed,
        "key": key,
    }
    return Task(
        task_id=f"{SUITE}/{template.name}/L{level}/{index}",
        prompt=prompt,
        entry_point=spec.fn,
        canonical_solution=spec.body,
        checker=_checker(spec),
        instruction=_instruction(spec),
        metadata=metadata,
        timeout=TIMEOUT,
    )


def mutants(task: Task) -> list[WrongSolution]:
    """The template's wrong functions for ``task``, each a whole program judged in the sandbox.

    Raises:
        InputError: the task's metadata does not name a hyperproperties template and its key.
    """
    meta = task.metadata
    if meta.get("template") not in TEMPLATES_BY_NAME or "key" not in meta:
        raise InputError(f"task {task.task_id}: no hyperproperties template and key in metadata")
    spec = _spec(meta["template"], int(meta["level"]), meta["key"])
    return [
        WrongSolution(
            task.task_id, m.kind, f"({meta['template']}) {m.detail}", program=task.prompt + m.body
        )
        for m in spec.mutants
    ]


@register_suite(
    SUITE,
    description="noninterference: outputs, exceptions and the work done must not depend on "
    "secret inputs (password checks, declassification, access-controlled reports, lookups), "
    "checked on pairs of runs that differ only in the secret",
    params=(
        SuiteParam("levels", "ints", LEVELS, "levels: stronger secrecy, more to release", 1, 3),
        SuiteParam("per_level", "int", 12, "tasks per level (templates in turn)", 1, 1000),
        SuiteParam("seed", "int", 0, "generator seed: the same seed gives identical tasks", 0),
    ),
    mutants=mutants,
)
def build_hyperproperties(levels: tuple[int, ...], per_level: int, seed: int) -> list[Task]:
    """Generate the suite: ``per_level`` tasks per level, the templates in turn, each task's
    names, constants and pairs from its own seeded generator; no two prompts of a build alike."""
    tasks: list[Task] = []
    taken: set[str] = set()
    for level in levels:
        tasks.extend(_task(seed, level, index, taken) for index in range(per_level))
    return tasks
