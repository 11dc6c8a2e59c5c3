"""The ``building-blocks`` suite: the Codex paper's string blocks chained into one function.

Facts from the paper (``DOMAIN.md`` section 2): thirteen blocks, each a docstring line and a
line of code; the docstring lists the steps and the reference applies them in order to ``s``.
Everything else here is our design, documented in ``docs/suites/specification-complexity.md``:
how chains are drawn (distinct blocks, distinct chains per length, every step observable, a
seeded generator per length), the entry-point name, the prompt wording, and how test inputs are
chosen.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from codehazard.errors import InputError
from codehazard.tasks._model import Task, TestChecker
from codehazard.tasks.suites._blocks import BLOCKS, BLOCKS_BY_KEY, Block
from codehazard.tasks.suites._chain import (
    Alternative,
    Chain,
    Step,
    WrongSolution,
    chain_mutants,
    select_inputs,
)
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._render import check_code, docstring_tokens

SUITE = "building-blocks"
GENERATOR_VERSION = 2
ENTRY_POINT = "process_string"
MIN_INPUTS = 22  # the fixed edge strings plus random ones; the issue asks for at least 20
MAX_INPUTS = 40  # cap on inputs added to reject wrong variants the first ones miss
POOL_SIZE = 1000  # candidates for the extra inputs; long strings survive long chains
POOL_WORDS = (4, 9, 16, 30)
PRECHECK = 200  # pool inputs used to reject a chain with an unobservable step before building it
MAX_DRAWS = 2000  # candidate chains per task before settling for the most observable one

# Short strings (length 0-4) that every task is tested on: empty, e and E, other vowels in both
# cases, y and Y, a run of spaces, leading and trailing spaces, . ! ? and a comma.
EDGE_INPUTS: tuple[str, ...] = ("", "e", "E.", " A ", "Hey!", "a  b", "?e,E", "yO Y")

_CONSONANTS = "bcdfghklmnprstwxyz"
_VOWELS = "aeiouy"
_PUNCTUATION = ".!?,"


def _alphabet() -> tuple[list[str], list[float]]:
    """Letters with cumulative weights: e 15%, vowels (y too) 35%, consonants 50%; a quarter of
    each in uppercase."""
    letters: list[str] = []
    weights: list[float] = []
    for pool, share in (("e", 0.15), (_VOWELS, 0.35), (_CONSONANTS, 0.5)):
        for char in pool:
            letters += [char, char.upper()]
            weights += [0.75 * share / len(pool), 0.25 * share / len(pool)]
    return letters, list(itertools.accumulate(weights))


_LETTERS, _CUMULATIVE = _alphabet()


def random_text(rng: random.Random, max_words: int = 9) -> str:
    """A random sentence-like string exercising every block.

    Words of one to seven letters mix consonants, vowels (``y`` included, to tell vowel sets
    apart), extra ``e``s and uppercase letters; some end in ``. ! ? ,``; words are separated by
    one to three spaces, and some strings have leading or trailing spaces.
    """
    text = " " * rng.choice((0, 0, 0, 0, 0, 1, 2))
    for i in range(rng.randint(1, max_words)):
        if i:
            text += " " * rng.choice((1, 1, 1, 1, 2, 3))
        text += "".join(rng.choices(_LETTERS, cum_weights=_CUMULATIVE, k=rng.randint(1, 7)))
        if rng.random() < 0.3:
            text += rng.choice(_PUNCTUATION)
    return text + " " * rng.choice((0, 0, 0, 0, 0, 1, 2))


def block_chain(keys: Sequence[str]) -> Chain:
    """The reference chain for a sequence of block keys, with each block's mutants.

    Raises:
        InputError: an unknown block key.
    """
    steps = []
    for key in keys:
        block = BLOCKS_BY_KEY.get(key)
        if block is None:
            raise InputError(f"unknown building block {key!r}; known: {', '.join(BLOCKS_BY_KEY)}")
        alternatives = tuple(Alternative(m.kind, m.label, m.fn) for m in block.mutants)
        steps.append(Step(block.key, block.fn, alternatives))
    return Chain(lambda args: args[0], tuple(steps))


def chain_from_metadata(metadata: Mapping[str, Any]) -> Chain:
    """Rebuild a ``building-blocks`` task's chain from its metadata (``blocks``).

    Raises:
        InputError: the metadata has no list of block keys, or an unknown key.
    """
    keys = metadata.get("blocks")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise InputError("task metadata has no 'blocks' list; is it a building-blocks task?")
    return block_chain(keys)


def _candidates(length: int, count: int, rng: random.Random) -> Iterator[tuple[int, ...]]:
    """Chains of ``length`` distinct blocks, each at most once: every chain in order when there
    are no more than ``count``, else random draws (until every chain has been drawn)."""
    total = math.perm(len(BLOCKS), length)
    if count >= total:
        yield from itertools.permutations(range(len(BLOCKS)), length)
        return
    seen: set[tuple[int, ...]] = set()
    while len(seen) < total:
        chain = tuple(rng.sample(range(len(BLOCKS)), length))
        if chain not in seen:
            seen.add(chain)
            yield chain


def _observable_count(chain_ids: Sequence[int], inputs: Sequence[Sequence[str]]) -> int:
    return sum(block_chain([BLOCKS[i].key for i in chain_ids]).observable_steps(inputs))


def _tasks_of_length(seed: int, length: int, count: int) -> list[Task]:
    """``count`` tasks whose every step is observable on their own test inputs.

    A chain in which skipping some step changes no output (``triple_spaces`` before the words
    are re-split, ``remove_e`` before ``remove_vowels``, ``alternate_upper`` before
    ``lowercase``) has fewer real components than its length; it is redrawn. A cheap check on
    part of the pool rejects most such chains before their inputs are chosen; the task's own
    inputs decide. If ``MAX_DRAWS`` candidates in a row fail, the most observable one is kept
    (its ``effective_components`` says so); when every chain of a length is enumerated, the
    unobservable ones are left out and the length may have fewer tasks.
    """
    rng = random.Random(f"{SUITE}/{seed}/L{length}")
    pool_rng = random.Random(f"{SUITE}/{seed}/L{length}/pool")
    pool = [
        [random_text(pool_rng, max_words=pool_rng.choice(POOL_WORDS))] for _ in range(POOL_SIZE)
    ]
    precheck = [[s] for s in EDGE_INPUTS] + pool[:PRECHECK]
    tasks: list[Task] = []
    best: tuple[int, tuple[int, ...]] | None = None  # (steps observed, chain) of the failures
    failures = 0
    for chain_ids in _candidates(length, count, rng):
        if len(tasks) >= count:
            break
        observed = _observable_count(chain_ids, precheck)
        if observed == length:
            task = _task(seed, length, len(tasks), chain_ids, pool)
            if task.metadata["effective_components"] == length:
                tasks.append(task)
                best, failures = None, 0
                continue
            observed = task.metadata["effective_components"]
        failures += 1
        if best is None or observed > best[0]:
            best = (observed, chain_ids)
        if failures >= MAX_DRAWS:
            tasks.append(_task(seed, length, len(tasks), best[1], pool))
            best, failures = None, 0
    return tasks


def _prompt(blocks: Sequence[Block]) -> tuple[str, str]:
    steps = [f"{i}. {b.doc}" for i, b in enumerate(blocks, start=1)]
    docstring = "Apply the following steps to the string s, in order, and return the result.\n\n"
    docstring += "\n".join(steps)
    body = "\n".join(("    " + line) if line else "" for line in docstring.split("\n"))
    prompt = f'def {ENTRY_POINT}(s: str) -> str:\n    """\n{body}\n    """\n'
    return prompt, docstring


def _instruction(blocks: Sequence[Block]) -> str:
    steps = "\n".join(f"{i}. {b.doc[0].upper()}{b.doc[1:]}." for i, b in enumerate(blocks, 1))
    return (
        f"Write a Python function `{ENTRY_POINT}(s: str) -> str` that applies the following "
        f"steps to the string `s`, in this order, and returns the result:\n\n{steps}\n\n"
        "Reply with the complete function in a single Python code block."
    )


def _task(
    seed: int, length: int, index: int, chain_ids: Sequence[int], pool: Sequence[list[str]]
) -> Task:
    blocks = [BLOCKS[i] for i in chain_ids]
    chain = block_chain([b.key for b in blocks])
    rng = random.Random(f"{SUITE}/{seed}/L{length}/{index}")
    base = [[s] for s in EDGE_INPUTS]
    base += [
        [random_text(rng, max_words=POOL_WORDS[i % len(POOL_WORDS)])]
        for i in range(MIN_INPUTS - len(EDGE_INPUTS))
    ]
    inputs = select_inputs(chain, base, pool, cap=MAX_INPUTS)
    outputs = [chain.run(args) for args in inputs]
    prompt, docstring = _prompt(blocks)
    solution = "".join(f"    {b.code}\n" for b in blocks) + "    return s\n"
    metadata: dict[str, Any] = {
        "suite": SUITE,
        "generator_version": GENERATOR_VERSION,
        "dimension": "specification-complexity",
        "level": length,
        "components": length,
        "length": length,
        "variables": 1,
        "operations": length,
        "effective_components": sum(chain.observable_steps(inputs)),
        "blocks": [b.key for b in blocks],
        "block_numbers": [b.number for b in blocks],
        "docstring_tokens": docstring_tokens(docstring),
        "seed": seed,
        "test_inputs": inputs,
    }
    return Task(
        task_id=f"{SUITE}/L{length:02d}/{index:03d}",
        prompt=prompt,
        entry_point=ENTRY_POINT,
        canonical_solution=solution,
        checker=TestChecker(test=check_code(inputs, outputs)),
        instruction=_instruction(blocks),
        metadata=metadata,
    )


_PROBE: list[list[str]] = []


def mutants(task: Task) -> list[WrongSolution]:
    """Each skipped step, block mutant and swap of neighbours of ``task``'s chain.

    ``told_apart`` tries an independent probe: the edge strings and 500 random texts drawn
    apart from any task's inputs.
    """
    if not _PROBE:
        rng = random.Random("independent-probe")
        _PROBE.extend([s] for s in EDGE_INPUTS)
        _PROBE.extend([random_text(rng, rng.choice((4, 9, 16, 30)))] for _ in range(500))
    return chain_mutants(task.task_id, chain_from_metadata(task.metadata), _PROBE)


def advice(lengths: tuple[int, ...], per_length: int, seed: int) -> list[str]:
    """Warn when length 1 will not have all 13 single-block tasks (the composition gap needs
    a one-block rate for every block of a chain, or leaves the chain out)."""
    del seed
    if 1 in lengths and per_length < len(BLOCKS):
        return [
            f"length 1 gets only {per_length} of the {len(BLOCKS)} single-block tasks: the "
            "composition gap will leave out every chain using a block without one; use "
            f"`per_length={len(BLOCKS)}` or more"
        ]
    if 1 not in lengths:
        return ["no length-1 tasks: the composition gap needs the single-block rates"]
    return []


@register_suite(
    SUITE,
    description="the Codex paper's 13 string building blocks chained into one function "
    "(specification complexity: pass rate against chain length)",
    selftest={"per_length": 5},
    params=(
        SuiteParam("lengths", "ints", tuple(range(1, 11)), "chain lengths", 1, len(BLOCKS)),
        SuiteParam(
            "per_length", "int", 30, "tasks per length (fewer when fewer chains exist)", 1, 10_000
        ),
        SuiteParam("seed", "int", 0, "generator seed: the same seed gives identical tasks", 0),
    ),
    chain=chain_from_metadata,
    advice=advice,
    mutants=mutants,
)
def build_building_blocks(lengths: tuple[int, ...], per_length: int, seed: int) -> list[Task]:
    """Generate the suite: ``per_length`` distinct chains for each length, shortest first.

    Chains of one length come from their own seeded generators (chains, and the pool of
    candidate inputs the length's tasks share), so adding or removing a length leaves the tasks
    of the others unchanged; each task's base inputs come from its own generator. Chains with a
    step that no test input can observe are redrawn (``_tasks_of_length``). At length 1 only 13
    chains exist: all of them are used (each block once) when ``per_length`` is 13 or more.
    """
    tasks: list[Task] = []
    for length in lengths:
        tasks.extend(_tasks_of_length(seed, length, per_length))
    return tasks
