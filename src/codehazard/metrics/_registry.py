"""The metric registry: families of metrics, found by name pattern, contributed by their owners.

Why a registry: the hazard engine must not know which suites and probes exist. A family (say the
security probe's ``probe.security.<rate>``) declares its name pattern and how to measure it; the
engine only asks the registry "does any family define this name?" and "measure it on these
records". Adding a suite or probe therefore adds a family, and touches neither this package's
dispatch nor the hazard engine.

``MetricRegistry`` is a ``Registry[MetricFamily]`` (the one registry mechanism, as for backends,
suites, checkers, scorers, executors and report formats), keyed by each family's pattern, plus
what patterns need: resolving a metric name to the first family whose pattern matches it and
whose ``check`` accepts it. Families arrive the registry's three ways:

1. the built-in families (``BUILTIN_FAMILIES``, each in a module of its own) are lazy entries:
   listing the patterns imports nothing, the first resolution imports them;
2. ``registry.add(FamilyClass)`` (or ``registry.register(pattern, family)``) in code and tests;
3. entry points in the group ``codehazard.metrics`` naming a family class or a module, whose
   ``@metric_family`` classes are registered.

Families from entry points and code are consulted before the built-ins (in pattern order), so a
suite may specialise a name the generic suite families would also accept. A name no family
defines raises ``UnknownMetricError`` (an ``UnknownNameError`` and a ``MetricNameError``)
listing the known patterns. There is no process-global registry: ``default_registry()`` builds
a new one each call.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, TypeVar, runtime_checkable

from codehazard._registry import Registry
from codehazard.errors import ArgumentError, RegistrationTypeError, RegistryError
from codehazard.metrics._measurement import Measurement, MetricRecord
from codehazard.metrics._names import MetricName, MetricNameError, UnknownMetricError, parse_metric

ENTRY_POINT_GROUP = "codehazard.metrics"
BUILTIN_FAMILIES: dict[str, str] = {
    "suite.<suite>.pass@<k>": "codehazard.metrics._suite:SuitePassAtK",
    "suite.<suite>.rate.<status>": "codehazard.metrics._suite:SuiteStatusRate",
    "suite.<suite>.rate.kind.<kind>": "codehazard.metrics._suite:SuiteFailureKindRate",
    "suite.<suite>.score.<scorer>": "codehazard.metrics._suite:SuiteScoreRate",
    # every registered probe's statistics; the probes package owns the family (a lazy string,
    # as the checker kinds name their trusted side, so metrics imports nothing above it)
    "probe.<probe>.<statistic>": "codehazard.probes._metrics:ProbeStatistic",
}
"""The built-in families, pattern to ``module:Class``, consulted after every other family."""
_MARK = "__codehazard_metric_family__"
_PLACEHOLDER = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")
_PART = r"\*|[A-Za-z0-9_@\-]+"

T = TypeVar("T")


@runtime_checkable
class MetricFamily(Protocol):
    """A family of metrics sharing a name pattern and a way of measuring.

    ``pattern`` is the base name with ``<placeholders>``, e.g. ``suite.<suite>.rate.<status>``;
    a placeholder matches one dotted segment (or ``*``). ``check`` returns a message when a name
    matches the pattern but is still not a metric of this family (an unknown status, a selector
    the family cannot honour), else ``None``. ``measure`` computes the metric on records; it
    returns an absent measurement, never raises, when nothing is selected.
    """

    pattern: str
    description: str

    def check(self, metric: MetricName, parts: Mapping[str, str]) -> str | None: ...

    def measure(
        self,
        metric: MetricName,
        parts: Mapping[str, str],
        records: Sequence[MetricRecord],
        confidence: float,
    ) -> Measurement: ...


def metric_family(cls: type[T]) -> type[T]:
    """Mark ``cls`` as a metric family, so registries loading its module register it.

    Raises:
        TypeError: the class lacks ``pattern``, ``description``, ``check`` or ``measure``.
    """
    missing = [a for a in ("pattern", "description", "check", "measure") if not hasattr(cls, a)]
    if missing:
        raise RegistrationTypeError(f"metric family {cls.__name__} lacks {', '.join(missing)}")
    setattr(cls, _MARK, True)
    return cls


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression matching base names of a family pattern.

    Raises:
        ValueError: a placeholder repeats or the pattern has no literal namespace.
    """
    names = _PLACEHOLDER.findall(pattern)
    if len(names) != len(set(names)):
        raise RegistryError(f"pattern {pattern!r} repeats a placeholder")
    if pattern.startswith("<"):
        raise RegistryError(f"pattern {pattern!r} must start with a literal namespace")
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        out.append(f"(?P<{m[1]}>{_PART})")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("^" + "".join(out) + "$")


@dataclass(frozen=True)
class Resolved:
    """A metric name bound to the family that defines it, with the placeholder values."""

    family: MetricFamily
    metric: MetricName
    parts: dict[str, str]


def _family_instance(obj: Any) -> Any:
    return obj() if isinstance(obj, type) else obj


def _validate(name: str, obj: Any) -> None:
    instance = _family_instance(obj)
    if not isinstance(instance, MetricFamily):
        raise RegistrationTypeError(f"{obj!r} is not a metric family (pattern, check, measure)")
    if instance.pattern != name:
        raise RegistryError(
            f"a metric family is registered under its pattern: {instance.pattern!r}, not {name!r}"
        )
    compile_pattern(name)


