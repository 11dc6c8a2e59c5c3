"""Backends by name: a decorator registers a class; a model spec picks one.

A model spec is ``<backend>/<model>`` or ``<backend>:<argument>`` (``openai/gpt-4o-mini``,
``samples:generations.jsonl``), or a bare backend name (``tiny``). The first ``/`` or ``:``
separates the backend name from the rest, which goes to the backend unchanged
(``openai/meta-llama/Llama-3-8B`` asks the ``openai`` backend for ``meta-llama/Llama-3-8B``).

Third-party packages add backends through the ``codehazard.backends`` entry-point group: an
entry point names a backend class, or a module whose import registers its backends. The
built-in backends are registered lazily (by ``module:attr``), so listing them, or asking for
``simulated``, imports no SDK and no other backend's module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from codehazard._registry import Registry
from codehazard.errors import InputError, RegistrationTypeError
from codehazard.models._base import BackendOptions, ModelBackend

ENTRY_POINT_GROUP = "codehazard.backends"

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
            f"`model={spec!r}`: expected <backend>/<model> or <backend>:<path>, "
            "e.g. openai/gpt-4o-mini, samples:generations.jsonl or tiny"
        )
    return match.group(1).lower(), match.group(3) or ""


def _check_backend(name: str, obj: Any) -> None:
    if not (isinstance(obj, type) and issubclass(obj, ModelBackend)):
        raise RegistrationTypeError(f"backend {name!r} must be a ModelBackend subclass")


class BackendRegistry(Registry[type[ModelBackend]]):
    """Backend classes by name (``Registry`` with the backends' kind, group and checks).

    The package keeps one default registry; tests may make their own. Unknown names list the
    spec forms (``openai/<model>``) without importing any backend.
    """

    def __init__(self, group: str | None = None) -> None:
        super().__init__("model backend", group, validate=_check_backend, known="use one of")

    def add(self, name: str, cls: type[ModelBackend]) -> None:
        """Register ``cls`` as ``name``, shown in listings by its ``spec_help``.

        Raises:
            RegistryError: another class already has that name (also a ``ValueError``).
            RegistrationTypeError: ``cls`` is not a ``ModelBackend`` subclass.
        """
        self.register(name, cls, help=getattr(cls, "spec_help", "") or "")

    def forms(self) -> str:
        """The spec forms of every registered backend, e.g. ``tiny, openai/<model>``."""
        return self.listing()


_DEFAULT = BackendRegistry(ENTRY_POINT_GROUP)
_DEFAULT.register_lazy("openai", "codehazard.models._openai:OpenAIBackend", help="openai/<model>")
_DEFAULT.register_lazy(
    "anthropic", "codehazard.models._anthropic:AnthropicBackend", help="anthropic/<model>"
)
_DEFAULT.register_lazy(
    "samples", "codehazard.models._samples:SamplesBackend", help="samples:<path>"
)
_DEFAULT.register_lazy(
    "inspect",
    "codehazard.integrations._inspect_backend:InspectLogBackend",
    help="inspect:<log>",
)  # needs the inspect extra; registered here so that a resume finds it by name
_DEFAULT.register_lazy(
    "simulated", "codehazard.models._simulated:SimulatedBackend", help="simulated"
)

RENAMED = {
    "demo": "`demo` was the simulator's old name: use --model simulated for the simulator (its "
    "pass rates measure no model), or --model tiny for the built-in model"
}
"""Backend names that are no more, with what to use instead."""
_DEFAULT.register_lazy(
    "tiny", "codehazard.models.tiny._backend:TinyBackend", help="tiny or tiny:<weights.npz>"
)
_DEFAULT.register_lazy("hf", "codehazard.models._hf:HFBackend", help="hf/<path-or-name>")
_DEFAULT.register_lazy("vllm", "codehazard.models._vllm:VLLMBackend", help="vllm/<path-or-name>")


def register_backend(name: str, *, registry: BackendRegistry | None = None) -> Callable[[B], B]:
    """Class decorator: register a ``ModelBackend`` subclass as ``name``; returns it unchanged.

    Raises:
        RegistryError: the name is taken by another class (also a ``ValueError``).
        RegistrationTypeError: the class is not a ``ModelBackend`` (also a ``TypeError``).
    """

    def decorate(cls: B) -> B:
        _check_backend(name, cls)
        cls.name = name
        (registry or _DEFAULT).add(name, cls)
        return cls

    return decorate


def default_registry() -> BackendRegistry:
    """The package's registry: built-in backends (imported when first used) and plug-ins.

    Raises:
        InputError: a backend plugin failed to load.
    """
    _DEFAULT.load_plugins()
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
    if name in RENAMED and name not in (registry or default_registry()):
        raise InputError(RENAMED[name])
    cls = (registry or default_registry()).get(name)
    return cls(rest, options or BackendOptions())
