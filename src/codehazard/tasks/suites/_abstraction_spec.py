"""The ``abstraction`` suite's template vocabulary: a capability specified at one level.

A template's ``make(level, rng)`` returns a ``Spec``: the entry point, the specification text
written at that level, the reference code, its mutants and its *readings*, and the inputs (a
function's argument lists, or a class's call sequences). Mutants and readings are ``Edit``s of
the reference code (each replacement must apply, so a template cannot silently lose one).

Readings are the other competent interpretations of an under-specified requirement (L2-L4): a
touching pair of meetings merged or not, ties broken one way or another. ``agreed_calls`` and
``agreed_sequences`` keep only the inputs (sequence prefixes) on which the reference and every
reading give the same answers, so a task never tests what its requirement leaves open: what
is tested is what every reading we know of implies. The tests of the suite judge every reading
in the sandbox too, and each must pass.
"""

from __future__ import annotations

import copy
import functools
import random
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from codehazard.errors import InputError

Steps = list[tuple[str, list[Any]]]
Form = Literal["function", "class", "module"]


@dataclass(frozen=True)
class Edit:
    """A change of the reference code: ``changes`` are ``(old, new)`` replacements, each of
    which must occur in the code."""

    kind: str
    detail: str
    changes: tuple[tuple[str, str], ...]


@dataclass
class Spec:
    """One capability at one level (see the module docstring).

    ``form`` says what the entry point is: a ``function`` (``header`` is its ``def`` line and
    ``body`` its statements), a ``class`` (``header`` its ``class`` line, ``body`` its
    methods) or a ``module`` (the whole program is ``body``; the entry point is a class in it).
    ``check``, for a requirement whose answers legitimately vary (any valid order), is the
    source of ``_ok(args, answer)``, the property every correct answer has; else answers are
    compared with the reference's.
    """

    entry: str
    form: Form
    header: str | None
    doc: str
    body: str
    mutants: list[Edit]
    readings: list[Edit] = field(default_factory=list)
    calls: list[list[Any]] = field(default_factory=list)
    init: list[Any] = field(default_factory=list)
    sequences: list[Steps] = field(default_factory=list)
    check: str | None = None
    components: int = 1

    def code(self, edit: Edit | None = None) -> str:
        """The body (the canonical solution) as rendered after the prompt, edited by ``edit``.

        Raises:
            InputError: a replacement of ``edit`` does not occur in the body (a template bug).
        """
        body = textwrap.dedent(self.body).strip("\n") + "\n"
        for old, new in edit.changes if edit is not None else ():
            if old not in body:
                raise InputError(f"{self.entry}: edit {edit.kind!r} does not apply ({old!r})")
            body = body.replace(old, new)
        if self.form == "module":
            return body
        return textwrap.indent(body, "    ", lambda line: bool(line.strip()))

    def prompt(self) -> str:
        """The completion form: the header and the specification as its docstring."""
        lines = _wrapped(self.doc, 88)
        if self.header is None:
            return '"""' + "\n".join(lines).rstrip() + '\n"""\n\n'
        text = "\n".join(f"    {line}" if line else "" for line in lines)
        return f'{self.header}\n    """{text.lstrip()}\n    """\n'


def _wrapped(doc: str, width: int) -> list[str]:
    """The specification's lines wrapped to ``width``; a bullet's continuation is indented."""
    out: list[str] = []
    for line in doc.splitlines():
        follow = "  " if line.startswith(("- ", "  ")) else ""
        out.extend(textwrap.wrap(line, width, subsequent_indent=follow) or [""])
    return out


def pick(rng: random.Random, names: Sequence[str]) -> str:
    """A seeded choice."""
    return names[rng.randrange(len(names))]


def plain(value: Any) -> Any:
    """Tuples as lists, recursively: how answers are compared where a requirement does not say
    which of the two a result is (the ``sequence`` kind compares so too)."""
    if type(value) in (list, tuple):
        return [plain(v) for v in value]
    if type(value) is dict:
        return {k: plain(v) for k, v in value.items()}
    return value


