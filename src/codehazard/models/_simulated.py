"""``simulated``: an offline simulator for exercising the tool. It measures nothing.

It answers every task from the task's own reference solution, then, with a seeded probability
that grows with the task's complexity, corrupts that answer. Nothing leaves the machine and the
same seed gives the same answers, so ``codehazard run --suite building-blocks --model simulated``
exercises the whole pipeline (generation, sandbox, store, scoring, reports) in seconds. Its
pass rates describe this simulator's formula, not any model.

The formula (documented in docs/generation.md): with ``c`` the task's
``metadata["components"]`` (else ``metadata["level"]``, else 1), an answer is kept correct with
probability ``KEEP * DECAY ** (c - 1)`` (0.9, 0.63, 0.44, 0.31, ... for c = 1, 2, 3, 4): a
geometric decay per added component, the shape the Codex paper reports. A corrupted answer
drops one plain statement of the solution (a forgotten step); when there is none to drop it
returns ``None`` instead of the result. The draw for sample ``i`` of task ``t`` uses
``random.Random(f"demo/{seed}/{t}/{i}")`` (the simulator's first name, kept so that its answers
stay the same), so it is independent of order and concurrency. It was called ``demo`` before
``codehazard demo`` ran the built-in model: that name is refused now with the new ones, since a
simulator must never be mistaken for a model.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any, ClassVar

from codehazard.errors import BackendError
from codehazard.models._base import ModelBackend
from codehazard.models._registry import register_backend
from codehazard.models._types import Completion, Request, approximate_tokens
from codehazard.samples import prompt_header
from codehazard.tasks import Task

KEEP = 0.9
DECAY = 0.7
NOTICE = (
    "simulated backend: answers made from the reference solution, corrupted at random, for "
    "exercising the tool; its pass rates measure no model"
)


def complexity(task: Task) -> int:
    """The task's complexity for the simulator: ``components``, else ``level``, else 1."""
    for key in ("components", "level"):
        value = task.metadata.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return 1


def keep_probability(task: Task) -> float:
    """Probability that the simulator answers ``task`` with its unaltered reference."""
    return KEEP * DECAY ** (complexity(task) - 1)


def _compiles(body: str) -> bool:
    try:
        compile("def _demo():\n" + body, "<demo>", "exec")
    except SyntaxError:
        return False
    return True


def _droppable(lines: list[str]) -> list[int]:
    """Plain statements (no block headers, returns, comments or docstrings)."""
    return [
        i
        for i, line in enumerate(lines)
        if (text := line.strip())
        and not text.startswith(("#", "return", '"""', "'''"))
        and not text.endswith(":")
    ]


def corrupt(solution: str, rng: random.Random) -> str:
    """A wrong version of ``solution``: one plain statement dropped (chosen at random among
    those whose removal leaves valid code), else ``return None``."""
    lines = solution.splitlines()
    candidates = _droppable(lines)
    rng.shuffle(candidates)
    for i in candidates:
        body = "\n".join(lines[:i] + lines[i + 1 :]) + "\n"
        if _compiles(body):
            return body
    indent = next((ln[: len(ln) - len(ln.lstrip())] for ln in lines if ln.strip()), "    ")
    return f"{indent}return None\n"


@register_backend("simulated")
class SimulatedBackend(ModelBackend):
    """The offline simulator; ``simulated`` or ``simulated/<label>`` (the label is only
    recorded).

    Chat mode answers with the whole function in a Markdown fence (exercising code extraction);
    completion mode answers with the function body.
    """

    spec_help: ClassVar[str] = "simulated"
    cacheable: ClassVar[bool] = False
    simulated: ClassVar[bool] = True

    def describe(self) -> dict[str, Any]:
        """Marks the run as simulated and records the formula's constants."""
        return {**super().describe(), "formula": {"keep": KEEP, "decay": DECAY}}

    def answer(self, task: Task, index: int, seed: int) -> str:
        """The function body this simulator gives for sample ``index`` of ``task``."""
        rng = random.Random(f"demo/{seed}/{task.task_id}/{index}")
        solution = task.canonical_solution or "    return None\n"
        if rng.random() < keep_probability(task):
            return solution
        return corrupt(solution, rng)

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """Answer from the task's reference, corrupted as the module docstring says.

        Raises:
            BackendError: called without a task (the simulator has nothing to answer from).
        """
        if task is None:
            raise BackendError("the simulated backend answers tasks only")
        seed = 0 if request.seed is None else request.seed - request.index
        body = self.answer(task, request.index, seed)
        if request.mode == "chat":
            head = prompt_header(task.prompt, task.entry_point)
            function = task.prompt[len(head) :] + body
            text = f"Here is the function:\n\n```python\n{function.rstrip()}\n```\n"
        else:
            text = body
        await asyncio.sleep(0)
        return Completion(
            text=text,
            prompt_tokens=approximate_tokens(request.text),
            completion_tokens=approximate_tokens(text),
            response_model="simulator",
        )
