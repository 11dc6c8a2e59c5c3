"""Problems in user files, reported all at once with file, line, hazard id and field.

Why: a hazard log is written by hand and often by several people; fixing one error per run is a
poor loop. Every check appends a ``Problem`` instead of raising, and the loader raises once with
the whole list. YAML is composed first so that every field path can be mapped back to its line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from codehazard.errors import InputError

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (file, line, hazard id, field) and what."""

    source: str
    message: str
    field: str = ""
    hazard: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        parts = [where]
        if self.hazard:
            parts.append(f"hazard {self.hazard}")
        if self.field:
            parts.append(f"field {self.field}")
        return ": ".join([*parts, self.message])


class HazardInputError(InputError):
    """A hazard log, profile or assessment file is invalid; ``problems`` lists every problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else None
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''}" + (
            f" in {first.source}" if first else ""
        )
        super().__init__(head + ": " + "; ".join(str(p) for p in self.problems))


def format_loc(loc: Loc) -> str:
    """``("evidence", 0, "metric")`` as ``evidence[0].metric``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class LineMap:
    """Line numbers (1-based) of the nodes of a YAML document, by path."""

    def __init__(self) -> None:
        self._lines: dict[Loc, int] = {}

    def add(self, loc: Loc, line: int) -> None:
        """Remember the line of the node at ``loc``."""
        self._lines.setdefault(loc, line)

    def line(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its closest ancestor the document has."""
        path: list[str | int] = []
        best = self._lines.get(())
        for part in loc:
            candidates = [part, str(part)] if isinstance(part, int) else [part]
            for cand in candidates:
                if (*path, cand) in self._lines:
                    path.append(cand)
                    best = self._lines[tuple(path)]
                    break
            else:
                break
        return best


def _walk(node: yaml.Node, loc: Loc, lines: LineMap, dups: list[tuple[Loc, int]]) -> None:
    lines.add(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dups.append(((*loc, key), key_node.start_mark.line + 1))
            seen.add(key)
            lines.add((*loc, key), key_node.start_mark.line + 1)
            _walk(value_node, (*loc, key), lines, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), lines, dups)


def load_yaml(text: str, source: str) -> tuple[Any, LineMap, list[Problem]]:
    """Parse YAML safely, with the line of every node and problems for duplicate keys.

    Never raises: malformed YAML becomes one problem carrying the line the parser stopped at.
    """
    lines = LineMap()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        return None, lines, [Problem(source, f"not valid YAML: {what}", line=line)]
    problems: list[Problem] = []
    if node is not None:
        dups: list[tuple[Loc, int]] = []
        _walk(node, (), lines, dups)
        problems += [
            Problem(
                source,
                "key appears twice; the later one would silently win",
                format_loc(loc),
                line=line,
            )
            for loc, line in dups
        ]
    return data, lines, problems


def problems_from_validation(
    exc: ValidationError,
    source: str,
    lines: LineMap,
    *,
    prefix: Loc = (),
    hazard: str | None = None,
) -> list[Problem]:
    """One ``Problem`` per pydantic error, naming the field and its line."""
    out = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        elif err["type"] == "missing":
            message = "required field is missing"
        out.append(
            Problem(
                source,
                message,
                format_loc(loc),
                hazard=hazard,
                line=lines.line((*prefix, *loc)),
            )
        )
    return out
