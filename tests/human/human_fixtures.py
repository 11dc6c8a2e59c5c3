"""A small study in a real store: two levels of the building-blocks suite, two tasks each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codehazard.human import Invitation, Study, StudyConfig, create_study, invite, study_tasks
from codehazard.store import Store
from codehazard.tasks import Task

CONFIG = StudyConfig(
    suites=("building-blocks",),
    params={"lengths": [1, 2], "per_length": 3},
    per_level=2,
    time_budget_s=600,
    seed=3,
)


@dataclass
class Made:
    """A stored study, its operator token, its invitations and its tasks by id."""

    path: Path
    study: Study
    operator: str
    invited: list[Invitation]
    tasks: dict[str, Task]


def make_study(folder: Path, participants: int = 2, config: StudyConfig = CONFIG) -> Made:
    """Create the study in ``folder/store.db`` and invite ``participants``."""
    path = folder / "store.db"
    with Store(path) as store:
        study, operator = create_study(store, config)
        invited = invite(store, study, participants)
        tasks = {t.task_id: t for t in study_tasks(study)}
    return Made(path, study, operator, invited, tasks)


def wrong(task: Task) -> str:
    """A program that defines the function and returns its input unchanged (wrong here)."""
    arg = task.prompt.split("(", 1)[1].split(":", 1)[0].split(")", 1)[0].strip()
    return task.prompt + f"    return {arg}\n"
