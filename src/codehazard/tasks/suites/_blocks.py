"""The thirteen string-manipulation building blocks of the Codex paper (Chen et al. 2021, App. C).

Each block is one docstring line and one line of reference code, as listed in ``DOMAIN.md``
section 2 (the paper's facts). The function that computes a block's expected values is compiled
from that very line, so the code shown to models and the values our tests expect cannot drift
apart. (The lines are our own constants: trusted code, compiled once at import.)

The wrong implementations (mutants) are ours: plausible misreadings of each line (off-by-one
slices, the wrong vowel set, uppercasing instead of lowercasing, ...), each also one line of
code. They serve three purposes: every generated task's tests must reject them; failure
localisation recognises a sample that behaves like one as a *misapplied* step; and test code can
build wrong programs from them.

Some docstring lines admit a second defensible reading that the paper's reference line does not
take ("the first and last two characters" as the first one and the last two; "every third
character" counted from 1; which half is "the last half" of an odd length; words split on single
spaces; whitespace kept as it was; "every other character" starting at the second). Those
mutants are kind ``alternative-reading``: the tests still reject them (the paper's reference
decides), but localisation reports them apart, since the wording, not the model, is at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

StrFn = Callable[[str], str]


def compile_line(code: str) -> StrFn:
    """A function ``s -> s`` that runs one trusted line of block code (``s = ...``) on ``s``.

    Raises:
        SyntaxError: the line is not valid Python (a bug in our constants).
    """
    namespace: dict[str, object] = {}
    exec(f"def step(s):\n    {code}\n    return s\n", namespace)  # our own constants only
    fn = namespace["step"]
    assert callable(fn)
    return fn  # type: ignore[return-value]


MutantKind = Literal["misapplied", "alternative-reading"]


@dataclass(frozen=True)
class Mutant:
    """A wrong implementation of a block: a short label, its line of code, and whether it is a
    plain misreading or another defensible reading of the docstring line."""

    label: str
    code: str
    kind: MutantKind = "misapplied"
    fn: StrFn = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fn", compile_line(self.code))


@dataclass(frozen=True)
class Block:
    """One building block: its number in the paper's list, a key, its docstring line and code."""

    number: int
    key: str
    doc: str
    code: str
    mutants: tuple[Mutant, ...]
    fn: StrFn = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fn", compile_line(self.code))


ALT: MutantKind = "alternative-reading"
_EVERY_OTHER = 's = "".join(c.{} if i % 2 == {} else c for i, c in enumerate(s))'
_KEEP = 's = "".join(c for c in s if c not in "{}")'
_POSITIONS = 's = "".join(c for i, c in enumerate(s) if i % {} {} {})'

