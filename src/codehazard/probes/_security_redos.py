"""Which regular expressions backtrack exponentially (CWE-1333), read from their parse tree.

Python's ``re`` backtracks: a repetition whose body can match the same text in more than one
way (``(a+)+``, ``(\\w+\\s?)*``, ``(.*,)*``, ``(\\w+|\\d+)+``) tries exponentially many splits
on an input that almost matches. The test here is structural and conservative: a repetition
(unbounded, or bounded above 10) over a body that holds an inner repetition of a character set
``S`` while every other required element of the body can match some character of ``S`` (so
consecutive iterations can trade characters), over a body whose optional part a required
part can stand in for (``(\\d\\d?)+``, which is also how ``(\\d|\\d\\d)+`` parses), or
over an alternation with two identical branches (``(a|a)+``). ``(\\d+,)*`` and
``([a-z]+\\.)+`` are safe: the separator cannot be taken by the inner repetition.
Polynomial cases (``\\d+\\d+x``) are not reported. Characters are compared on a sample
alphabet plus the pattern's own literals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_SAMPLE = "aZz09_ \t\n.,-@/:;<>'\"é!#$%&*+=?^`|~()[]{}\\"
_BIG = 10
Chars = frozenset[str]


def catastrophic(pattern: str) -> bool:
    """Whether ``pattern`` has exponential backtracking; ``False`` for one that does not
    compile (that is the program's bug, not this weakness)."""
    try:
        tree = _parser.parse(pattern)
    except Exception:  # re.error, RecursionError, OverflowError on hostile patterns
        return False
    alphabet = frozenset(_SAMPLE) | _literals(tree)
    try:
        return any(_ambiguous_repeat(av, alphabet) for av in _repeats(tree))
    except RecursionError:
        return False


def _literals(tree: Any) -> Chars:
    out: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        for op, av in node:
            if op is c.LITERAL or op is c.NOT_LITERAL:
                out.add(chr(av))
            elif op is c.IN:
                out.update(chr(v) for o, v in av if o is c.LITERAL)
            stack.extend(_children(op, av))
    return frozenset(out)


def _children(op: Any, av: Any) -> list[Any]:
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return [av[2]]
    if op is c.SUBPATTERN:
        return [av[3]]
    if op is c.BRANCH:
        return list(av[1])
    if op in (c.ASSERT, c.ASSERT_NOT):
        return [av[1]]
    if op is c.ATOMIC_GROUP:
        return [av]
    return []


def _repeats(tree: Any) -> list[Any]:
    """Every greedy or lazy repetition with a large upper bound (possessive ones and atomic
    groups cannot backtrack into themselves)."""
    found: list[Any] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        for op, av in node:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and (av[1] is c.MAXREPEAT or av[1] > _BIG):
                found.append(av)
            if op is not c.ATOMIC_GROUP and op is not c.POSSESSIVE_REPEAT:
                stack.extend(_children(op, av))
    return found


def _charset(op: Any, av: Any, alphabet: Chars) -> Chars | None:
    """The characters a one-character element matches (``None``: not one character)."""
    if op is c.LITERAL:
        return frozenset({chr(av)})
    if op is c.NOT_LITERAL:
        return alphabet - {chr(av)}
    if op is c.ANY:
        return alphabet - {"\n"}
    if op is c.IN:
        chars: set[str] = set()
        negate = False
        for o, v in av:
            if o is c.NEGATE:
                negate = True
            elif o is c.LITERAL:
                chars.add(chr(v))
            elif o is c.RANGE:
                chars.update(ch for ch in alphabet if v[0] <= ord(ch) <= v[1])
            elif o is c.CATEGORY:
                chars.update(_category(v, alphabet))
        return alphabet - chars if negate else frozenset(chars)
    if op is c.CATEGORY:
        return _category(av, alphabet)
    return None


def _category(name: Any, alphabet: Chars) -> Chars:
    tests = {
        c.CATEGORY_DIGIT: str.isdigit,
        c.CATEGORY_SPACE: str.isspace,
        c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    }
    opposite = {
        c.CATEGORY_NOT_DIGIT: c.CATEGORY_DIGIT,
        c.CATEGORY_NOT_SPACE: c.CATEGORY_SPACE,
        c.CATEGORY_NOT_WORD: c.CATEGORY_WORD,
    }
    if name in tests:
        return frozenset(ch for ch in alphabet if tests[name](ch))
    if name in opposite:
        return alphabet - _category(opposite[name], alphabet)
    return frozenset()


def _all_chars(tree: Any, alphabet: Chars) -> Chars:
    out: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        for op, av in node:
            chars = _charset(op, av, alphabet)
            if chars is not None:
                out.update(chars)
            stack.extend(_children(op, av))
    return frozenset(out)


@dataclass
class _Body:
    """What one iteration of a repetition holds: inner repetitions, required and optional
    elements (each as the characters it matches), and whether an alternation in it has two
    identical branches (``(a|a)`` parses as ``a(|)``)."""

    repeated: list[Chars] = field(default_factory=list)
    required: list[Chars] = field(default_factory=list)
    optional: list[Chars] = field(default_factory=list)
    twin_branches: bool = False


def _elements(body: Any, alphabet: Chars, out: _Body | None = None) -> _Body:
    out = out if out is not None else _Body()
    for op, av in body:
        if op is c.SUBPATTERN:
            _elements(av[3], alphabet, out)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            chars = _all_chars(av[2], alphabet)
            if av[1] is c.MAXREPEAT or av[1] > 1:
                out.repeated.append(chars)
            elif av[0] >= 1:
                out.required.append(chars)
            else:
                out.optional.append(chars)
        elif op is c.BRANCH:
            _branch(av[1], alphabet, out)
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        else:
            chars = _charset(op, av, alphabet)
            out.required.append(chars if chars is not None else frozenset({"\x00unknown"}))
    return out


def _branch(branches: list[Any], alphabet: Chars, out: _Body) -> None:
    chars = _all_chars(branches_tree(branches), alphabet)
    if any(repr(a) == repr(b) for i, a in enumerate(branches) for b in branches[i + 1 :]):
        out.twin_branches = True
    if any(_repeats(b) or _unbounded_inside(b) for b in branches):
        out.repeated.append(chars)
    elif all(len(b) for b in branches):
        out.required.append(chars)
    else:
        out.optional.append(chars)


def branches_tree(branches: list[Any]) -> list[Any]:
    """Alternatives as one flat element list (for the characters they hold)."""
    return [item for branch in branches for item in branch]


def _unbounded_inside(tree: Any) -> bool:
    for op, av in tree:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and (av[1] is c.MAXREPEAT or av[1] > 1):
            return True
        if op is c.SUBPATTERN and _unbounded_inside(av[3]):
            return True
    return False


def _ambiguous_repeat(av: Any, alphabet: Chars) -> bool:
    body = av[2]
    parts = _elements(body, alphabet)
    if parts.twin_branches:
        return True
    for index, chars in enumerate(parts.repeated):
        others = parts.required + [r for i, r in enumerate(parts.repeated) if i != index]
        if chars and all(other & chars for other in others):
            return True
    if not parts.repeated and parts.required:
        # (\d\d?)+: an optional element that a required one can stand in for
        if any(all(opt & req for req in parts.required) for opt in parts.optional):
            return True
    return _overlapping_branches(body, alphabet)


def _overlapping_branches(body: Any, alphabet: Chars) -> bool:
    items = list(body)
    while len(items) == 1 and items[0][0] is c.SUBPATTERN:
        items = list(items[0][1][3])
    if len(items) != 1 or items[0][0] is not c.BRANCH:
        return False
    sequences = []
    for branch in items[0][1][1]:
        sets = [_charset(op, av, alphabet) for op, av in branch]
        if sets and all(s is not None for s in sets):
            sequences.append(sets)
    for i, first in enumerate(sequences):
        for second in sequences[i + 1 :]:
            short, long = sorted((first, second), key=len)
            if all(long[k] & short[k % len(short)] for k in range(len(long))):
                return True
    return False
