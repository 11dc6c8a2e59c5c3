"""The suite registry: generated task families that register themselves by name.

A suite is a seeded generator: ``get_suite(name).build(seed=0, ...)`` returns the same tasks,
byte for byte, every time. Parameters are declared (name, kind, default, bounds, help) so that
the command line can offer them as flags and so that values given as strings (``"1-10"``) or as
Python values (``range(1, 11)``) are validated in one place, with errors that name the parameter.

Suites register with the ``register_suite`` decorator on their build function, into a
``Registry[Suite]`` (the one registry mechanism). Third-party packages add suites through the
``codehazard.suites`` entry-point group: each entry point names a module whose import registers
its suites. Built-in suites are lazy entries: ``codehazard suites list`` or ``--suite`` help
lists their names without importing their generators.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from codehazard._registry import Registry
from codehazard.errors import InputError, RegistryError
from codehazard.tasks._model import Task
from codehazard.tasks.suites._chain import Chain, WrongSolution

ParamKind = Literal["int", "ints", "choice"]
"""``int``: one integer; ``ints``: a set of integers, written ``1-10``, ``1,3,5`` or ``2-4,7``;
``choice``: one of the parameter's ``choices`` (a name such as ``humaneval``)."""

ParamValue = int | tuple[int, ...] | str
"""A resolved parameter value: an ``int``, a sorted tuple for ``ints``, a name for ``choice``."""

Builder = Callable[..., list[Task]]
ChainFactory = Callable[[Mapping[str, Any]], Chain]
Advice = Callable[..., list[str]]
MutantFactory = Callable[[Task], list[WrongSolution]]
"""Takes one task of the suite; returns the wrong solutions its checker must reject."""
"""Takes the resolved parameters as keywords; returns warnings about them (may be empty)."""
B = TypeVar("B", bound=Builder)
ENTRY_POINT_GROUP = "codehazard.suites"


@dataclass(frozen=True)
class SuiteParam:
    """One documented build parameter of a suite.

    ``minimum`` and ``maximum`` bound every integer (for ``ints``, every member); ``choices``
    are the names a ``choice`` parameter accepts (its default among them).
    """

    name: str
    kind: ParamKind
    default: ParamValue
    help: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.kind == "choice") != bool(self.choices) or (
            self.kind == "choice" and self.default not in self.choices
        ):
            raise RegistryError(
                f"suite parameter {self.name!r}: a choice parameter needs choices that hold its "
                "default, and only a choice parameter has choices"
            )

    @property
    def flag(self) -> str:
        """The command-line flag: ``per_length`` becomes ``--per-length``."""
        return "--" + self.name.replace("_", "-")

    def coerce(self, value: Any) -> ParamValue:
        """Validate and convert a value given as a string or a Python value.

        Raises:
            InputError: the value has the wrong form or is out of bounds; the message names the
                parameter and shows an accepted form.
        """
        if self.kind == "choice":
            name = value.strip().lower() if isinstance(value, str) else value
            if name not in self.choices:
                raise InputError(
                    f"{self.name}: {value!r} is not one of {', '.join(self.choices)}; use one "
                    f"of them, e.g. {self.default}"
                )
            return str(name)
        if self.kind == "int":
            number = _to_int(value, self)
            self._check_bounds(number)
            return number
        numbers = _to_ints(value, self)
        for number in numbers:
            self._check_bounds(number)
        return numbers

    def _check_bounds(self, number: int) -> None:
        low = -(10**18) if self.minimum is None else self.minimum
        high = 10**18 if self.maximum is None else self.maximum
        if not low <= number <= high:
            raise InputError(
                f"{self.name}: {number} is out of range; use values from {self.minimum} "
                f"to {self.maximum}"
            )


