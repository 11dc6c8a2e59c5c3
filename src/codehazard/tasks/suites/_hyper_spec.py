"""What a ``hyperproperties`` template makes: one function's specification, reference, wrong
versions and the pairs of runs that differ only in the secret."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

Pair = tuple[list[Any], Any, Any]
"""The public arguments (the secret's position holds ``None``) and the secret's two values."""


@dataclass(frozen=True)
class Mutant:
    """A plausible wrong body: ``kind`` is the leak it makes (``leak-work``, ``leak-output``,
    ``leak-exception``, ``leak-count``, ``leak-order``) or ``contract`` for a plain mistake."""

    kind: str
    detail: str
    body: str


@dataclass
class Spec:
    """One task: ``fn(params)`` documented by ``doc``, the reference ``body`` and its mutants.

    ``secret`` names the parameter that differs within a pair (always the first); ``served``:
    it is handed over as a served proxy and the work of reading it is observed; ``numbers``:
    the leak channel a difference in numbers is named (``count`` or ``output``).
    """

    fn: str
    params: list[str]
    doc: str
    body: str
    pairs: list[Pair]
    served: bool
    mutants: list[Mutant] = field(default_factory=list)
    numbers: str = "count"
    size: int = 0
    """The secret's largest size over the pairs (characters, values or records)."""

    def header(self) -> str:
        return f"def {self.fn}({', '.join(self.params)}):\n"

    def source(self, body: str | None = None) -> str:
        return self.header() + self.docstring() + (self.body if body is None else body)

    def docstring(self) -> str:
        lines = [w for line in self.doc.splitlines() for w in textwrap.wrap(line, 88) or [""]]
        inner = "\n".join(f"    {line}" if line else "" for line in lines)
        return f'    """{inner.lstrip()}\n    """\n'


def subst(text: str, names: dict[str, str]) -> str:
    """``text`` with each placeholder (an upper-case word) replaced by its name."""
    for key in sorted(names, key=len, reverse=True):
        text = text.replace(key, names[key])
    return text
