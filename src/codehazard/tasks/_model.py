"""The task model: what a model is asked to write and how its answer is checked.

A task carries one checker. ``TestChecker`` is HumanEval's ``check(candidate)`` test code, run by
the trusted judge; ``DifferentialChecker`` is a list of inputs whose expected outputs come from
running the reference solution (in a trusted process), compared by a per-task oracle.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

TASK_SCHEMA_VERSION = 1

Oracle = Literal["exact", "float", "unordered"]


class TestChecker(BaseModel):
    """HumanEval-style test code defining ``check(candidate)``; it raises on a wrong answer."""

    __test__: ClassVar[bool] = False  # not a pytest test class, despite the name
    model_config = ConfigDict(frozen=True)
    kind: Literal["test"] = "test"
    test: str


class DifferentialChecker(BaseModel):
    """Call the candidate on each input and compare with the reference's output.

    ``inputs`` holds one positional-argument list per call. ``oracle`` chooses the comparison:
    ``exact`` (equal values of identical builtin types), ``float`` (numbers within ``rel_tol`` /
    ``abs_tol``, recursively), ``unordered`` (the same elements in any order, for list results).
    """

    model_config = ConfigDict(frozen=True)
    kind: Literal["differential"] = "differential"
    inputs: list[list[Any]]
    oracle: Oracle = "exact"
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9


Checker = Annotated[TestChecker | DifferentialChecker, Field(discriminator="kind")]


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
        if isinstance(self.checker, TestChecker):
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
