"""The offline simulator: deterministic, seeded, decaying with complexity, labelled."""

from __future__ import annotations

import asyncio
import random

import pytest

from codehazard.models import GenerationParams, create_backend
from codehazard.models._simulated import DECAY, KEEP, complexity, corrupt, keep_probability
from codehazard.samples import build_program
from codehazard.tasks import Task, TestChecker
from codehazard.tasks.suites import get_suite


def chain_task(components: int, i: int = 0) -> Task:
    return Task(
        task_id=f"c{components}/{i}",
        prompt="def f(s: str) -> str:\n",
        entry_point="f",
        canonical_solution="".join(f"    s = s + '{k}'\n" for k in range(components))
        + "    return s\n",
        checker=TestChecker(test="def check(c):\n    pass\n"),
        metadata={"components": components},
    )


def answer(task: Task, index: int, mode: str = "chat", seed: int | None = None) -> str:
    backend = create_backend("simulated")
    params = backend.resolve(GenerationParams(mode=mode, seed=seed))  # type: ignore[arg-type]
    request = backend.build_request(task, index, params)
    return asyncio.run(backend.generate(request, task)).text


def test_formula() -> None:
    assert keep_probability(chain_task(1)) == pytest.approx(KEEP)
    assert keep_probability(chain_task(3)) == pytest.approx(KEEP * DECAY**2)
    level_only = chain_task(1).model_copy(update={"metadata": {"level": 4}})
    assert complexity(level_only) == 4
    assert complexity(chain_task(1).model_copy(update={"metadata": {}})) == 1


def test_deterministic_and_order_independent() -> None:
    task = chain_task(3)
    first = [answer(task, i) for i in range(20)]
    assert first == [answer(task, i) for i in reversed(range(20))][::-1]
    assert [answer(task, i, seed=1) for i in range(20)] != first  # the seed matters


def test_corruption_rate_grows_with_components() -> None:
    rates = []
    for components in (1, 3, 6):
        task = chain_task(components)
        keep = sum(
            answer(task, i, mode="completion") == task.canonical_solution for i in range(400)
        )
        rates.append(keep / 400)
    assert rates[0] > rates[1] > rates[2]
    assert rates[0] == pytest.approx(KEEP, abs=0.06)


def test_corrupt_drops_one_statement_and_stays_valid() -> None:
    solution = chain_task(3).canonical_solution
    out = corrupt(solution, random.Random(0))
    assert len(out.splitlines()) == len(solution.splitlines()) - 1
    compile("def f(s):\n" + out, "<demo>", "exec")
    assert corrupt("    return 1\n", random.Random(0)) == "    return None\n"


def test_chat_answer_extracts_to_the_reference() -> None:
    task = get_suite("building-blocks").build(lengths="1", per_length=13)[0]
    text = answer(task, 0)
    assert text.count("```") == 2
    program = build_program(task.prompt, task.entry_point, text, None)
    assert task.canonical_solution in program and program.count("def process_string") == 1


def test_demo_is_labelled_simulated() -> None:
    backend = create_backend("simulated")
    assert backend.simulated and backend.describe()["simulated"] is True
    assert not backend.cacheable and backend.probe_request(GenerationParams()) is None