class MetricRegistry(Registry[Any]):
    """Metric families by pattern; the first family that accepts a name defines it.

    Entries are family classes (instantiated without arguments when first used) or instances.
    ``group`` is the entry-point group to read (``None``: none); ``builtins`` adds the built-in
    families as lazy entries.
    """

    def __init__(
        self,
        families: Iterable[MetricFamily | type] = (),
        *,
        group: str | None = None,
        builtins: bool = False,
    ) -> None:
        super().__init__("metric family", group, validate=_validate, known="known families")
        self._instances: dict[str, MetricFamily] = {}
        self._compiled: dict[str, re.Pattern[str]] = {}
        if builtins:
            for pattern, target in BUILTIN_FAMILIES.items():
                self.register_lazy(pattern, target)
        for family in families:
            self.add(family)

    def add(self, family: Any) -> Any:
        """Register a family class or instance under its pattern; returns its argument, so it
        also works as a class decorator.

        Raises:
            RegistrationTypeError: the object is not a metric family (also a ``TypeError``).
            RegistryError: its pattern is malformed or taken by another family.
        """
        pattern = getattr(_family_instance(family), "pattern", None)
        if not isinstance(pattern, str):
            raise RegistrationTypeError(
                f"{family!r} is not a metric family (pattern, check, measure)"
            )
        return self.register(pattern, family)

    def adopt_plugin(self, name: str, loaded: Any) -> None:
        """An entry point names a family class (registered under its pattern) or a module
        (its ``@metric_family`` classes are)."""
        if isinstance(loaded, ModuleType):
            self.load_module(loaded)
        else:
            self.add(loaded)

    def load_module(self, module: ModuleType | str) -> int:
        """Register every ``@metric_family`` class defined in ``module``; return how many.

        Raises:
            ImportError: the module cannot be imported.
            RegistryError: a family's pattern is malformed or taken.
        """
        mod = importlib.import_module(module) if isinstance(module, str) else module
        count = 0
        for obj in list(vars(mod).values()):
            if isinstance(obj, type) and obj.__dict__.get(_MARK) and obj.__module__ == mod.__name__:
                self.add(obj)
                count += 1
        return count

    def family(self, pattern: str) -> MetricFamily:
        """The family registered under ``pattern`` (imported first if it is lazy).

        Raises:
            UnknownNameError: no family has that pattern; the message lists the known ones.
        """
        if pattern not in self._instances:
            self._instances[pattern] = _family_instance(self.get(pattern))
            self._compiled[pattern] = compile_pattern(pattern)
        return self._instances[pattern]

    def unregister(self, name: str) -> None:
        """Remove the family under ``name``; absent is fine."""
        super().unregister(name)
        self._instances.pop(name, None)
        self._compiled.pop(name, None)

    def order(self) -> list[str]:
        """Patterns in the order they are consulted: added and plug-in families by pattern,
        then the built-ins in their table's order."""
        names = self.names()
        return [n for n in names if n not in BUILTIN_FAMILIES] + [
            n for n in BUILTIN_FAMILIES if n in names
        ]

    @property
    def families(self) -> tuple[MetricFamily, ...]:
        """The families in the order they are consulted (lazy ones imported)."""
        return tuple(self.family(p) for p in self.order())

    def resolve(self, name: str | MetricName) -> Resolved:
        """Find the family that defines ``name``.

        Raises:
            MetricNameError: the name is malformed, or a family matching it refuses it.
            UnknownMetricError: no family's pattern matches it (the message lists the known
                patterns and the closest ones).
        """
        metric = parse_metric(name) if isinstance(name, str) else name
        refusals: list[str] = []
        for pattern in self.order():
            family = self.family(pattern)
            m = self._compiled[pattern].match(metric.base)
            if m is None:
                continue
            parts = {k: v for k, v in m.groupdict().items() if v is not None}
            why = family.check(metric, parts)
            if why is None:
                return Resolved(family, metric, parts)
            refusals.append(why)
        if refusals:
            raise MetricNameError(f"metric {metric.text!r}: {refusals[0]}")
        raise UnknownMetricError(self._unknown_message(metric), kind=self.kind, name=metric.text)

    def _unknown_message(self, metric: MetricName) -> str:
        patterns = self.order()
        close = difflib.get_close_matches(metric.base, patterns, n=2, cutoff=0.4)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        known = ", ".join(patterns) if patterns else "none are registered"
        return f"no suite or probe defines metric {metric.text!r} (known families: {known}){hint}"

    def problem(self, name: str) -> str | None:
        """Why ``name`` is not a usable metric, or ``None`` when some family defines it."""
        try:
            self.resolve(name)
        except MetricNameError as exc:
            return str(exc)
        return None

    def knows(self, name: str) -> bool:
        """Whether some family defines ``name``."""
        return self.problem(name) is None

    def measure(
        self, name: str | MetricName, records: Sequence[MetricRecord], *, confidence: float = 0.95
    ) -> Measurement:
        """Measure ``name`` on ``records``.

        Raises:
            MetricNameError: no family defines the name.
            ValueError: ``confidence`` outside (0, 1).
        """
        if not 0 < confidence < 1:
            raise ArgumentError(f"confidence must be in (0, 1), got {confidence}")
        resolved = self.resolve(name)
        return resolved.family.measure(resolved.metric, resolved.parts, records, confidence)


def default_registry(*, plugins: bool = True) -> MetricRegistry:
    """A new registry with the built-in families (lazy) and the entry-point plug-ins.

    ``plugins=False`` leaves out the entry points (for tests and reproducible reports).

    Raises:
        InputError: a plug-in fails to load (when first used), naming it and why.
    """
    return MetricRegistry(group=ENTRY_POINT_GROUP if plugins else None, builtins=True)


__all__ = [
    "BUILTIN_FAMILIES",
    "ENTRY_POINT_GROUP",
    "MetricFamily",
    "MetricNameError",
    "MetricRegistry",
    "Resolved",
    "compile_pattern",
    "default_registry",
    "metric_family",
]
