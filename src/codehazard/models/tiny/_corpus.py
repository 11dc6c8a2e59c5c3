"""The tiny model's training data: specification-to-code pairs, disjoint from evaluation.

Three sources, each a (prompt, body) pair in the completion form the model is asked in:

* **building blocks, reworded**: chains of the Codex paper's 13 string blocks from the
  ``building-blocks`` generator at training seeds, chain lengths 1-4 only, with every step's
  docstring line replaced by one of our paraphrases (``PARAPHRASES``). The paper's wording,
  which every evaluation task uses, never appears in training: the model has to carry what it
  learnt from other words to the evaluation's.
* **variable binding**: the ``variable-binding`` generator at training seeds, at most
  ``BINDING_MAX_OPERATIONS`` operations (evaluation goes further).
* **small functions**: a broader synthetic corpus of short Python functions over lists,
  numbers and strings (``_functions.py``), with seeded names and phrasings.

``held_out_texts`` lists what evaluation shows a model (every prompt of the default builds of
the evaluated suites, and the paper's block lines); ``build_corpus`` drops any pair whose prompt
matches one, and ``tests/models/test_tiny_split.py`` checks that none remains.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from codehazard.models.tiny._functions import function_pairs
from codehazard.tasks import Task

TRAIN_SEEDS = range(1000, 1400)
"""Generator seeds used for training; evaluation builds use seeds below 1000 (default 0)."""
BLOCK_LENGTHS = (1, 2, 3, 4)
BINDING_MAX_OPERATIONS = 5

PARAPHRASES: dict[str, tuple[str, ...]] = {
    "remove_e": (
        "delete every letter e in the string",
        "take out each e from the string",
        "strip the character e everywhere it occurs in the string",
    ),
    "spaces_to_bang": (
        "turn every space in the string into an exclamation point",
        "swap each space for an exclamation mark",
        "substitute exclamation points for all spaces in the string",
    ),
    "lowercase": (
        "make the string s all lowercase",
        "lowercase every letter of s",
        "change the string to lower case",
    ),
    "trim_two": (
        "cut two characters off both ends of the string",
        "strip the two leading and the two trailing characters from the string",
        "drop two characters from the start and two from the end of the string",
    ),
    "remove_vowels": (
        "delete every vowel in the string",
        "take all the vowels out of the string",
        "strip vowels, upper and lower case, from the string",
    ),
    "drop_every_third": (
        "delete every third character of the string, starting with the first",
        "take out the characters at positions 0, 3, 6 and so on of the string",
        "remove each character whose index is a multiple of three",
    ),
    "drop_last_half": (
        "keep only the first half of the string, counted in characters",
        "cut the string down to its first half of characters",
        "throw away the second half of the characters of the string",
    ),
    "triple_spaces": (
        "turn each space into three spaces",
        "make every space in the string three spaces wide",
        "substitute three spaces for every single space",
    ),
    "reverse_words": (
        "put the words of the string in reverse order",
        "flip the order of the words in the string",
        "reverse the word order of the string",
    ),
    "drop_first_half_words": (
        "keep only the second half of the words in the string",
        "throw away the first half of the words of the string",
        "cut the first half of the string, counting words",
    ),
    "add_apples": (
        "put the word apples after each word of the string",
        "follow every word in the string with the word apples",
        "insert apples behind each word in the string",
    ),
    "alternate_upper": (
        "uppercase the characters at even positions of the string",
        "capitalise every second character of the string, starting with the first",
        "turn the characters at positions 0, 2, 4 and so on into upper case",
    ),
    "strip_punctuation": (
        "take out all periods, question marks and exclamation points of the string",
        "delete the characters . ! and ? from the string",
        "strip exclamation marks, question marks and full stops from the string",
    ),
}

_STEP = re.compile(r"^(\s+)(\d+)\. (.*)$")


@dataclass(frozen=True)
class Pair:
    """One training example: the prompt shown and the body the model learns to write."""

    source: str
    prompt: str
    body: str


def reword(task: Task, rng: random.Random) -> str:
    """The task's prompt with every numbered step replaced by a paraphrase of its block."""
    keys = task.metadata["blocks"]
    lines = []
    for line in task.prompt.splitlines(keepends=True):
        match = _STEP.match(line.rstrip("\n"))
        if match:
            indent, number, _ = match.groups()
            line = f"{indent}{number}. {rng.choice(PARAPHRASES[keys[int(number) - 1]])}\n"
        lines.append(line)
    return "".join(lines)


def _block_pairs(seeds: Iterable[int], per_length: int, rewordings: int) -> Iterator[Pair]:
    from codehazard.tasks.suites import get_suite

    suite = get_suite("building-blocks")
    for seed in seeds:
        rng = random.Random(f"tiny/blocks/{seed}")
        for task in suite.build(seed=seed, lengths=BLOCK_LENGTHS, per_length=per_length):
            for _ in range(rewordings):
                yield Pair("building-blocks", reword(task, rng), task.canonical_solution or "")


def _binding_pairs(seeds: Iterable[int]) -> Iterator[Pair]:
    from codehazard.tasks.suites import get_suite

    suite = get_suite("variable-binding")
    operations = tuple(range(0, BINDING_MAX_OPERATIONS + 1))
    for seed in seeds:
        for task in suite.build(seed=seed, operations=operations):
            yield Pair("variable-binding", task.prompt, task.canonical_solution or "")


def held_out_texts() -> tuple[set[str], set[str]]:
    """What evaluation shows a model: every prompt of the evaluated suites' default builds
    (seed 0), and every step line of those building-blocks prompts (the paper's wording)."""
    from codehazard.tasks.suites import get_suite

    prompts: set[str] = set()
    for name in ("building-blocks", "variable-binding"):
        prompts.update(task.prompt for task in get_suite(name).build(seed=0))
    lines = {
        match.group(3)
        for task in get_suite("building-blocks").build(seed=0)
        for line in task.prompt.splitlines()
        if (match := _STEP.match(line))
    }
    return prompts, lines


def build_corpus(
    *, seed: int, block_seeds: int, rewordings: int, binding_seeds: int, functions: int
) -> list[Pair]:
    """The whole training corpus, shuffled by ``seed``, with held-out prompts removed and
    exact duplicates dropped (a rewording may repeat)."""
    seeds = list(TRAIN_SEEDS)
    pairs = list(_block_pairs(seeds[:block_seeds], per_length=40, rewordings=rewordings))
    pairs += list(_binding_pairs(seeds[:binding_seeds]))
    pairs += list(function_pairs(random.Random(f"tiny/functions/{seed}"), functions))
    prompts, lines = held_out_texts()
    seen: set[str] = set()
    kept = []
    for pair in pairs:
        if pair.prompt in seen or pair.prompt in prompts:
            continue
        if any(line in pair.prompt for line in lines):
            continue
        seen.add(pair.prompt)
        kept.append(pair)
    random.Random(f"tiny/shuffle/{seed}").shuffle(kept)
    return kept