def load(spec: Spec, edit: Edit | None = None) -> Any:
    """The entry point of the reference program (or of an edited one), executed here.

    Only the suite's own trusted template code is executed, when a task is built; a program
    is compiled once per process (its entry point keeps no state of its own: objects do).
    """
    return _entry(spec.prompt() + spec.code(edit), spec.entry)


@functools.lru_cache(maxsize=512)
def _entry(program: str, name: str) -> Any:
    namespace: dict[str, Any] = {"__name__": "__abstraction__"}
    exec(compile(program, name, "exec"), namespace)
    return namespace[name]


def _answer(fn: Any, args: list[Any]) -> Any:
    try:
        return ["ok", plain(fn(*copy.deepcopy(args)))]
    except Exception as exc:
        return ["raise", type(exc).__name__]


def answers(spec: Spec, edit: Edit | None = None) -> list[Any]:
    """The answers of the reference (or an edited program) on the spec's calls."""
    fn = load(spec, edit)
    return [_answer(fn, args) for args in spec.calls]


def trace(spec: Spec, steps: Steps, edit: Edit | None = None) -> list[Any]:
    """The answers of one call sequence on a fresh object (the first raise ends it)."""
    cls = load(spec, edit)
    try:
        obj = cls(*copy.deepcopy(spec.init))
    except Exception as exc:
        return [["raise", type(exc).__name__]]
    out = []
    for name, args in steps:
        out.append(_answer(getattr(obj, name), args))
        if out[-1][0] == "raise":
            break
    return out


def agreed_calls(spec: Spec) -> list[list[Any]]:
    """The calls on which the reference answers and every reading agrees with it."""
    reference = answers(spec)
    others = [answers(spec, r) for r in spec.readings]
    keep = []
    seen: set[str] = set()
    for index, args in enumerate(spec.calls):
        want = reference[index]
        text = repr(args)
        if want[0] == "ok" and all(o[index] == want for o in others) and text not in seen:
            seen.add(text)
            keep.append(args)
    return keep


def valid_calls(spec: Spec) -> list[list[Any]]:
    """For a requirement with a stated property (``spec.check``): the calls on which the
    reference and every reading answer with an answer that has it."""
    namespace: dict[str, Any] = {}
    exec(compile(spec.check or "", "<check>", "exec"), namespace)
    ok = namespace["_ok"]
    programs = [answers(spec), *(answers(spec, r) for r in spec.readings)]
    keep = []
    for index, args in enumerate(spec.calls):
        got = [p[index] for p in programs]
        if all(g[0] == "ok" and ok(copy.deepcopy(args), g[1]) for g in got):
            keep.append(args)
    return keep


def agreed_sequences(spec: Spec) -> list[Steps]:
    """Each sequence cut before the first call where a reading answers otherwise than the
    reference (or the reference raises); empty and repeated ones dropped."""
    out: list[Steps] = []
    seen: set[str] = set()
    for steps in spec.sequences:
        want = trace(spec, steps)
        cut = len(steps)
        for reading in spec.readings:
            got = trace(spec, steps, reading)
            cut = min(
                cut,
                next((i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b), cut),
            )
        cut = min(cut, next((i for i, a in enumerate(want) if a[0] != "ok"), cut))
        kept = [(name, list(args)) for name, args in steps[:cut]]
        if kept and repr(kept) not in seen:
            seen.add(repr(kept))
            out.append(kept)
    return out


def random_steps(
    rng: random.Random, choices: Sequence[tuple[str, Sequence[list[Any]]]], low: int, high: int
) -> Steps:
    """``low`` to ``high`` calls, each method and its arguments drawn from ``choices``."""
    out: Steps = []
    for _ in range(rng.randint(low, high)):
        name, arg_lists = choices[rng.randrange(len(choices))]
        out.append((name, list(arg_lists[rng.randrange(len(arg_lists))])))
    return out


def lines(rng: random.Random, make: Any, count: int, low: int, high: int) -> list[Steps]:
    """``count`` sequences of ``handle`` calls, each of ``low`` to ``high`` lines from
    ``make(rng, step)`` (a system's session: one line of input per call)."""
    return [
        [("handle", [make(rng, step)]) for step in range(rng.randint(low, high))]
        for _ in range(count)
    ]
