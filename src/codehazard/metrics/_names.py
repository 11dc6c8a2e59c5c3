"""Metric names: one grammar for every number an evidence rule can cite.

A hazard log names its evidence by text (``suite.humaneval.pass@1{level>=5}``), so the grammar is
the contract between the people writing logs and the suites and probes that produce numbers.
Parsing is strict and the errors say what was expected: a typo in a log must fail validation, not
silently select nothing.

Grammar (whitespace is allowed only inside the braces)::

    metric    := base [ "{" selector { "," selector } "}" ]
    base      := namespace "." source "." statistic
    namespace := word                      # "suite", "probe"; the registered families decide
    source    := word | "*"                # a suite or probe name; "*" means every one
    statistic := word { "." word }         # "pass@1", "rate.timeout", "insecure_rate"
    word      := [A-Za-z0-9_@-]+
    selector  := key op value              # a condition on the task's metadata
    key       := [A-Za-z_][A-Za-z0-9_]*
    op        := ">=" | "<=" | "!=" | "==" | "=" | ">" | "<"
    value     := number | true | false | "quoted string" | 'quoted string' | bare-word
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from codehazard.errors import InputError, UnknownNameError

Operator = Literal[">=", "<=", "!=", "==", "=", ">", "<"]
OPERATORS: tuple[str, ...] = get_args(Operator)
SelectorValue = int | float | bool | str

_WORD = r"[A-Za-z0-9_@\-]+"
_BASE = re.compile(rf"^(?P<ns>{_WORD})\.(?P<src>\*|{_WORD})\.(?P<stat>{_WORD}(?:\.{_WORD})*)$")
_SELECTOR = re.compile(
    r"^\s*(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|!=|==|=|>|<)\s*(?P<value>.*?)\s*$"
)
_BARE = re.compile(r"^[A-Za-z0-9_.\-]+$")
_GRAMMAR_HINT = (
    "expected <namespace>.<name>.<statistic>[{key op value, ...}], "
    "e.g. suite.humaneval.pass@1 or suite.building-blocks.rate.failed{components>=3}"
)


class MetricNameError(InputError):
    """A metric name does not follow the grammar, or no registered family defines it."""


class UnknownMetricError(MetricNameError, UnknownNameError):
    """No registered family's pattern matches a metric name; the message lists the known ones.

    Both a ``MetricNameError`` (what hazard-log validation catches) and an ``UnknownNameError``
    (what every registry raises for a name it does not know).
    """


def _number(value: Any) -> float | None:
    """``value`` as a number when it is one (or a numeric string); never for booleans."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _parse_value(text: str) -> SelectorValue:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    if not _BARE.match(text):
        raise InputError(f"value {text!r} needs quotes")
    return text


def _format_value(value: SelectorValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if _BARE.match(value) and _number(value) is None else f'"{value}"'
    return repr(value)


@dataclass(frozen=True)
class Selector:
    """One condition on task metadata, e.g. ``level>=5``; records lacking ``key`` never match."""

    key: str
    op: Operator
    value: SelectorValue

    @property
    def text(self) -> str:
        """The canonical text form (``==`` is written ``=``)."""
        op = "=" if self.op == "==" else self.op
        return f"{self.key}{op}{_format_value(self.value)}"

    def matches(self, metadata: Mapping[str, Any]) -> bool:
        """Whether a task with this metadata is selected.

        Numbers compare numerically (``"5"`` equals ``5``); other values compare as text. For a
        list value, ``=`` means "contains" and ``!=`` "does not contain". Ordered operators
        select only numeric values.
        """
        if self.key not in metadata:
            return False
        actual = metadata[self.key]
        if isinstance(actual, list | tuple | set | frozenset):
            found = any(_equal(item, self.value) for item in actual)
            if self.op in ("=", "=="):
                return found
            return not found if self.op == "!=" else False
        if self.op in ("=", "=="):
            return _equal(actual, self.value)
        if self.op == "!=":
            return not _equal(actual, self.value)
        left, right = _number(actual), _number(self.value)
        if left is None or right is None:
            return False
        return {
            ">=": left >= right,
            "<=": left <= right,
            ">": left > right,
            "<": left < right,
        }[self.op]


def _equal(actual: Any, wanted: SelectorValue) -> bool:
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return actual is wanted or str(actual).lower() == str(wanted).lower()
    left, right = _number(actual), _number(wanted)
    if left is not None and right is not None:
        return left == right
    return str(actual) == str(wanted)


@dataclass(frozen=True)
class MetricName:
    """A parsed metric name: ``namespace.source.statistic{selectors}``."""

    namespace: str
    source: str
    statistic: str
    selectors: tuple[Selector, ...] = ()

    @property
    def base(self) -> str:
        """The name without selectors; family patterns are matched against it."""
        return f"{self.namespace}.{self.source}.{self.statistic}"

    @property
    def text(self) -> str:
        """The canonical text: two spellings of one metric give the same text."""
        if not self.selectors:
            return self.base
        return self.base + "{" + ",".join(s.text for s in self.selectors) + "}"

    def __str__(self) -> str:
        return self.text

    def selects(self, metadata: Mapping[str, Any]) -> bool:
        """Whether a task with this metadata passes every selector."""
        return all(s.matches(metadata) for s in self.selectors)


def _parse_selectors(body: str, text: str) -> tuple[Selector, ...]:
    if not body.strip():
        raise MetricNameError(
            f"metric {text!r}: empty selector braces; remove them or add key=value"
        )
    selectors = []
    for part in body.split(","):
        m = _SELECTOR.match(part)
        if m is None:
            raise MetricNameError(
                f"metric {text!r}: selector {part.strip()!r} is not 'key op value' "
                f"with op one of {' '.join(OPERATORS)}"
            )
        try:
            value = _parse_value(m["value"])
        except ValueError as exc:
            raise MetricNameError(f"metric {text!r}: selector {part.strip()!r}: {exc}") from None
        op: Operator = m["op"]  # type: ignore[assignment]
        if op in (">=", "<=", ">", "<") and _number(value) is None:
            raise MetricNameError(
                f"metric {text!r}: selector {part.strip()!r} orders by a non-number; "
                "use = or != for text values"
            )
        selectors.append(Selector(m["key"], op, value))
    return tuple(selectors)


def parse_metric(text: str) -> MetricName:
    """Parse a metric name.

    Raises:
        MetricNameError: the text does not follow the grammar; the message says what is expected.
    """
    if not isinstance(text, str) or not text.strip():
        raise MetricNameError(f"metric name {text!r} is empty; {_GRAMMAR_HINT}")
    stripped = text.strip()
    base, selectors = stripped, ()
    if "{" in stripped:
        if not stripped.endswith("}") or stripped.count("{") != 1 or stripped.count("}") != 1:
            raise MetricNameError(f"metric {text!r}: unbalanced selector braces; {_GRAMMAR_HINT}")
        base, _, rest = stripped.partition("{")
        selectors = _parse_selectors(rest[:-1], text)
    m = _BASE.match(base)
    if m is None:
        raise MetricNameError(f"metric {text!r} is malformed; {_GRAMMAR_HINT}")
    return MetricName(m["ns"], m["src"], m["stat"], selectors)
