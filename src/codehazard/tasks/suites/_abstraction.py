"""The ``abstraction`` suite: the same capabilities specified at four levels of abstraction.

L1 one function with explicit inputs, outputs and constraints; L2 one function from an
under-specified requirement (the edge cases a competent developer infers); L3 a class with a
documented interface; L4 a small system (several components behind one entry point) from a
user story, tested end to end through its entry point. Every capability (``metadata
["capability"]``) appears at every level, so a pass rate that falls from L1 to L4 falls with
the abstraction of the requirement, not with a harder problem.

Checkers are existing kinds: L1 ``differential`` (exact answers), L2 ``test`` (answers
compared as plain data, or a stated property where several answers are right), L3 and L4
``sequence`` with no property monitored beyond the contract (every answer of every call equal
to the reference class's, failures shrunk to the shortest failing call sequence). L2-L4 inputs
are kept only where every known competent reading of the requirement agrees (see
``_abstraction_spec``). See ``docs/suites/expressivity.md`` (``## Abstraction``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from codehazard.errors import InputError
from codehazard.tasks._checkers import DifferentialChecker, TestChecker
from codehazard.tasks._kind_sequence import SequenceChecker
from codehazard.tasks._model import Task
from codehazard.tasks.suites._abstraction_build import make_build
from codehazard.tasks.suites._abstraction_cache import make_cache
from codehazard.tasks.suites._abstraction_intervals import make_intervals
from codehazard.tasks.suites._abstraction_ledger import make_ledger
from codehazard.tasks.suites._abstraction_limit import make_limit
from codehazard.tasks.suites._abstraction_spec import (
    Edit,
    Spec,
    agreed_calls,
    agreed_sequences,
    answers,
    valid_calls,
)
from codehazard.tasks.suites._abstraction_words import make_words
from codehazard.tasks.suites._chain import WrongSolution
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._render import docstring_tokens

SUITE = "abstraction"
DIMENSION = "abstraction"
GENERATOR_VERSION = 1
LEVELS = (1, 2, 3, 4)
LEVEL_NAMES = {1: "explicit", 2: "requirement", 3: "interface", 4: "system"}
"""Template name suffix per level: ``rate-limit-explicit`` ... ``rate-limit-system``."""


@dataclass(frozen=True)
class Capability:
    """One underlying capability; ``make(level, rng)`` specifies it at a level."""

    name: str
    make: Callable[[int, random.Random], Spec]


CAPABILITIES = (
    Capability("rate-limit", make_limit),
    Capability("intervals", make_intervals),
    Capability("lru-cache", make_cache),
    Capability("transfers", make_ledger),
    Capability("top-words", make_words),
    Capability("build-order", make_build),
)
CAPABILITIES_BY_NAME = {c.name: c for c in CAPABILITIES}


def template_name(capability: str, level: int) -> str:
    """The template of a capability at a level (``top-words-interface``)."""
    return f"{capability}-{LEVEL_NAMES[level]}"


def spec_of(task: Task) -> Spec:
    """Rebuild a task's ``Spec`` from its metadata (for its mutants and readings).

    Raises:
        InputError: the metadata names no abstraction capability, level and key.
    """
    meta = task.metadata
    if meta.get("capability") not in CAPABILITIES_BY_NAME or "key" not in meta:
        raise InputError(f"task {task.task_id}: no abstraction capability and key in metadata")
    make = CAPABILITIES_BY_NAME[meta["capability"]].make
    return make(int(meta["level"]), random.Random(meta["key"]))


def _l2_test(spec: Spec, calls: list[list[Any]]) -> str:
    """``check(candidate)`` for L2: each answer equal to the reference's as plain data (a
    tuple for a list is no mistake the requirement names), or having ``spec.check``'s
    property."""
    out = [
        "def _plain(value):",
        "    if type(value) in (list, tuple):",
        "        return [_plain(v) for v in value]",
        "    if type(value) is dict:",
        "        return {k: _plain(v) for k, v in value.items()}",
        "    return value",
        "",
    ]
    if spec.check is not None:
        out += [spec.check.strip("\n"), "", "", "def check(candidate):"]
        for args in calls:
            shown = ", ".join(repr(a) for a in args)
            out.append(f"    assert _ok({args!r}, _plain(candidate({shown})))")
        return "\n".join(out) + "\n"
    out += ["", "def check(candidate):"]
    for args, (_, want) in zip(calls, answers(replace(spec, calls=calls)), strict=True):
        shown = ", ".join(repr(a) for a in args)
        out.append(f"    assert _plain(candidate({shown})) == {want!r}")
    return "\n".join(out) + "\n"


def _checker(spec: Spec, level: int) -> Any:
    if level == 1:
        return DifferentialChecker(inputs=spec.calls)
    if level == 2:
        calls = agreed_calls(spec) if spec.check is None else valid_calls(spec)
        return TestChecker(test=_l2_test(spec, calls))
    return SequenceChecker(
        init=spec.init,
        sequences=agreed_sequences(spec),
        monitor="at_least",
        params={"bounds": {}},
    )


def _instruction(spec: Spec, level: int) -> str:
    what = {
        "function": f"a Python function `{spec.header.removeprefix('def ').rstrip(':')}`"
        if spec.header
        else "",
        "class": f"a Python class `{spec.entry}`",
        "module": f"a small Python module whose entry point is the class `{spec.entry}`",
    }[spec.form]
    reply = "the complete module" if spec.form == "module" else f"the complete {spec.form}"
    return f"Write {what}.\n\n{spec.doc}\n\nReply with {reply} in a single Python code block."


def _task(seed: int, level: int, index: int, taken: set[str]) -> Task:
    capability = CAPABILITIES[index % len(CAPABILITIES)]
    for attempt in range(50):
        key = f"{SUITE}/{seed}/{capability.name}/L{level}/{index}/{attempt}"
        spec = capability.make(level, random.Random(key))
        if spec.prompt() not in taken:
            break
    prompt = spec.prompt()
    taken.add(prompt)
    checker = _checker(spec, level)
    template = template_name(capability.name, level)
    metadata: dict[str, Any] = {
        "suite": SUITE,
        "generator_version": GENERATOR_VERSION,
        "dimension": DIMENSION,
        "level": level,
        "template": template,
        "capability": capability.name,
        "form": spec.form,
        "components": spec.components,
        "readings": len(spec.readings),
        "docstring_tokens": docstring_tokens(spec.doc),
        "seed": seed,
        "key": key,
    }
    return Task(
        task_id=f"{SUITE}/{template}/L{level}/{index}",
        prompt=prompt,
        entry_point=spec.entry,
        canonical_solution=spec.code(),
        checker=checker,
        instruction=_instruction(spec, level),
        metadata=metadata,
    )


def _programs(task: Task, edits: list[Edit], label: str) -> list[WrongSolution]:
    spec = spec_of(task)
    capability = task.metadata["capability"]
    return [
        WrongSolution(
            task.task_id,
            e.kind,
            f"({capability} {label}) {e.detail}",
            program=task.prompt + spec.code(e),
        )
        for e in edits
    ]


def mutants(task: Task) -> list[WrongSolution]:
    """The template's wrong programs for ``task``, each judged whole in the sandbox.

    Raises:
        InputError: the task's metadata names no abstraction capability and key.
    """
    return _programs(task, spec_of(task).mutants, "mutant")


def readings(task: Task) -> list[WrongSolution]:
    """The other competent readings of ``task``'s requirement, as whole programs: each must
    PASS the task's checker (the checker tests nothing the requirement leaves open).

    Raises:
        InputError: the task's metadata names no abstraction capability and key.
    """
    return _programs(task, spec_of(task).readings, "reading")


@register_suite(
    SUITE,
    description="the same capabilities specified at four levels: an explicit function, an "
    "under-specified requirement, a class interface, a system from a user story",
    params=(
        SuiteParam("levels", "ints", LEVELS, "levels: L1 explicit .. L4 system", 1, 4),
        SuiteParam("per_level", "int", 12, "tasks per level (capabilities in turn)", 1, 1000),
        SuiteParam("seed", "int", 0, "generator seed: the same seed gives identical tasks", 0),
    ),
    mutants=mutants,
)
def build_abstraction(levels: tuple[int, ...], per_level: int, seed: int) -> list[Task]:
    """Generate the suite: ``per_level`` tasks per level, the capabilities in turn, each
    task's names, constants, phrasing and inputs from its own seeded generator."""
    tasks: list[Task] = []
    taken: set[str] = set()
    for level in levels:
        tasks.extend(_task(seed, level, index, taken) for index in range(per_level))
    return tasks
