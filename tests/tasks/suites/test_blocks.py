"""The thirteen building blocks: the paper's lines, independent re-implementations, mutants."""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from codehazard.tasks.suites._blocks import BLOCKS, BLOCKS_BY_KEY, compile_line
from codehazard.tasks.suites._building_blocks import EDGE_INPUTS, random_text

# DOMAIN.md section 2, copied: (number, docstring line, reference line).
PAPER_TABLE = [
    (1, "remove all instances of the letter e from the string", 's = s.replace("e", "")'),
    (2, "replace all spaces with exclamation points in the string", 's = s.replace(" ", "!")'),
    (3, "convert the string s to lowercase", "s = s.lower()"),
    (4, "remove the first and last two characters of the string", "s = s[2:-2]"),
    (
        5,
        "removes all vowels from the string",
        's = "".join(c for c in s if c not in "aeiouAEIOU")',
    ),
    (
        6,
        "remove every third character from the string",
        's = "".join(c for i, c in enumerate(s) if i % 3 != 0)',
    ),
    (7, "drop the last half of the string, as computed by characters", "s = s[: len(s) // 2]"),
    (8, "replace spaces with triple spaces", 's = s.replace(" ", "   ")'),
    (9, "reverse the order of words in the string", 's = " ".join(s.split()[::-1])'),
    (
        10,
        "drop the first half of the string, as computed by number of words",
        's = " ".join(s.split()[len(s.split()) // 2 :])',
    ),
    (
        11,
        "add the word apples after every word in the string",
        's = " ".join(w + " apples" for w in s.split())',
    ),
    (
        12,
        "make every other character in the string uppercase",
        's = "".join(c.upper() if i % 2 == 0 else c for i, c in enumerate(s))',
    ),
    (
        13,
        "delete all exclamation points, question marks, and periods from the string",
        's = "".join(c for c in s if c not in ".!?")',
    ),
]


def _drop_every_third(s: str) -> str:
    return "".join(s[i] for i in range(len(s)) if i not in range(0, len(s), 3))


def _alternate_upper(s: str) -> str:
    chars = list(s)
    for i in range(0, len(chars), 2):
        chars[i] = chars[i].upper()
    return "".join(chars)


def _drop_first_half_words(s: str) -> str:
    words = s.split()
    return " ".join(words[len(words) // 2 :])


# Independent readings of each step, written without looking at the reference lines' form.
INDEPENDENT: dict[str, Callable[[str], str]] = {
    "remove_e": lambda s: "".join(c for c in s if c != "e"),
    "spaces_to_bang": lambda s: "".join("!" if c == " " else c for c in s),
    "lowercase": str.lower,
    "trim_two": lambda s: s[2 : len(s) - 2] if len(s) > 4 else "",
    "remove_vowels": lambda s: "".join(c for c in s if c.lower() not in {"a", "e", "i", "o", "u"}),
    "drop_every_third": _drop_every_third,
    "drop_last_half": lambda s: s[: len(s) - (len(s) - len(s) // 2)],
    "triple_spaces": lambda s: "".join("   " if c == " " else c for c in s),
    "reverse_words": lambda s: " ".join(reversed(s.split())),
    "drop_first_half_words": _drop_first_half_words,
    "add_apples": lambda s: " ".join(f"{w} apples" for w in s.split()),
    "alternate_upper": _alternate_upper,
    "strip_punctuation": lambda s: s.translate(str.maketrans("", "", ".!?")),
}

TEXT = st.text(alphabet="aeEiouyAUYbcdx .,!?", max_size=40)


def test_blocks_are_the_papers_table() -> None:
    assert [(b.number, b.doc, b.code) for b in BLOCKS] == PAPER_TABLE
    assert len(BLOCKS_BY_KEY) == 13
    assert set(INDEPENDENT) == set(BLOCKS_BY_KEY)


@given(TEXT)
def test_each_block_agrees_with_an_independent_implementation(s: str) -> None:
    for block in BLOCKS:
        assert block.fn(s) == INDEPENDENT[block.key](s), block.key


def test_compiled_lines_run_the_code_shown() -> None:
    step = compile_line('s = s + "!"')
    assert step("a") == "a!"


def _probe() -> list[str]:
    rng = random.Random("blocks-probe")
    return list(EDGE_INPUTS) + [random_text(rng) for _ in range(300)]


def test_every_mutant_differs_from_its_block_and_from_the_others() -> None:
    probe = _probe()
    for block in BLOCKS:
        reference = [block.fn(s) for s in probe]
        seen = [reference]
        assert len(block.mutants) >= 3, block.key
        for mutant in block.mutants:
            outputs = [mutant.fn(s) for s in probe]
            assert outputs not in seen, f"{block.key}: {mutant.label} is not a distinct mutant"
            seen.append(outputs)


# Docstring lines with a second defensible reading that the paper's reference does not take.
ALTERNATIVE_READINGS = {
    ("trim_two", "s = s[1:-2]"),  # "the first [one] and [the] last two characters"
    ("drop_every_third", 's = "".join(c for i, c in enumerate(s) if i % 3 != 2)'),  # from 1
    ("drop_last_half", "s = s[: (len(s) + 1) // 2]"),  # odd length: the smaller half dropped
    ("drop_first_half_words", 's = " ".join(s.split()[(len(s.split()) + 1) // 2 :])'),
    ("reverse_words", 's = " ".join(s.split(" ")[::-1])'),  # words between single spaces
    ("add_apples", r's = __import__("re").sub(r"(\S+)", r"\1 apples", s)'),  # spacing kept
    ("alternate_upper", 's = "".join(c.upper() if i % 2 == 1 else c for i, c in enumerate(s))'),
}


def test_alternative_readings_are_tagged() -> None:
    tagged = {(b.key, m.code) for b in BLOCKS for m in b.mutants if m.kind != "misapplied"}
    assert tagged == ALTERNATIVE_READINGS
    assert {m.kind for b in BLOCKS for m in b.mutants} == {"misapplied", "alternative-reading"}
    apples = BLOCKS_BY_KEY["add_apples"].mutants[-1]
    assert apples.fn(" a  b. ") == " a apples  b. apples "


def test_random_text_exercises_every_block() -> None:
    texts = [random_text(random.Random(i)) for i in range(300)]
    joined = "".join(texts)
    for needle in ("  ", "   ", "e", "E", "y", "Y", "A", ".", "!", "?", ","):
        assert needle in joined, needle
    assert any(t.startswith(" ") for t in texts)
    assert any(t.endswith(" ") for t in texts)
    assert any(len(t.split()) >= 5 for t in texts)
    assert sorted({len(s) for s in EDGE_INPUTS} & {0, 1, 2, 3, 4}) == [0, 1, 2, 3, 4]
