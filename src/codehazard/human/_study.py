"""A study's design: which tasks, how many per level, the time budget, the seed; and the
balanced, seeded order in which each participant meets them.

The tasks are those of registered suites (built exactly as a model's run builds them), so a
participant sees the same prompt a model sees. ``select_tasks`` draws ``per_level`` tasks of
every (dimension, level) the study names, seeded; ``participant_order`` gives participant
``i`` its own order: the tasks of each level shuffled with a seed of its own, then dealt in
rounds of one task per level, the levels of each round rotated by ``i`` (a Latin square), so
every level is met early and late equally often across participants.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from codehazard.errors import ArgumentError
from codehazard.runs import SuiteSource, SuitesSource, suite_source
from codehazard.scoring import dimension_of, level_of
from codehazard.tasks import Task

STUDY_VERSION = 1
DEFAULT_CONSENT = (
    "You are invited to solve a few short programming tasks so that we can compare people "
    "with code-writing models on the same tasks. We record, for each task, the code you "
    "submit, whether it passes, how long it took and whether you gave up. You are known to "
    "us only by a pseudonym; we ask for no name and no other personal data. You can pause at "
    "any time, stop at any time, and ask the study's operator to delete your data."
)


class StudyConfig(BaseModel):
    """What a study fixes: the suites (with their parameters), the levels (``None``: every
    level they have), tasks per (dimension, level), the time budget per task in seconds, the
    seed of the draw and of the orders, and the sandbox's time limit per submission."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = STUDY_VERSION
    suites: tuple[str, ...]
    params: dict[str, Any] = Field(default_factory=dict)
    levels: tuple[int, ...] | None = None
    per_level: int = 2
    time_budget_s: float = 900.0
    seed: int = 0
    timeout_s: float = 10.0

    def source(self) -> SuiteSource | SuitesSource:
        """The suites as a run's task source.

        Raises:
            InputError: an unknown suite or parameter.
        """
        return suite_source(list(self.suites), self.params)


def check_config(config: StudyConfig) -> StudyConfig:
    """The config, checked.

    Raises:
        ArgumentError: no suite, ``per_level`` below 1, a budget or timeout not above 0.
    """
    if not config.suites:
        raise ArgumentError("`suites`: name at least one suite")
    if config.per_level < 1:
        raise ArgumentError(f"`per_level` must be at least 1, got {config.per_level}")
    if not config.time_budget_s > 0 or not config.timeout_s > 0:
        raise ArgumentError("`time_budget_s` and `timeout` must be above 0")
    return config


def select_tasks(config: StudyConfig, tasks: Sequence[Task]) -> list[Task]:
    """``per_level`` tasks of every (dimension, level) the study covers, seeded, in the
    suites' order of dimensions and levels.

    Raises:
        ArgumentError: a level the study names that no task has, or a cell with fewer tasks
            than ``per_level`` (the message says how many it has).
    """
    cells: dict[tuple[str, int], list[Task]] = defaultdict(list)
    for task in tasks:
        level = level_of(task.metadata, "level")
        if level is None or (config.levels is not None and level not in config.levels):
            continue
        cells[(dimension_of(task.metadata) or "", level)].append(task)
    if config.levels is not None:
        missing = sorted(set(config.levels) - {lv for _, lv in cells})
        if missing:
            raise ArgumentError(f"`levels`: no task of the suites has level {missing[0]}")
    if not cells:
        raise ArgumentError("the suites have no task with an integer level")
    rng = random.Random(f"human-study:{config.seed}")
    chosen: list[Task] = []
    for cell in sorted(cells):
        pool = sorted(cells[cell], key=lambda t: t.task_id)
        if len(pool) < config.per_level:
            raise ArgumentError(
                f"`per_level={config.per_level}`: {cell[0]} level {cell[1]} has only "
                f"{len(pool)} task(s)"
            )
        chosen += sorted(rng.sample(pool, config.per_level), key=lambda t: t.task_id)
    return chosen


def participant_order(tasks: Sequence[Task], seed: int, index: int, attempt: int = 0) -> list[str]:
    """Participant ``index``'s order of the study's task ids (see the module's docstring);
    ``attempt`` draws another shuffle with the same rotation of levels."""
    by_level: dict[tuple[str, int], list[str]] = defaultdict(list)
    for task in tasks:
        key = (dimension_of(task.metadata) or "", level_of(task.metadata, "level") or 0)
        by_level[key].append(task.task_id)
    levels = sorted(by_level)
    rng = random.Random(f"human-order:{seed}:{index}:{attempt}")
    for key in levels:
        rng.shuffle(by_level[key])
    order: list[str] = []
    rounds = max(len(ids) for ids in by_level.values())
    for r in range(rounds):
        shift = (index + r) % len(levels)
        for key in levels[shift:] + levels[:shift]:
            if r < len(by_level[key]):
                order.append(by_level[key][r])
    return order


def distinct_order(
    tasks: Sequence[Task], seed: int, index: int, taken: Iterable[Sequence[str]]
) -> list[str]:
    """Participant ``index``'s order, drawn again (up to 200 times) while another participant
    already has it, so participants get different orders while there are enough to go round."""
    seen = {tuple(order) for order in taken}
    order = participant_order(tasks, seed, index)
    for attempt in range(1, 200):
        if tuple(order) not in seen:
            break
        order = participant_order(tasks, seed, index, attempt)
    return order
