"""Backends by name: a decorator registers a class; a model spec picks one.

A model spec is ``<backend>/<model>`` or ``<backend>:<argument>`` (``openai/gpt-4o-mini``,
``samples:generations.jsonl``), or a bare backend name (``demo``). The first ``/`` or ``:``
separates the backend name from the rest, which goes to the backend unchanged
(``openai/meta-llama/Llama-3-8B`` asks the ``openai`` backend for ``meta-llama/Llama-3-8B``).

Third-party packages add backends through the ``codehazard.backends`` entry-point group: each
entry point names a module whose import registers its backends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from codehazard._plugins import load_plugins
from codehazard.errors import InputError
from codehazard.models._base import BackendOptions, ModelBackend

B = TypeVar("B", bound=type[ModelBackend])

_SPEC = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)(?:([/:])(.*))?$", re.S)


def parse_spec(spec: str) -> tuple[str, str]:
    """Split a model spec into ``(backend name, rest)``; ``rest`` is ``""`` for a bare name.

    Raises:
        InputError: the spec does not start with a backend name.
    """
    match = _SPEC.match(spec.strip())
    if match is None:
        raise InputError(
            f"--model {spec!r}: expected <backend>/<model> or <backend>:<path>, "
            "e.g. openai/gpt-4o-mini, samples:generations.jsonl or demo"
        )
    return match.group(1).lower(), match.group(3) or ""


class BackendRegistry:
    """Backend classes by name. The package keeps one default registry; tests may make their own."""

    def __init__(self) -> None:
        self._backends: dict[str, type[ModelBackend]] = {}

    def add(self, name: str, cls: type[ModelBackend]) -> None:
        """Register ``cls`` as ``name``.

        Raises:
            ValueError: another class already has that name.
        """
        existing = self._backends.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"a model backend named {name!r} is already registered")
        self._backends[name] = cls

    def get(self, name: str) -> type[ModelBackend]:
        """The class registered as ``name``.

        Raises:
            InputError: no backend has that name; the message lists the spec forms known.
        """
        try:
            return self._backends[name]
        except KeyError:
            raise InputError(
                f"unknown model backend {name!r}; use one of: {self.forms()}"
            ) from None

    def forms(self) -> str:
        """The spec forms of every registered backend, e.g. ``demo, openai/<model>``."""
        return ", ".join(self._backends[n].spec_help or n for n in sorted(self._backends))

    def names(self) -> list[str]:
        """Every registered backend name, sorted."""
        return sorted(self._backends)


_DEFAULT = BackendRegistry()


def register_backend(name: str, *, registry: BackendRegistry | None = None) -> Callable[[B], B]:
    """Class decorator: register a ``ModelBackend`` subclass as ``name``; returns it unchanged.

    Raises:
        ValueError: the name is taken by another class, or the class is not a ``ModelBackend``.
    """

    def decorate(cls: B) -> B:
        if not (isinstance(cls, type) and issubclass(cls, ModelBackend)):
            raise ValueError(f"backend {name!r} must be a ModelBackend subclass")
        cls.name = name
        (registry or _DEFAULT).add(name, cls)
        return cls

    return decorate


def _load_plugins() -> None:
    load_plugins("codehazard.backends", "backend")


def default_registry() -> BackendRegistry:
    """The package's registry, with built-in and plugin backends.

    Raises:
        InputError: a backend plugin failed to load.
    """
    _load_plugins()
    return _DEFAULT


def create_backend(
    spec: str, options: BackendOptions | None = None, *, registry: BackendRegistry | None = None
) -> ModelBackend:
    """The backend a model spec names, constructed with ``options``.

    Raises:
        InputError: a malformed spec, an unknown backend (the message lists the known forms),
            or a model part the backend rejects.
        BackendError: the backend's optional package is missing (the message has the install
            line).
    """
    name, rest = parse_spec(spec)
    cls = (registry or default_registry()).get(name)
    return cls(rest, options or BackendOptions())
