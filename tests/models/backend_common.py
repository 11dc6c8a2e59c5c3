"""What the OpenAI and Anthropic backend tests share: the task they generate for, and one
generation driven to its end (client closed) in its own event loop."""

import asyncio

from codehazard.models import Completion, GenerationParams, ModelBackend
from codehazard.tasks import Task, TestChecker

TASK = Task(
    task_id="t/0",
    prompt='def inc(x: int) -> int:\n    """Return x + 1."""\n',
    entry_point="inc",
    canonical_solution="    return x + 1\n",
    checker=TestChecker(test="def check(c):\n    assert c(1) == 2\n"),
)


def generate(b: ModelBackend, params: GenerationParams, index: int = 0) -> Completion:
    """Sample ``index`` of ``TASK`` from backend ``b`` with ``params``."""

    async def go() -> Completion:
        try:
            return await b.generate(b.build_request(TASK, index, b.resolve(params)), TASK)
        finally:
            await b.aclose()

    return asyncio.run(go())
