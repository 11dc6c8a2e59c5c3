"""The ``nondeterminism`` suite: random programs, checked by the distributions they produce.

Programs whose output may legitimately differ between runs (``DOMAIN.md`` section 4.5) have no
one expected output: each task here states a distribution (and contracts such as "every element
appears once" or "the same seed gives the same answer"), and its ``statistical`` checker draws
thousands of samples from the candidate and tests them. Three levels:

1. a uniform choice: a die, an element, a shuffle, a subset, a float, coin flips;
2. weighted randomness: a weighted choice, Bernoulli counts, a geometric number of trials, a
   biased walk, backoff delays with full jitter, the sum of two dice;
3. conditional and stateful randomness: reservoir sampling over a stream, a deck reshuffled
   when dealt out, a picker that never repeats itself, an urn, weighted draws without
   replacement, a walk stopped at absorbing barriers.

Each template carries at least three wrong solutions written as the mistakes a model makes (an
off-by-one biased shuffle, ``random.random() > p`` for ``< p``, a seed ignored, a reservoir that
over-weights the first items); ``docs/suites/expressivity.md`` gives the checker's power
against each and its false-alarm rate.
"""

from __future__ import annotations

import random
import textwrap

from codehazard.tasks._model import Task
from codehazard.tasks.suites._chain import WrongSolution
from codehazard.tasks.suites._random_common import Draft, Template
from codehazard.tasks.suites._random_stateful import LEVEL_3
from codehazard.tasks.suites._random_templates import LEVEL_1, LEVEL_2
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._render import docstring_tokens

SUITE = "nondeterminism"
GENERATOR_VERSION = 1
LEVELS: dict[int, tuple[Template, ...]] = {1: LEVEL_1, 2: LEVEL_2, 3: LEVEL_3}
LEVEL_NAMES = {1: "uniform", 2: "weighted", 3: "conditional and stateful"}
TIMEOUT = 30.0
"""CPU seconds per sample: the checker makes up to some 60,000 calls."""


def _imports(draft: Draft) -> str:
    extra = "from collections.abc import Iterator\n" if "Iterator" in draft.header else ""
    return f"import random\n{extra}\n\n"


def render_prompt(draft: Draft) -> str:
    """The completion form: imports, the signature (or class header) and the docstring."""
    paragraphs = [textwrap.fill(p, 88) for p in draft.doc.split("\n\n")]
    doc = textwrap.indent("\n\n".join(paragraphs), "    ")
    return f'{_imports(draft)}{draft.header}\n    """\n{doc}\n    """\n'


def render_instruction(draft: Draft) -> str:
    """The instruction form: the same request in prose for chat models."""
    what = "class" if draft.is_class else "function"
    signature = draft.header.removeprefix("def ").removeprefix("class ").rstrip(":")
    return (
        f"Write a Python {what} `{signature}` (the `random` module is imported).\n\n"
        f"{draft.doc}\n\nReply with the complete {what} in a single Python code block."
    )


def _draft(seed: int, level: int, index: int) -> Draft:
    templates = LEVELS[level]
    template = templates[index % len(templates)]
    rng = random.Random(f"{SUITE}/{seed}/L{level}/{index}")
    return template(rng, index // len(templates) + seed)


def _task(seed: int, level: int, index: int) -> Task:
    draft = _draft(seed, level, index)
    return Task(
        task_id=f"{SUITE}/{draft.template}/L{level}/{index}",
        prompt=render_prompt(draft),
        entry_point=draft.entry_point,
        canonical_solution=draft.body,
        checker=draft.checker,
        instruction=render_instruction(draft),
        metadata={
            "suite": SUITE,
            "generator_version": GENERATOR_VERSION,
            "dimension": "nondeterminism",
            "level": level,
            "level_name": LEVEL_NAMES[level],
            "template": draft.template,
            "index": index,
            "seed": seed,
            "params": draft.params,
            "docstring_tokens": docstring_tokens(draft.doc),
        },
        timeout=TIMEOUT,
    )


def mutants(task: Task) -> list[WrongSolution]:
    """The task's wrong solutions as whole programs (prompt and wrong body), judged in the
    sandbox; rebuilt from the task's metadata (seed, level, index)."""
    meta = task.metadata
    draft = _draft(int(meta["seed"]), int(meta["level"]), int(meta["index"]))
    prompt = render_prompt(draft)
    return [
        WrongSolution(
            task.task_id,
            m.kind,
            f"{draft.template}: {m.detail}",
            blocks=(draft.template,),
            program=prompt + m.body,
        )
        for m in draft.mutants
    ]


@register_suite(
    SUITE,
    description="random programs (samplers, shuffles, reservoirs, backoff, walks) checked by "
    "distribution-level tests and contracts (nondeterminism)",
    params=(
        SuiteParam("levels", "ints", (1, 2, 3), "levels: 1 uniform, 2 weighted, 3 stateful", 1, 3),
        SuiteParam("per_level", "int", 12, "tasks per level", 1, 10_000),
        SuiteParam("seed", "int", 0, "generator seed: the same seed gives identical tasks", 0),
    ),
    mutants=mutants,
    selftest={"per_level": 6},
)
def build_nondeterminism(levels: tuple[int, ...], per_level: int, seed: int) -> list[Task]:
    """``per_level`` tasks per level, the level's templates in turn, each task drawn by a
    generator of its own (so changing ``per_level`` keeps the earlier tasks)."""
    return [_task(seed, level, index) for level in levels for index in range(per_level)]
