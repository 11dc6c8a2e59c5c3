"""The task model: what a model is asked to write and how its answer is checked.

A task carries one checker, of a registered kind (``tasks._checkers``): ``TestChecker`` is
HumanEval's ``check(candidate)`` test code, run by the trusted judge; ``DifferentialChecker`` is
a list of inputs whose expected outputs come from running the reference solution (in a trusted
process), compared by a per-task oracle. Other kinds register themselves.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SerializeAsAny

from codehazard.tasks._checkers import CheckerSpec, TestChecker, parse_checker

TASK_SCHEMA_VERSION = 1

Checker = Annotated[SerializeAsAny[CheckerSpec], BeforeValidator(parse_checker)]
"""A checker of any registered kind; serialised with its own kind's fields."""


class Task(BaseModel):
    """One problem: prompt (completion form and, optionally, instruction form), reference, checker.

    ``prompt`` is the completion form (a signature and docstring the model continues);
    ``instruction`` is the same request in prose for chat models. ``metadata`` carries suite,
    dimension, level and any other key that analyses slice by. ``timeout`` overrides the run's
    per-sample time limit in seconds.
    """

    model_config = ConfigDict(frozen=True)
    schema_version: int = TASK_SCHEMA_VERSION
    task_id: str
    prompt: str
    entry_point: str
    canonical_solution: str = ""
    checker: Checker
    instruction: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    timeout: float | None = None

    @property
    def reference_program(self) -> str:
        """The prompt followed by the canonical solution: the trusted reference program."""
        return self.prompt + self.canonical_solution

    def to_humaneval(self) -> dict[str, Any]:
        """A HumanEval-compatible object (``test`` set for test checkers) plus our fields."""
        out: dict[str, Any] = {
            "task_id": self.task_id,
            "prompt": self.prompt,
            "canonical_solution": self.canonical_solution,
            "entry_point": self.entry_point,
        }
        if isinstance(self.checker, TestChecker) and self.checker.version == 1:
            out["test"] = self.checker.test
        else:
            out["checker"] = self.checker.model_dump()
        if self.instruction is not None:
            out["instruction"] = self.instruction
        if self.metadata:
            out["metadata"] = self.metadata
        if self.timeout is not None:
            out["timeout"] = self.timeout
        return out
