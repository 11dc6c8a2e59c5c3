"""One registry mechanism for every extension point: backends, suites, checkers, scorers,
probes, metric families, executors and report formats.

A ``Registry[T]`` maps names to objects of one kind. Entries are added three ways, all equal
once looked up:

1. ``@registry.register("name")`` on a class or function defined in the package;
2. ``registry.register_lazy("name", "package.module:attr")``: nothing is imported until the
   name is first looked up, so a heavy optional dependency costs nothing when unused;
3. a package entry point in the registry's group (``codehazard.<kind>s``): an entry point
   naming an object registers it under the entry point's name; one naming a module is imported
   and its decorators register what it defines. Entry points are read once, on first lookup.

Unknown names raise ``UnknownNameError`` listing what is registered; an entry whose optional
dependency is missing raises ``MissingExtraError`` with the exact install line
(``require_extra``). Registries never hold process-global state beyond their entries, and tests
may make their own.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Generic, TypeVar, overload

from codehazard.errors import InputError, MissingExtraError, RegistryError, UnknownNameError

T = TypeVar("T")
Obj = TypeVar("Obj")

DISTRIBUTION = "codehazard"


def install_line(extra: str) -> str:
    """The command that installs an optional extra of this package.

    Single quotes: the brackets reach pip unexpanded in every POSIX shell (zsh included).
    """
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require_extra(
    extra: str,
    module: str,
    *,
    feature: str,
    error: type[MissingExtraError] = MissingExtraError,
) -> ModuleType:
    """Import ``module``, which the optional ``extra`` provides, or say how to install it.

    ``error`` picks a more specific leaf (``MissingBackendExtraError`` for a model SDK, so the
    run stops as a backend failure).

    Raises:
        MissingExtraError: the module cannot be imported; the message names the feature that
            needs it and the exact ``pip install`` line.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise error(
            f"{feature} needs the optional package {module.split('.')[0]!r}, which is not "
            f"installed ({exc.msg if hasattr(exc, 'msg') else exc}); install it with: "
            f"{install_line(extra)}",
            extra=extra,
        ) from exc


@dataclass(frozen=True)
class _Lazy:
    target: str  # "package.module:attr"


def plugin_entry_points(group: str, kind: str) -> list[tuple[str, Any]]:
    """Load every entry point of ``group``: ``(name, loaded object or module)`` pairs.

    The one place codehazard reads entry points (``Registry.load_plugins``).

    Raises:
        InputError: a plug-in failed to load; the message names it and the reason.
    """
    from importlib.metadata import entry_points

    loaded: list[tuple[str, Any]] = []
    for ep in entry_points(group=group):
        try:
            loaded.append((ep.name, ep.load()))
        except Exception as exc:
            raise InputError(
                f"the {kind} plugin {ep.name!r} ({ep.value}) failed to load: {exc}"
            ) from exc
    return loaded


