"""Checker kinds: how a task's answer is checked, as registered, versioned models.

A checker kind is one ``checker_registry`` entry, keyed by the ``kind`` a task file names. The
entry holds the kind's pydantic model (what a task file may say about it) and how the trusted
side prepares it (``prepare``: compile, compute expected outputs, in the worker process, once
per task) and judges one candidate (the ``run`` function that ``prepare`` puts on the prepared
task). The tasks layer never imports the sandbox: built-in kinds name their trusted side as a
``"module:attr"`` string, imported the first time a worker prepares a task of that kind.

Adding a kind is one new module: a model deriving ``CheckerSpec`` with ``kind: Literal["..."]``,
a ``prepare`` function, and the ``@checker_kind(prepare=...)`` decorator on the model. A
package makes its kinds available everywhere (worker processes included) through the
``codehazard.checkers`` entry-point group; see ``docs/architecture.md``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

from codehazard._registry import Registry
from codehazard.errors import InputError, RegistrationTypeError

Oracle = Literal["exact", "float", "unordered"]


class CheckerSpec(BaseModel):
    """The part of a task that says how its answer is checked; one subclass per kind.

    ``VERSION`` is the kind's schema version. A serialised checker carries ``version`` only when
    it is not 1, so version-1 task files (every HumanEval file) stay as they are; a file written
    for a newer version of a kind than this installation knows is refused, never half-read.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    VERSION: ClassVar[int] = 1
    kind: str
    version: int = 1

    @model_validator(mode="after")
    def _known_version(self) -> CheckerSpec:
        if not 1 <= self.version <= self.VERSION:
            raise InputError(
                f"checker kind {self.kind!r} version {self.version} is not known here (this "
                f"installation reads versions 1 to {self.VERSION}); upgrade codehazard or "
                "the package that provides the kind"
            )
        return self

    @model_serializer(mode="wrap")
    def _omit_version_one(self, handler: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        data = handler(self)
        if data.get("version") == 1:
            data.pop("version")
        return data


Prepare = Callable[..., Any]
"""``prepare(task, checker, timeout) -> PreparedTask``, run by the trusted worker."""


@dataclass(frozen=True)
class CheckerKind:
    """One registered kind: its model and its trusted side (a callable or ``"module:attr"``)."""

    name: str
    model: type[CheckerSpec]
    prepare: Prepare | str
    help: str = ""
    drivers: tuple[str, ...] = ()
    """Trusted drivers (``"module:attr"``) the kind's judge runs in the candidate's process;
    their modules are imported by the sandbox before it hides the package (see
    ``sandbox._drivers``)."""

    def trusted_prepare(self) -> Prepare:
        """The kind's ``prepare`` function, imported now if it was named by a string.

        Raises:
            InputError: the named module or attribute does not exist.
        """
        if callable(self.prepare):
            return self.prepare
        module_name, _, attr = self.prepare.partition(":")
        try:
            return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]
        except (ImportError, AttributeError) as exc:
            raise InputError(
                f"checker kind {self.name!r}: its trusted side {self.prepare!r} cannot be "
                f"loaded ({exc})"
            ) from exc


def _validate_kind(name: str, obj: Any) -> None:
    if not isinstance(obj, CheckerKind) or not issubclass(obj.model, CheckerSpec):
        raise RegistrationTypeError(
            f"checker kind {name!r} must be a CheckerKind over a CheckerSpec model"
        )
    field = obj.model.model_fields.get("kind")
    if field is None or field.default != name:
        raise RegistrationTypeError(
            f"checker kind {name!r}: its model {obj.model.__name__} must declare "
            f'kind: Literal["{name}"] = "{name}"'
        )


checker_registry: Registry[CheckerKind] = Registry(
    "checker kind", "codehazard.checkers", validate=_validate_kind
)
"""Every checker kind by name; task files select one with ``"checker": {"kind": ...}``."""

M = TypeVar("M", bound=type[CheckerSpec])


def checker_kind(
    *, prepare: Prepare | str, help: str = "", drivers: Iterable[str] = ()
) -> Callable[[M], M]:
    """Class decorator registering a ``CheckerSpec`` model as the kind its ``kind`` field names.

    ``drivers`` names the trusted drivers (``"module:attr"``) the kind's judge calls with
    ``Channel.drive``; their modules must be importable by a fresh ``python -I``.

    Raises:
        ValueError: another kind already has that name.
        TypeError: the model does not declare its ``kind`` default.
    """

    def decorate(model: M) -> M:
        field = model.model_fields.get("kind")
        name = field.default if field is not None else None
        if not isinstance(name, str):
            raise RegistrationTypeError(
                f"{model.__name__} must declare kind: Literal['name'] = 'name'"
            )
        kind = CheckerKind(name, model, prepare, help, tuple(drivers))
        checker_registry.register(name, kind)
        return model

    return decorate


