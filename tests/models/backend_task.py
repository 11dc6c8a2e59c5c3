"""The one task the backend tests generate for (shared by the OpenAI and Anthropic tests)."""

from codehazard.tasks import Task, TestChecker

TASK = Task(
    task_id="t/0",
    prompt='def inc(x: int) -> int:\n    """Return x + 1."""\n',
    entry_point="inc",
    canonical_solution="    return x + 1\n",
    checker=TestChecker(test="def check(c):\n    assert c(1) == 2\n"),
)
