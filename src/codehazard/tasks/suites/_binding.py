"""The ``variable-binding`` suite: the paper's variable-interdependency failure as a graded family.

The paper's example (``DOMAIN.md`` section 4.1): "add 3 to y, then subtract 4 from both x and w,
return the product of the four numbers"; the model forgot ``w`` and did not return the product.
Here ``k`` integer variables (2-8) go through ``m`` operations (0-12), each bound to named
variables, then one combining return. The ``m = 0`` tasks are the return alone: the composition
gap needs the return's own success rate, since every other task ends with it. The operations,
their wording, the value ranges and the sampling are ours
(``docs/suites/specification-complexity.md``). Its dimension is ``variable-binding``: binding
each operation to the right variables grows with k and m as a chain grows with its length, a
matter of specification complexity; keeping state over several variables consistent, the
expressivity attribute, is the ``interdependence`` suite's.

Operations (``op`` in the task metadata):

* ``add`` / ``subtract`` / ``multiply`` a constant, on one to three named variables;
* ``add-variable``: add one variable to another (a dependency between variables);
* ``swap`` the values of two variables;
* then ``return`` the sum or the product of all the variables ("of the four numbers").
"""

from __future__ import annotations

import random
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from codehazard.errors import InputError
from codehazard.tasks._model import Task, TestChecker
from codehazard.tasks.suites._chain import (
    Alternative,
    Chain,
    HypothesisKind,
    Step,
    WrongSolution,
    chain_mutants,
    select_inputs,
)
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._render import check_code, docstring_tokens

SUITE = "variable-binding"
GENERATOR_VERSION = 3
"""3: the dimension is ``variable-binding`` (version 2 wrote ``variable-interdependency``, the
name of an expressivity attribute this suite does not grade; readers map it, see
``codehazard.scoring.DIMENSION_ALIASES``)."""
ENTRY_POINT = "do_work"
NAMES: tuple[str, ...] = ("x", "y", "z", "w", "a", "b", "c", "d")
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
MIN_INPUTS = 20
MAX_INPUTS = 40
POOL_SIZE = 200
INPUT_RANGE = (-9, 9)

OpName = Literal["add", "subtract", "multiply", "add-variable", "swap"]
Combine = Literal["sum", "product"]
OPS: tuple[OpName, ...] = get_args(OpName)

State = tuple[int, ...]


