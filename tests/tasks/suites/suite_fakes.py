"""Trusted helpers for suite tests: run our own programs, and build wrong ones with known faults.

Everything executed here is code we wrote (references, and references with one injected fault),
so running it in the test process is fine; model code only ever runs in the sandbox.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from codehazard.tasks import Task
from codehazard.tasks.suites._binding import NAMES, Operation, code_lines
from codehazard.tasks.suites._blocks import BLOCKS_BY_KEY


def load_function(program: str, entry_point: str) -> Any:
    """Exec a trusted program and return its entry point."""
    namespace: dict[str, Any] = {}
    exec(program, namespace)
    return namespace[entry_point]


def run_trusted(
    program: str, entry_point: str, inputs: Sequence[Sequence[Any]], *, timeout: float = 3.0
) -> list[dict[str, Any]]:
    """A stand-in for ``codehazard.sandbox.collect_outputs`` over trusted programs."""
    del timeout
    fn = load_function(program, entry_point)
    out = []
    for args in inputs:
        try:
            out.append({"ok": True, "value": fn(*args), "error": None})
        except Exception as exc:
            out.append({"ok": False, "value": None, "error": repr(exc)})
    return out


def passes_tests(program: str, test: str, entry_point: str) -> bool:
    """Whether a trusted program passes HumanEval-style test code."""
    namespace: dict[str, Any] = {}
    exec(program, namespace)
    exec(test, namespace)
    try:
        namespace["check"](namespace[entry_point])
    except AssertionError:
        return False
    return True


@dataclass(frozen=True)
class Fault:
    """An injected fault: its kind and the 0-based step positions it involves."""

    kind: str
    positions: tuple[int, ...]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _indent(lines: Sequence[str]) -> str:
    return "".join(f"    {line}\n" for line in lines)


def bb_completion(task: Task, rng: random.Random) -> tuple[str, Fault]:
    """A building-blocks completion with one random fault (skip, mutant, swap or move)."""
    keys: list[str] = task.metadata["blocks"]
    lines = [BLOCKS_BY_KEY[k].code for k in keys]
    n = len(lines)
    kinds = ["skipped", "misapplied"] + (["reordered"] if n > 1 else [])  # mutants: either kind
    kind = rng.choice(kinds)
    if kind == "skipped":
        i = rng.randrange(n)
        fault = Fault(kind, (i,), f"skip {i}")
        lines = lines[:i] + lines[i + 1 :]
    elif kind == "misapplied":
        i = rng.randrange(n)
        mutant = rng.choice(BLOCKS_BY_KEY[keys[i]].mutants)
        fault = Fault(mutant.kind, (i,), mutant.label)
        lines[i] = mutant.code
    else:
        i, j = sorted(rng.sample(range(n), 2))
        lines[i], lines[j] = lines[j], lines[i]
        fault = Fault(kind, (i, j), f"swap {i} {j}")
    return _indent([*lines, "return s"]), fault


def _vb_ops(task: Task) -> list[Operation]:
    return [Operation.model_validate(s) for s in task.metadata["steps"]]


def _return_line(names: Sequence[str], combine: str) -> str:
    return "return " + (" + " if combine == "sum" else " * ").join(names)


def vb_completion(task: Task, rng: random.Random) -> tuple[str, Fault]:
    """A variable-binding completion with one random fault, wrong-variable faults favoured."""
    names: list[str] = task.metadata["names"]
    combine: str = task.metadata["combine"]
    ops = _vb_ops(task)
    m = len(ops)
    kind = rng.choice(["wrong-variable", "wrong-variable", "skipped", "misapplied", "return"])
    fault: Fault
    if kind == "return":
        left_out = rng.randrange(len(names))
        fault = Fault("wrong-variable", (m,), f"return leaves out {names[left_out]}")
        kept = [n for i, n in enumerate(names) if i != left_out]
        body = [line for op in ops for line in code_lines(op)]
        return _indent([*body, _return_line(kept, combine)]), fault
    j = rng.randrange(m)
    op = ops[j]
    if op.op == "swap" and len(names) == 2:
        kind = "skipped"  # no other variable to swap with
    if kind == "skipped":
        ops = ops[:j] + ops[j + 1 :]
        fault = Fault("skipped", (j,), f"skip {j}")
    elif kind == "misapplied" and op.op in ("add", "subtract"):
        other = "subtract" if op.op == "add" else "add"
        ops[j] = op.model_copy(update={"op": other})
        fault = Fault("misapplied", (j,), f"{other} instead of {op.op}")
    else:
        ops[j] = _rebind(op, names, rng)
        fault = Fault("wrong-variable", (j,), f"rebound {op} as {ops[j]}")
    body = [line for o in ops for line in code_lines(o)]
    return _indent([*body, _return_line(names, combine)]), fault


def _rebind(op: Operation, names: Sequence[str], rng: random.Random) -> Operation:
    """The operation bound to a wrong variable (or, for several targets, missing one)."""
    if op.op == "add-variable":
        choices = [n for n in names if n not in (op.source, op.targets[0])]
        if not choices:  # two variables: add the other way round
            return op.model_copy(update={"targets": (op.source,), "source": op.targets[0]})
        return op.model_copy(update={"source": rng.choice(choices)})
    if op.op != "swap" and len(op.targets) > 1 and rng.random() < 0.5:
        dropped = rng.choice(op.targets)
        return op.model_copy(update={"targets": tuple(t for t in op.targets if t != dropped)})
    others = [n for n in names if n not in op.targets]
    if not others:  # bound to every variable: leave one out
        return op.model_copy(update={"targets": op.targets[:-1]})
    position = rng.randrange(len(op.targets))
    targets = list(op.targets)
    targets[position] = rng.choice(others)
    if op.op == "swap":
        return op.model_copy(update={"targets": tuple(targets)})
    ordered = tuple(n for n in NAMES if n in targets)
    return op.model_copy(update={"targets": ordered})


def failing_completion(
    task: Task, rng: random.Random, attempts: int = 30
) -> tuple[str, Fault] | None:
    """A faulty completion that the task's own tests reject (``None`` if none found)."""
    make = bb_completion if task.metadata["suite"] == "building-blocks" else vb_completion
    for _ in range(attempts):
        completion, fault = make(task, rng)
        if not passes_tests(task.prompt + completion, task.checker.test, task.entry_point):
            return completion, fault
    return None