def parse_checker(value: Any) -> CheckerSpec:
    """Validate a checker given as a mapping (from a file) or as a model instance.

    Raises:
        ValueError: not a mapping, no ``kind``, an unknown kind (the message lists the known
            ones), or fields the kind's model rejects.
    """
    if isinstance(value, CheckerSpec):
        return value
    if not isinstance(value, dict):
        raise InputError(f"a checker must be an object with a 'kind', got {type(value).__name__}")
    kind = value.get("kind")
    if not isinstance(kind, str):
        raise InputError(
            f"a checker needs a 'kind' (one of: {', '.join(checker_registry.names())})"
        )
    if kind not in checker_registry:
        raise InputError(
            f"unknown checker kind {kind!r}; known kinds: {', '.join(checker_registry.names())}"
        )
    return checker_registry.get(kind).model.model_validate(value)


# the built-in kinds -------------------------------------------------------------------------


@checker_kind(
    prepare="codehazard.sandbox._prepare:prepare_test",
    help="HumanEval test code defining check(candidate)",
)
class TestChecker(CheckerSpec):
    """HumanEval-style test code defining ``check(candidate)``; it raises on a wrong answer."""

    __test__: ClassVar[bool] = False  # not a pytest test class, despite the name
    kind: Literal["test"] = "test"
    test: str


@checker_kind(
    prepare="codehazard.sandbox._prepare:prepare_differential",
    help="inputs whose expected outputs come from the reference, compared by an oracle",
)
class DifferentialChecker(CheckerSpec):
    """Call the candidate on each input and compare with the reference's output.

    ``inputs`` holds one positional-argument list per call. ``oracle`` chooses the comparison:
    ``exact`` (equal values of identical builtin types), ``float`` (numbers within ``rel_tol`` /
    ``abs_tol``, recursively), ``unordered`` (the same elements in any order, for list results).
    """

    kind: Literal["differential"] = "differential"
    inputs: list[list[Any]]
    oracle: Oracle = "exact"
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9


_BUILTIN_KINDS: dict[str, str] = {
    "statistical": "codehazard.tasks._kind_statistical",
    "sequence": "codehazard.tasks._kind_sequence",
    "stress": "codehazard.tasks._kind_stress",
    "noninterference": "codehazard.tasks._kind_noninterference",
    "counterfactual": "codehazard.tasks._kind_counterfactual",
}
"""Built-in kinds defined in modules of their own (name -> module), registered lazily: the
module is imported the first time a task file names the kind (or a listing needs it), and its
``@checker_kind`` decorator replaces the lazy entry, as built-in suites do."""

for _name, _module in _BUILTIN_KINDS.items():
    checker_registry.register_lazy(_name, _module)


# carrying kinds into worker processes --------------------------------------------------------


def kind_sources(kinds: Iterable[str]) -> list[tuple[str, str | None]]:
    """Where the given kinds are defined, for a fresh worker interpreter to import them.

    Kinds built into codehazard and kinds from entry points need nothing (a worker finds them
    itself); a kind registered by a module of the caller's own (a script, a test) is named as
    ``(module name, file)`` so the worker can import that module too.
    """
    sources: dict[str, str | None] = {}
    for kind in kinds:
        model = checker_registry.get(kind).model
        module = sys.modules.get(model.__module__)
        if model.__module__.startswith("codehazard.") or module is None:
            continue
        sources[model.__module__] = getattr(module, "__file__", None)
    return sorted(sources.items())


def kind_driver_modules(kinds: Iterable[str]) -> list[str]:
    """The modules holding the trusted drivers of the given kinds, for the sandbox to import
    before it hides the package."""
    modules = {d.partition(":")[0] for k in kinds for d in checker_registry.get(k).drivers}
    return sorted(modules)


def import_kind_sources(sources: Iterable[tuple[str, str | None]]) -> None:
    """Import the modules ``kind_sources`` named, by name or else from their file.

    Raises:
        InputError: a module cannot be imported either way.
    """
    for name, file in sources:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            continue
        except ImportError:
            if file is None:
                raise InputError(f"cannot import {name!r}, which defines a checker kind") from None
        spec = importlib.util.spec_from_file_location(name, file)
        if spec is None or spec.loader is None:
            raise InputError(f"cannot import {file!r}, which defines a checker kind")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