class Operation(BaseModel):
    """One operation as recorded in task metadata: what it does and to which variables.

    ``targets`` are the variables it changes (for ``swap``, the two swapped); ``source`` is the
    variable added by ``add-variable``; ``amount`` the constant of the arithmetic operations.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    op: OpName
    targets: tuple[str, ...]
    amount: int | None = None
    source: str | None = None


def _join(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"both {names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def describe(op: Operation) -> str:
    """The operation in words, as the docstring says it (``subtract 4 from both x and w``)."""
    if op.op == "add":
        return f"add {op.amount} to {_join(op.targets)}"
    if op.op == "subtract":
        return f"subtract {op.amount} from {_join(op.targets)}"
    if op.op == "multiply":
        return f"multiply {_join(op.targets)} by {op.amount}"
    if op.op == "add-variable":
        return f"add {op.source} to {op.targets[0]}"
    return f"swap the values of {op.targets[0]} and {op.targets[1]}"


def code_lines(op: Operation) -> list[str]:
    """The reference code of the operation, one statement per changed variable."""
    if op.op == "swap":
        a, b = op.targets
        return [f"{a}, {b} = {b}, {a}"]
    if op.op == "add-variable":
        return [f"{op.targets[0]} = {op.targets[0]} + {op.source}"]
    symbol = {"add": "+", "subtract": "-", "multiply": "*"}[op.op]
    return [f"{t} = {t} {symbol} {op.amount}" for t in op.targets]


# --- semantics: each operation as a function on the tuple of variable values ------------------

Arith = Callable[[int, int], int]
_ARITH: dict[str, Arith] = {
    "add": lambda v, c: v + c,
    "subtract": lambda v, c: v - c,
    "multiply": lambda v, c: v * c,
}


def _arith(targets: Sequence[int], amount: int, f: Arith) -> Callable[[State], State]:
    return lambda st: tuple(f(v, amount) if i in targets else v for i, v in enumerate(st))


def _add_var(
    dst: int, src: int, mode: Literal["add", "assign", "sub"] = "add"
) -> Callable[[State], State]:
    def run(st: State) -> State:
        new = {"add": st[dst] + st[src], "assign": st[src], "sub": st[dst] - st[src]}[mode]
        return tuple(new if i == dst else v for i, v in enumerate(st))

    return run


def _swap(a: int, b: int, sequential: bool = False) -> Callable[[State], State]:
    def run(st: State) -> State:
        out = list(st)
        out[a] = st[b]
        out[b] = st[b] if sequential else st[a]  # sequential: a = b; b = a (both end as b)
        return tuple(out)

    return run


def _combine(how: Combine, skip: int | None = None) -> Callable[[State], int]:
    def run(st: State) -> int:
        values = [v for i, v in enumerate(st) if i != skip]
        if how == "sum":
            return sum(values)
        product = 1
        for v in values:
            product *= v
        return product

    return run


def _wrong(kind: HypothesisKind, label: str, fn: Callable[[State], Any]) -> Alternative:
    return Alternative(kind, label, fn)


def _op_step(op: Operation, names: Sequence[str]) -> Step:
    """The step of one operation with its known wrong bindings and misapplications."""
    idx = {n: i for i, n in enumerate(names)}
    tgt = [idx[t] for t in op.targets]
    others = [i for i in range(len(names)) if i not in tgt]
    alts: list[Alternative] = []
    if op.op in _ARITH:
        assert op.amount is not None
        f = _ARITH[op.op]
        fn = _arith(tgt, op.amount, f)
        for t in tgt:
            for u in others:
                bound = [u if x == t else x for x in tgt]
                label = f"applied to {names[u]} instead of {names[t]}"
                alts.append(_wrong("wrong-variable", label, _arith(bound, op.amount, f)))
            if len(tgt) > 1:
                rest = [x for x in tgt if x != t]
                label = f"not applied to {names[t]}"
                alts.append(_wrong("wrong-variable", label, _arith(rest, op.amount, f)))
        opposite = {"add": "subtract", "subtract": "add", "multiply": "add"}[op.op]
        label = f"{opposite} instead of {op.op}"
        alts.append(_wrong("misapplied", label, _arith(tgt, op.amount, _ARITH[opposite])))
        if op.op == "subtract":
            label = "operands reversed (amount minus variable)"
            alts.append(_wrong("misapplied", label, _arith(tgt, op.amount, lambda v, c: c - v)))
    elif op.op == "add-variable":
        assert op.source is not None
        dst, src = tgt[0], idx[op.source]
        fn = _add_var(dst, src)
        label = f"added {names[dst]} to {names[src]}"
        alts.append(_wrong("wrong-variable", label, _add_var(src, dst)))
        for u in range(len(names)):
            if u not in (dst, src):
                label = f"added {names[u]} instead of {names[src]}"
                alts.append(_wrong("wrong-variable", label, _add_var(dst, u)))
                label = f"added {names[src]} to {names[u]} instead of {names[dst]}"
                alts.append(_wrong("wrong-variable", label, _add_var(u, src)))
        alts.append(_wrong("misapplied", "assigned instead of added", _add_var(dst, src, "assign")))
        alts.append(_wrong("misapplied", "subtracted instead of added", _add_var(dst, src, "sub")))
    else:
        a, b = tgt
        fn = _swap(a, b)
        for u in others:
            label = f"swapped {names[a]} with {names[u]} instead of {names[b]}"
            alts.append(_wrong("wrong-variable", label, _swap(a, u)))
            label = f"swapped {names[u]} with {names[b]} instead of {names[a]}"
            alts.append(_wrong("wrong-variable", label, _swap(u, b)))
        label = "swapped by sequential assignment (both end equal)"
        alts.append(_wrong("misapplied", label, _swap(a, b, sequential=True)))
    return Step(op.op, fn, tuple(alts))


def _return_step(combine: Combine, names: Sequence[str]) -> Step:
    alts = [
        _wrong("wrong-variable", f"{names[i]} left out", _combine(combine, skip=i))
        for i in range(len(names))
    ]
    other: Combine = "product" if combine == "sum" else "sum"
    alts.append(_wrong("misapplied", f"{other} instead of {combine}", _combine(other)))
    return Step("return", _combine(combine), tuple(alts), fixed=True)


def binding_chain(names: Sequence[str], ops: Sequence[Operation], combine: Combine) -> Chain:
    """The reference chain: the operations in order, then the combining return."""
    steps = [_op_step(op, names) for op in ops]
    steps.append(_return_step(combine, names))
    return Chain(lambda args: tuple(int(a) for a in args), tuple(steps))


def chain_from_metadata(metadata: Mapping[str, Any]) -> Chain:
    """Rebuild a ``variable-binding`` task's chain from its metadata.

    Raises:
        InputError: the metadata lacks ``names``, ``steps`` or ``combine``, or they are invalid.
    """
    try:
        names = [str(n) for n in metadata["names"]]
        ops = [Operation.model_validate(s) for s in metadata["steps"]]
        combine = metadata["combine"]
    except (KeyError, TypeError, ValidationError) as exc:
        raise InputError(f"not a variable-binding task's metadata ({exc})") from None
    if combine not in get_args(Combine):
        raise InputError(f"unknown combine {combine!r}; expected sum or product")
    for op in ops:
        used = [*op.targets, *([op.source] if op.source else [])]
        if any(n not in names for n in used):
            raise InputError(f"operation {describe(op)!r} uses a variable not in {names}")
    return binding_chain(names, ops, combine)


# --- generation ---------------------------------------------------------------------------------


def _draw_op(rng: random.Random, names: Sequence[str]) -> Operation:
    op: OpName = rng.choice(OPS)
    if op in ("add", "subtract", "multiply"):
        count = rng.choice((1, 1, 2, 2, 3))
        targets = sorted(rng.sample(range(len(names)), min(count, len(names))))
        amount = rng.randint(2, 4) if op == "multiply" else rng.randint(1, 9)
        return Operation(op=op, targets=tuple(names[i] for i in targets), amount=amount)
    a, b = rng.sample(list(names), 2)
    if op == "add-variable":
        return Operation(op=op, targets=(a,), source=b)
    return Operation(op=op, targets=(a, b))


def _undoes(previous: Operation, op: Operation) -> bool:
    """A swap right after the same swap cancels it: such a pair is redrawn."""
    return previous.op == "swap" and set(previous.targets) == set(op.targets)


def _docstring(names: Sequence[str], ops: Sequence[Operation], combine: Combine) -> str:
    text = f"Return the {combine} of the {NUMBER_WORDS[len(names)]} numbers."
    if ops:
        phrases = [describe(op) for op in ops]
        steps = phrases[0][0].upper() + phrases[0][1:]
        for phrase in phrases[1:]:
            steps += f", then {phrase}"
        text = f"{steps}. {text}"
    return textwrap.fill(text, width=80)


def _random_args(rng: random.Random, k: int) -> list[int]:
    return [rng.randint(*INPUT_RANGE) for _ in range(k)]


def _task(seed: int, k: int, m: int, index: int, rng: random.Random) -> Task:
    chosen = set(rng.sample(NAMES, k))
    names = [n for n in NAMES if n in chosen]
    ops: list[Operation] = []
    while len(ops) < m:
        op = _draw_op(rng, names)
        if not (op.op == "swap" and ops and _undoes(ops[-1], op)):
            ops.append(op)
    combine: Combine = rng.choice(("sum", "product"))
    chain = binding_chain(names, ops, combine)
    base = [_random_args(rng, k) for _ in range(MIN_INPUTS)]
    pool = (_random_args(rng, k) for _ in range(POOL_SIZE))
    inputs = select_inputs(chain, base, pool, cap=MAX_INPUTS)
    outputs = [chain.run(args) for args in inputs]
    docstring = _docstring(names, ops, combine)
    signature = ", ".join(f"{n}: int" for n in names)
    body = textwrap.indent(docstring, "    ")
    prompt = f'def {ENTRY_POINT}({signature}) -> int:\n    """\n{body}\n    """\n'
    lines = [line for op in ops for line in code_lines(op)]
    lines.append("return " + (" + " if combine == "sum" else " * ").join(names))
    return Task(
        task_id=f"{SUITE}/k{k}-m{m:02d}/{index:03d}",
        prompt=prompt,
        entry_point=ENTRY_POINT,
        canonical_solution="".join(f"    {line}\n" for line in lines),
        checker=TestChecker(test=check_code(inputs, outputs)),
        instruction=(
            f"Write a Python function `{ENTRY_POINT}({signature}) -> int` that does the "
            f"following.\n\n{docstring}\n\n"
            "Reply with the complete function in a single Python code block."
        ),
        metadata={
            "suite": SUITE,
            "generator_version": GENERATOR_VERSION,
            "dimension": "variable-binding",
            "level": m,
            "components": m,
            "operations": m,
            "variables": k,
            "names": names,
            "steps": [op.model_dump(mode="json", exclude_none=True) for op in ops],
            "blocks": [op.op for op in ops],
            "final_step": "return",
            "combine": combine,
            "docstring_tokens": docstring_tokens(docstring),
            "seed": seed,
            "test_inputs": inputs,
        },
    )


def _cells(variables: Sequence[int], operations: Sequence[int]) -> Iterator[tuple[int, int]]:
    for k in variables:
        for m in operations:
            yield k, m


_PROBE: list[list[int]] = []


def mutants(task: Task) -> list[WrongSolution]:
    """Each wrong binding, misapplication, skipped operation and swap of neighbours.

    ``told_apart`` tries an independent probe of 300 argument lists in -30..30.
    """
    if not _PROBE:
        rng = random.Random("probe")
        _PROBE.extend([rng.randint(-30, 30) for _ in range(8)] for _ in range(300))
    k = task.metadata["variables"]
    probe = [args[:k] for args in _PROBE]
    return chain_mutants(task.task_id, chain_from_metadata(task.metadata), probe)


def advice(
    variables: tuple[int, ...], operations: tuple[int, ...], per_level: int, seed: int
) -> list[str]:
    """Warn when the composition gap will lack the rates it rests on."""
    del variables, per_level, seed
    notes = []
    if 0 not in operations:
        notes.append(
            "no m = 0 tasks (the return alone): the composition gap cannot divide out the "
            "return's own rate and counts it once per operation; include 0 in `operations`"
        )
    if 1 not in operations:
        notes.append("no m = 1 tasks: the composition gap needs the single-operation rates")
    return notes


@register_suite(
    SUITE,
    description="k named variables (2-8) through m operations (0-12) bound to them, then a "
    "combining return (variable binding, after the paper's variable-interdependency example)",
    selftest={"per_level": 1},
    params=(
        SuiteParam("variables", "ints", tuple(range(2, 9)), "numbers of variables k", 2, 8),
        SuiteParam(
            "operations",
            "ints",
            tuple(range(0, 13)),
            "numbers of operations m (0: the return alone)",
            0,
            40,
        ),
        SuiteParam("per_level", "int", 4, "tasks per (k, m) cell", 1, 10_000),
        SuiteParam("seed", "int", 0, "generator seed: the same seed gives identical tasks", 0),
    ),
    chain=chain_from_metadata,
    mutants=mutants,
    advice=advice,
)
def build_variable_binding(
    variables: tuple[int, ...], operations: tuple[int, ...], per_level: int, seed: int
) -> list[Task]:
    """Generate ``per_level`` tasks for every (k variables, m operations) cell.

    Each cell has its own seeded generator, so changing the grid leaves other cells unchanged.
    A draw whose prompt repeats an earlier one in the cell is redrawn (small cells allow few
    distinct tasks; after 50 failed draws the repeat is kept).
    """
    tasks: list[Task] = []
    for k, m in _cells(variables, operations):
        rng = random.Random(f"{SUITE}/{seed}/k{k}/m{m}")
        prompts: set[str] = set()
        for index in range(per_level):
            for _ in range(50):
                task = _task(seed, k, m, index, rng)
                if task.prompt not in prompts:
                    break
            prompts.add(task.prompt)
            tasks.append(task)
    return tasks
