"""The ``concurrency`` suite: thread-safe classes checked under stress by the ``stress`` kind.

Levels (``DOMAIN.md`` section 4.3; the issue's three steps):

1. one shared variable: counters, id allocators, a high-water mark;
2. a compound invariant over several variables: bank transfers, running statistics, once-only
   initialisation;
3. blocking coordination: a bounded blocking queue, a reader-writer lock that does not starve
   writers, a worker pool with shutdown.

Each task is a template (``_concurrency_templates``) with seeded names, method names and
constants; the same seed gives byte-identical tasks. Every template carries its reference and
at least three mutants, whole wrong programs judged in the sandbox like any sample.
"""

from __future__ import annotations

import random
from string import Template as Text
from typing import Any

from codehazard.tasks._model import Task
from codehazard.tasks.suites._chain import WrongSolution
from codehazard.tasks.suites._concurrency_templates import TEMPLATES, Template
from codehazard.tasks.suites._registry import SuiteParam, register_suite

SUITE = "concurrency"
GENERATOR_VERSION = 1
LEVELS = (1, 2, 3)
TIMEOUT = 20.0
"""Seconds of the sample's own time per task: every round together (a correct object takes a
second or two), with room for the watchdog's wait on a deadlock."""
ROUNDS = 20
BY_NAME = {t.name: t for t in TEMPLATES}


def _constants(template: Template, rng: random.Random) -> tuple[list[Any], dict[str, Any]]:
    """The constructor's arguments and the model's parameters of one task."""
    name = template.name
    if name in ("counter", "ids", "high-water"):
        start = rng.randint(0, 10) if name == "high-water" else rng.randint(1, 500)
        return [start], {"start": start}
    if name == "bank":
        balances = [rng.randint(5, 30) for _ in range(rng.randint(3, 4))]
        return [balances], {"balances": balances, "max_amount": rng.randint(6, 15)}
    # The queue's capacity and the pool's size stay at the values the stress checker's power
    # was measured at: with room for two items an `if`-for-`while` queue, and with two workers
    # a pool woken by `notify()` at shutdown, escaped the 20 rounds (their tasks vary by names).
    if name == "queue":
        return [1], {"capacity": 1}
    if name == "pool":
        return [3], {"workers": 3}
    return [], {}


def _render(template: Template, cls: str, names: dict[str, str]) -> tuple[str, str, str]:
    """The prompt (completion form), the reference body and the instruction form."""
    fill = {"cls": cls, **names}
    methods = Text(template.methods_doc).substitute(fill)
    doc = (
        f"{template.summary}\n\n{methods}\n\nEvery method may be called from many threads at once."
    )
    indented = "\n".join(f"    {line}" if line else "" for line in doc.splitlines())
    prompt = f'{template.imports}\n\n\nclass {cls}:\n    """{indented.lstrip()}\n    """\n\n'
    instruction = (
        f"Write a Python class `{cls}` (the standard library's `threading` may help).\n\n"
        f"{doc}\n\nReply with the complete class and its imports in a single Python code block."
    )
    return prompt, Text(template.body).substitute(fill), instruction


def _task(template: Template, level_index: int, seed: int, taken: set[str]) -> Task:
    for attempt in range(100):
        rng = random.Random(f"{SUITE}:{seed}:{template.name}:{level_index}:{attempt}")
        cls = rng.choice(template.classes)
        names = {role: rng.choice(choices) for role, choices in template.roles.items()}
        init, params = _constants(template, rng)
        key = repr((cls, sorted(names.items()), init))
        if key not in taken:
            taken.add(key)
            break
    prompt, body, instruction = _render(template, cls, names)
    options = dict(template.checker)
    checker = {
        "kind": "stress",
        "model": template.model,
        "methods": names,
        "init": init,
        "params": {**options.pop("params", {}), **params},  # the seeded constants win
        "rounds": ROUNDS,
        "seed": rng.randrange(1 << 30),
        **options,
    }
    return Task(
        task_id=f"{SUITE}/{template.name}/L{template.level}/{level_index}",
        prompt=prompt,
        entry_point=cls,
        canonical_solution=body,
        checker=checker,
        instruction=instruction,
        metadata={
            "suite": SUITE,
            "generator_version": GENERATOR_VERSION,
            "dimension": "concurrency",
            "level": template.level,
            "template": template.name,
            "class": cls,
            "methods": names,
            "seed": seed,
        },
        timeout=TIMEOUT,
    )


def concurrency_mutants(task: Task) -> list[WrongSolution]:
    """The task's template mutants, as whole wrong programs under the task's names."""
    template = BY_NAME[task.metadata["template"]]
    fill = {"cls": task.entry_point, **task.metadata["methods"]}
    return [
        WrongSolution(
            task.task_id,
            m.kind,
            f"({task.task_id}) {m.detail}",
            program=task.prompt + Text(m.apply(template.body)).substitute(fill),
        )
        for m in template.mutants
    ]


@register_suite(
    SUITE,
    description="thread-safe classes under stress: shared variables, compound invariants, "
    "blocking coordination (linearizability, deadlock, starvation)",
    params=(
        SuiteParam("levels", "ints", LEVELS, "levels to build (1-3)", 1, 3),
        SuiteParam("per_level", "int", 12, "tasks per level", 1, 400),
        SuiteParam("seed", "int", 0, "seed of names, constants and schedules"),
    ),
    mutants=concurrency_mutants,
    selftest={"per_level": 3},
)
def build(levels: tuple[int, ...], per_level: int, seed: int) -> list[Task]:
    """Tasks of each level in ``levels``: its templates in turn, ``per_level`` of them."""
    tasks: list[Task] = []
    for level in levels:
        templates = [t for t in TEMPLATES if t.level == level]
        taken: set[str] = set()
        for index in range(per_level):
            tasks.append(_task(templates[index % len(templates)], index, seed, taken))
    return tasks
