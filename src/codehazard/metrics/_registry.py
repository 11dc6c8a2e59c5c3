"""The metric registry: families of metrics, found by name pattern, contributed by their owners.

Why a registry: the hazard engine must not know which suites and probes exist. A family (say the
security probe's ``probe.security.<rate>``) declares its name pattern and how to measure it; the
engine only asks the registry "does any family define this name?" and "measure it on these
records". Adding a suite or probe therefore adds a family, and touches neither this package's
dispatch nor the hazard engine.

How families arrive (no process-global state; every registry is an explicit object):

1. ``@metric_family`` marks a class; ``MetricRegistry.load_module`` registers the marked classes
   of a module, in definition order. ``registry.register`` is also usable as a decorator.
2. ``default_registry()`` loads the built-in suite families, then every in-tree provider module
   named ``_metric_families.py`` anywhere under the ``codehazard`` package, then every entry
   point in the group ``codehazard.metrics`` (a module or a family class) for out-of-tree
   packages, read by the same ``plugin_entry_points`` as every ``Registry``. Families are not
   looked up by name but matched by pattern, in order, so this resolver is not a
   ``Registry[T]``; its sources (lazy module names, entry points) are the shared mechanism.
   Providers are consulted before built-ins, so a suite may specialise a name that the
   generic suite families would also accept.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol, TypeVar, runtime_checkable

from codehazard._registry import plugin_entry_points
from codehazard.errors import ArgumentError, CodehazardError, RegistrationTypeError, RegistryError
from codehazard.metrics._measurement import Measurement, MetricRecord
from codehazard.metrics._names import MetricName, MetricNameError, parse_metric

ENTRY_POINT_GROUP = "codehazard.metrics"
PROVIDER_MODULE = "_metric_families"
BUILTIN_MODULES: tuple[str, ...] = ("codehazard.metrics._suite",)
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


class MetricRegistry:
    """An ordered set of metric families; the first family that accepts a name defines it."""

    def __init__(self, families: Iterable[MetricFamily | type] = ()) -> None:
        self._families: list[tuple[MetricFamily, re.Pattern[str]]] = []
        for family in families:
            self.register(family)

    def register(self, family: Any) -> Any:
        """Register a family instance, or a family class (instantiated without arguments).

        Returns its argument, so it also works as a class decorator.

        Raises:
            TypeError: the object is not a metric family.
            ValueError: its pattern is malformed or already registered.
        """
        instance = family() if isinstance(family, type) else family
        if not isinstance(instance, MetricFamily):
            raise RegistrationTypeError(
                f"{family!r} is not a metric family (pattern, check, measure)"
            )
        regex = compile_pattern(instance.pattern)
        if any(f.pattern == instance.pattern for f, _ in self._families):
            raise RegistryError(f"a family with pattern {instance.pattern!r} is already registered")
        self._families.append((instance, regex))
        return family

    def load_module(self, module: ModuleType | str) -> int:
        """Register every ``@metric_family`` class defined in ``module``; return how many.

        Raises:
            ImportError: the module cannot be imported.
            ValueError: a family's pattern is malformed or already registered.
        """
        mod = importlib.import_module(module) if isinstance(module, str) else module
        count = 0
        for obj in list(vars(mod).values()):
            if isinstance(obj, type) and obj.__dict__.get(_MARK) and obj.__module__ == mod.__name__:
                self.register(obj)
                count += 1
        return count

    @property
    def families(self) -> tuple[MetricFamily, ...]:
        """The families in the order they are consulted."""
        return tuple(f for f, _ in self._families)

    def resolve(self, name: str | MetricName) -> Resolved:
        """Find the family that defines ``name``.

        Raises:
            MetricNameError: the name is malformed, or no family defines it (the message lists
                the closest known patterns).
        """
        metric = parse_metric(name) if isinstance(name, str) else name
        refusals: list[str] = []
        for family, regex in self._families:
            m = regex.match(metric.base)
            if m is None:
                continue
            parts = {k: v for k, v in m.groupdict().items() if v is not None}
            why = family.check(metric, parts)
            if why is None:
                return Resolved(family, metric, parts)
            refusals.append(why)
        if refusals:
            raise MetricNameError(f"metric {metric.text!r}: {refusals[0]}")
        raise MetricNameError(self._unknown_message(metric))

    def _unknown_message(self, metric: MetricName) -> str:
        patterns = [f.pattern for f, _ in self._families]
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


def discover_provider_modules(package: str = "codehazard") -> list[str]:
    """Dotted names of every ``_metric_families.py`` module under ``package``, sorted.

    The source tree is walked without importing anything but the package itself, so discovery
    never pulls in unrelated (possibly heavy) modules.

    Raises:
        ImportError: ``package`` cannot be imported.
    """
    pkg = importlib.import_module(package)
    found: set[str] = set()
    for root in getattr(pkg, "__path__", []):
        base = Path(root)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d.isidentifier()]
            if PROVIDER_MODULE + ".py" in filenames:
                rel = Path(dirpath).relative_to(base).parts
                found.add(".".join((package, *rel, PROVIDER_MODULE)))
    return sorted(found)


def default_registry(*, plugins: bool = True) -> MetricRegistry:
    """A new registry with the in-tree providers, entry-point plugins and built-in families.

    ``plugins=False`` leaves out the entry points (for tests and reproducible reports).

    Raises:
        CodehazardError: a provider module or plugin fails to import or registers a bad family.
    """
    registry = MetricRegistry()
    sources: list[tuple[str, Any]] = [(m, m) for m in discover_provider_modules()]
    if plugins:
        sources += plugin_entry_points(ENTRY_POINT_GROUP, "metric family")
    sources += [(m, m) for m in BUILTIN_MODULES]
    for label, obj in sources:
        try:
            if isinstance(obj, type):
                registry.register(obj)
            else:
                registry.load_module(obj)
        except (ImportError, TypeError, ValueError, AttributeError) as exc:
            raise CodehazardError(f"metric provider {label} cannot be loaded: {exc}") from exc
    return registry


__all__ = [
    "ENTRY_POINT_GROUP",
    "MetricFamily",
    "MetricNameError",
    "MetricRegistry",
    "Resolved",
    "compile_pattern",
    "default_registry",
    "discover_provider_modules",
    "metric_family",
]