def _import_target(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


class Registry(Generic[T]):
    """Objects of one kind by name, with lazy entries and entry-point plug-ins.

    ``kind`` names the kind in messages ("model backend", "suite"); ``group`` is the entry-point
    group (``None`` for none). ``validate`` checks each object as it is registered or first
    loaded and may raise ``TypeError``. ``known`` introduces the list of names in the unknown-
    name message ("registered", "known suites"); each name is shown by its help text when it has
    one (a backend's spec form, ``openai/<model>``), else by itself.
    """

    def __init__(
        self,
        kind: str,
        group: str | None = None,
        *,
        validate: Callable[[str, Any], None] | None = None,
        known: str = "registered",
    ) -> None:
        self.kind = kind
        self.group = group
        self._validate = validate
        self._known = known
        self._entries: dict[str, T] = {}
        self._lazy: dict[str, _Lazy] = {}
        self._help: dict[str, str] = {}
        self._plugins_loaded = group is None
        self._lock = threading.RLock()

    # adding -----------------------------------------------------------------------------

    @overload
    def register(self, name: str, *, help: str = "") -> Callable[[Obj], Obj]: ...

    @overload
    def register(self, name: str, obj: Obj, *, help: str = "") -> Obj: ...

    def register(self, name: str, obj: Any = None, *, help: str = "") -> Any:
        """Register ``obj`` as ``name``; without ``obj``, a decorator that does so.

        Registering the same object twice is harmless.

        Raises:
            RegistryError: another object already has that name (also a ``ValueError``).
            TypeError: the registry's validation rejects the object.
        """
        if obj is None:

            def decorate(target: Obj) -> Obj:
                self._add(name, target, help)
                return target

            return decorate
        self._add(name, obj, help)
        return obj

    def register_lazy(self, name: str, target: str, *, help: str = "") -> None:
        """Register ``"package.module:attr"`` as ``name``, imported on first lookup.

        A bare ``"package.module"`` names a module whose import registers ``name`` itself
        (through the registry's decorator), for entries built by a decorator, such as suites.

        Raises:
            RegistryError: the name is taken by another target, or the target is empty.
        """
        if not target.partition(":")[0]:
            raise RegistryError(
                f"lazy {self.kind} target must be 'module:attr' or 'module', got {target!r}"
            )
        with self._lock:
            if name in self._entries or name in self._lazy:
                existing = self._lazy.get(name)
                if existing is not None and existing.target == target:
                    return
                raise RegistryError(f"a {self.kind} named {name!r} is already registered")
            self._lazy[name] = _Lazy(target)
            if help:
                self._help[name] = help

    def same(self, existing: T, new: T) -> bool:
        """Whether registering ``new`` over ``existing`` is a harmless repeat (identity here;
        a subclass may compare what matters, e.g. a suite's build function)."""
        return existing is new

    def _add(self, name: str, obj: Any, help: str = "") -> None:
        if not name or not isinstance(name, str):
            raise RegistryError(f"a {self.kind} name must be a non-empty string, got {name!r}")
        if self._validate is not None:
            self._validate(name, obj)
        with self._lock:
            existing = self._entries.get(name)
            if existing is not None and not self.same(existing, obj):
                raise RegistryError(f"a {self.kind} named {name!r} is already registered")
            self._entries[name] = obj
            self._lazy.pop(name, None)
            if help:
                self._help[name] = help

    def unregister(self, name: str) -> None:
        """Remove ``name`` (tests and plug-in authors replacing an entry); absent is fine."""
        with self._lock:
            self._entries.pop(name, None)
            self._lazy.pop(name, None)
            self._help.pop(name, None)

    def forget_plugins(self) -> None:
        """Read the entry-point group again on the next lookup (after installing a plug-in in a
        live session, or in tests that fake entry points)."""
        with self._lock:
            self._plugins_loaded = self.group is None

    # looking up -------------------------------------------------------------------------

    def load_plugins(self) -> None:
        """Read the entry-point group once (later calls do nothing).

        Raises:
            InputError: a plug-in failed to load; names it and why, as a user would rather fix
                or uninstall it than get a silently incomplete registry.

        Objects an entry point names register under its name; modules it names register what
        their decorators define. A failed load is not remembered as done, so every later lookup
        reports the same error instead of silently working with fewer entries.
        """
        with self._lock:
            if self._plugins_loaded:
                return
            for name, loaded in plugin_entry_points(self.group or "", self.kind):
                self.adopt_plugin(name, loaded)
            self._plugins_loaded = True

    def adopt_plugin(self, name: str, loaded: Any) -> None:
        """Register what the entry point ``name`` loaded: an object under ``name`` (unless the
        name is taken); a module registered its entries itself, by decorators, on import. A
        registry whose entries carry their own names (metric families) overrides this.
        """
        if not isinstance(loaded, ModuleType) and name not in self._entries:
            self._add(name, loaded)

    def get(self, name: str) -> T:
        """The object registered as ``name``, importing it first if it is lazy.

        Raises:
            UnknownNameError: nothing has that name; the message lists the registered names.
            MissingExtraError: a lazy entry's optional dependency is not installed.
            InputError: a plug-in failed to load.
        """
        self.load_plugins()
        with self._lock:
            if name in self._entries:
                return self._entries[name]
            lazy = self._lazy.get(name)
        if lazy is None:
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}; {self._known}: {self.listing() or 'none'}",
                kind=self.kind,
                name=name,
            )
        obj = _import_target(lazy.target)
        with self._lock:
            if name not in self._entries:
                if isinstance(obj, ModuleType):
                    raise RegistryError(
                        f"the {self.kind} module {lazy.target} was imported but did not "
                        f"register {name!r}"
                    )
                self._add(name, obj)
            return self._entries[name]

    def names(self) -> list[str]:
        """Every registered name (lazy ones included), sorted."""
        self.load_plugins()
        with self._lock:
            return sorted({*self._entries, *self._lazy})

    def help(self, name: str) -> str:
        """An entry's help text (given when it was registered) without importing it, or ``""``."""
        return self._help.get(name, "")

    def listing(self) -> str:
        """Every entry as a user would type it (its help text, else its name), comma-separated,
        for command-line help and error messages; imports nothing."""
        return ", ".join(self.help(n) or n for n in self.names())

    def __contains__(self, name: object) -> bool:
        self.load_plugins()
        return name in self._entries or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def items(self) -> list[tuple[str, T]]:
        """Every ``(name, object)``, importing lazy entries."""
        return [(name, self.get(name)) for name in self.names()]

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._entries)} loaded, {len(self._lazy)} lazy)"


__all__ = ["Registry", "install_line", "plugin_entry_points", "require_extra"]