BLOCKS: tuple[Block, ...] = (
    Block(
        1,
        "remove_e",
        "remove all instances of the letter e from the string",
        's = s.replace("e", "")',
        (
            Mutant("also removing E", 's = s.replace("e", "").replace("E", "")'),
            Mutant("removing only the first e", 's = s.replace("e", "", 1)'),
            Mutant("removing E instead of e", 's = s.replace("E", "")'),
        ),
    ),
    Block(
        2,
        "spaces_to_bang",
        "replace all spaces with exclamation points in the string",
        's = s.replace(" ", "!")',
        (
            Mutant("replacing only the first space", 's = s.replace(" ", "!", 1)'),
            Mutant("replacing each run of spaces once", 's = "!".join(s.split())'),
            Mutant("with question marks", 's = s.replace(" ", "?")'),
        ),
    ),
    Block(
        3,
        "lowercase",
        "convert the string s to lowercase",
        "s = s.lower()",
        (
            Mutant("uppercasing instead", "s = s.upper()"),
            Mutant("swapping case instead", "s = s.swapcase()"),
            Mutant("lowercasing only the first character", "s = s[:1].lower() + s[1:]"),
        ),
    ),
    Block(
        4,
        "trim_two",
        "remove the first and last two characters of the string",
        "s = s[2:-2]",
        (
            Mutant("as s[1:-1]", "s = s[1:-1]"),
            Mutant("as s[2:-1]", "s = s[2:-1]"),
            Mutant("as s[1:-2] (the first one and the last two)", "s = s[1:-2]", ALT),
            Mutant("keeping the end (s[2:])", "s = s[2:]"),
        ),
    ),
    Block(
        5,
        "remove_vowels",
        "removes all vowels from the string",
        _KEEP.format("aeiouAEIOU"),
        (
            Mutant("with lowercase vowels only", _KEEP.format("aeiou")),
            Mutant("counting y as a vowel", _KEEP.format("aeiouyAEIOUY")),
            Mutant("with uppercase vowels only", _KEEP.format("AEIOU")),
        ),
    ),
    Block(
        6,
        "drop_every_third",
        "remove every third character from the string",
        _POSITIONS.format(3, "!=", 0),
        (
            Mutant(
                "counting from 1 (dropping positions 2, 5, 8, ...)",
                _POSITIONS.format(3, "!=", 2),
                ALT,
            ),
            Mutant("keeping only every third character", _POSITIONS.format(3, "==", 0)),
            Mutant("dropping every second character", _POSITIONS.format(2, "!=", 0)),
        ),
    ),
    Block(
        7,
        "drop_last_half",
        "drop the last half of the string, as computed by characters",
        "s = s[: len(s) // 2]",
        (
            Mutant("keeping the last half instead", "s = s[len(s) // 2 :]"),
            Mutant("rounding the kept half up", "s = s[: (len(s) + 1) // 2]", ALT),
            Mutant("keeping one character too many", "s = s[: len(s) // 2 + 1]"),
        ),
    ),
    Block(
        8,
        "triple_spaces",
        "replace spaces with triple spaces",
        's = s.replace(" ", "   ")',
        (
            Mutant("with double spaces", 's = s.replace(" ", "  ")'),
            Mutant("collapsing runs of spaces first", 's = "   ".join(s.split())'),
            Mutant("replacing only the first space", 's = s.replace(" ", "   ", 1)'),
        ),
    ),
    Block(
        9,
        "reverse_words",
        "reverse the order of words in the string",
        's = " ".join(s.split()[::-1])',
        (
            Mutant("reversing the characters", "s = s[::-1]"),
            Mutant("splitting on single spaces", 's = " ".join(s.split(" ")[::-1])', ALT),
            Mutant("reversing each word instead", 's = " ".join(w[::-1] for w in s.split())'),
        ),
    ),
    Block(
        10,
        "drop_first_half_words",
        "drop the first half of the string, as computed by number of words",
        's = " ".join(s.split()[len(s.split()) // 2 :])',
        (
            Mutant(
                "keeping the first half instead",
                's = " ".join(s.split()[: len(s.split()) // 2])',
            ),
            Mutant(
                "rounding the dropped half up",
                's = " ".join(s.split()[(len(s.split()) + 1) // 2 :])',
                ALT,
            ),
            Mutant("counting characters instead of words", "s = s[len(s) // 2 :]"),
        ),
    ),
    Block(
        11,
        "add_apples",
        "add the word apples after every word in the string",
        's = " ".join(w + " apples" for w in s.split())',
        (
            Mutant("before every word", 's = " ".join("apples " + w for w in s.split())'),
            Mutant("singular apple", 's = " ".join(w + " apple" for w in s.split())'),
            Mutant("only after the last word", 's = s + " apples"'),
            Mutant(
                "keeping the original whitespace",
                r's = __import__("re").sub(r"(\S+)", r"\1 apples", s)',
                ALT,
            ),
        ),
    ),
    Block(
        12,
        "alternate_upper",
        "make every other character in the string uppercase",
        _EVERY_OTHER.format("upper()", 0),
        (
            Mutant("at odd positions", _EVERY_OTHER.format("upper()", 1), ALT),
            Mutant("lowercasing instead of uppercasing", _EVERY_OTHER.format("lower()", 0)),
            Mutant("uppercasing everything", "s = s.upper()"),
        ),
    ),
    Block(
        13,
        "strip_punctuation",
        "delete all exclamation points, question marks, and periods from the string",
        _KEEP.format(".!?"),
        (
            Mutant("keeping periods", _KEEP.format("!?")),
            Mutant("also deleting commas", _KEEP.format(".,!?")),
            Mutant("only at the ends", 's = s.strip(".!?")'),
        ),
    ),
)

BLOCKS_BY_KEY: dict[str, Block] = {b.key: b for b in BLOCKS}