def _to_int(value: Any, param: SuiteParam) -> int:
    if isinstance(value, bool):
        raise InputError(f"{param.name}: expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise InputError(f"{param.name}: expected an integer such as {param.default!r}, got {value!r}")


def _to_ints(value: Any, param: SuiteParam) -> tuple[int, ...]:
    example = "1-10, 1,3,5 or 2-4,7"
    if isinstance(value, str):
        numbers: set[int] = set()
        for part in value.split(","):
            bounds = part.strip().split("-")
            try:
                if len(bounds) == 1:
                    numbers.add(int(bounds[0]))
                elif len(bounds) == 2:
                    low, high = int(bounds[0]), int(bounds[1])
                    if low > high:
                        raise InputError(part)  # reported below, naming the parameter
                    numbers.update(range(low, high + 1))
                else:
                    raise InputError(part)  # reported below, naming the parameter
            except ValueError:
                raise InputError(
                    f"{param.name}: cannot read {value!r}; write e.g. {example}"
                ) from None
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(value)
        numbers = {_to_int(v, param) for v in items}
    else:
        numbers = {_to_int(value, param)}
    if not numbers:
        raise InputError(f"{param.name}: no values given; write e.g. {example}")
    return tuple(sorted(numbers))


@dataclass(frozen=True)
class Suite:
    """A registered suite: its name, a one-line description, parameters and build function.

    ``chain`` rebuilds a task's reference chain from its metadata, for failure localisation;
    suites whose tasks are not chains leave it ``None``. ``advice`` warns about parameter
    choices that build fine but weaken an analysis (e.g. too few single-block tasks).
    ``mutant_factory`` gives each task's known wrong solutions (see ``mutants``).
    ``selftest_params`` override the default build for ``codehazard suites selftest``, where
    the default build is too large to judge 50 times over in reasonable time.
    """

    name: str
    description: str
    params: tuple[SuiteParam, ...]
    builder: Builder
    chain: ChainFactory | None = None
    advice: Advice | None = None
    mutant_factory: MutantFactory | None = None
    selftest_params: Mapping[str, Any] = field(default_factory=dict)

    def mutants(self, task: Task) -> list[WrongSolution]:
        """The wrong solutions of ``task`` that its checker must reject (``[]`` when the suite
        declares none); a suite carries them so one conformance test covers every suite."""
        return [] if self.mutant_factory is None else self.mutant_factory(task)

    def advise(self, **params: Any) -> list[str]:
        """Warnings about these parameters (``[]`` when none, or the suite gives no advice).

        Raises:
            InputError: an unknown parameter, or a value of the wrong form or out of bounds.
        """
        resolved = self.resolve(**params)
        return [] if self.advice is None else self.advice(**resolved)

    def defaults(self) -> dict[str, ParamValue]:
        """Every parameter's default value."""
        return {p.name: p.default for p in self.params}

    def resolve(self, **params: Any) -> dict[str, ParamValue]:
        """The full, validated parameter set: defaults overridden by ``params``.

        Raises:
            InputError: an unknown parameter, or a value of the wrong form or out of bounds.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise InputError(
                f"suite {self.name!r} has no parameter(s) {', '.join(unknown)}; its parameters "
                f"are {', '.join(known) or '(none)'}"
            )
        out = self.defaults()
        for name, value in params.items():
            if value is not None:
                out[name] = known[name].coerce(value)
        return out

    def build(self, **params: Any) -> list[Task]:
        """Generate the suite's tasks; the same parameters always give identical tasks.

        Values may be Python values or strings as typed on a command line (``lengths="1-10"``).

        Raises:
            InputError: an unknown parameter, or a value of the wrong form or out of bounds.
        """
        return self.builder(**self.resolve(**params))


class SuiteRegistry(Registry[Suite]):
    """Suites by name (``Registry`` with the suites' kind and entry-point group).

    The package keeps one default registry; tests may make their own. Registering the same
    build function again is harmless; another function under a taken name is refused.
    """

    def __init__(self, group: str | None = None) -> None:
        super().__init__("suite", group, known="known suites")

    def same(self, existing: Suite, new: Suite) -> bool:
        """Two registrations are the same suite when they share the build function."""
        return existing.builder is new.builder

    def add(self, suite: Suite) -> None:
        """Register ``suite`` under its name.

        Raises:
            RegistryError: a different suite already has that name (also a ``ValueError``).
        """
        self.register(suite.name, suite, help=suite.name)

    def all(self) -> list[Suite]:
        """Every registered suite, by name (lazy ones imported)."""
        return [self.get(n) for n in self.names()]


_DEFAULT = SuiteRegistry(ENTRY_POINT_GROUP)
_BUILTIN = {
    "abstraction": "codehazard.tasks.suites._abstraction",
    "building-blocks": "codehazard.tasks.suites._building_blocks",
    "variable-binding": "codehazard.tasks.suites._binding",
    "concurrency": "codehazard.tasks.suites._concurrency",
    "nondeterminism": "codehazard.tasks.suites._nondeterminism",
    "temporal": "codehazard.tasks.suites._temporal",
    "interdependence": "codehazard.tasks.suites._interdep",
    "hyperproperties": "codehazard.tasks.suites._hyper",
    "packages": "codehazard.tasks.suites._packages",
    "security": "codehazard.tasks.suites._security",
    "misalignment": "codehazard.tasks.suites._misalignment",
}


def _register_builtins() -> None:
    """Built-in suites are lazy: listing names imports nothing; the first lookup imports the
    module, whose ``register_suite`` decorator replaces the lazy entry by the real suite."""
    for name, module in _BUILTIN.items():
        _DEFAULT.register_lazy(name, module)


_register_builtins()


def register_suite(
    name: str,
    *,
    description: str,
    params: Iterable[SuiteParam] = (),
    chain: ChainFactory | None = None,
    advice: Advice | None = None,
    mutants: MutantFactory | None = None,
    selftest: Mapping[str, Any] | None = None,
    registry: SuiteRegistry | None = None,
) -> Callable[[B], B]:
    """Decorator: register a build function as the suite ``name``; returns it unchanged.

    The function takes exactly the declared parameters as keyword arguments, already validated.
    ``selftest`` is the build the self-test uses instead of the default one (a smaller one).

    Raises:
        ValueError: the function's keyword parameters differ from ``params``, or the name is
            taken by another suite.
    """
    declared = tuple(params)

    def decorate(builder: B) -> B:
        accepted = set(inspect.signature(builder).parameters)
        names = {p.name for p in declared}
        if accepted != names:
            raise RegistryError(
                f"suite {name!r}: builder parameters {sorted(accepted)} differ from the "
                f"declared {sorted(names)}"
            )
        suite = Suite(
            name, description, declared, builder, chain, advice, mutants, dict(selftest or {})
        )
        (registry or _DEFAULT).add(suite)
        return builder

    return decorate


def suite_registry() -> SuiteRegistry:
    """The package's suite registry (built-in suites, lazily; plug-ins on first lookup)."""
    return _DEFAULT


def get_suite(name: str) -> Suite:
    """The registered suite called ``name`` (built-in or from a plugin).

    Raises:
        InputError: no suite has that name (the message lists the known suites), or a suite
            plugin failed to load.
    """
    return _DEFAULT.get(name)


def list_suites() -> list[Suite]:
    """Every registered suite, sorted by name.

    Raises:
        InputError: a suite plugin failed to load.
    """
    return _DEFAULT.all()
