"""One exception root for the whole library.

Tree::

    CodehazardError
    ├── InputError (ValueError)        bad input: a file, a line, a field; names the fix
    │   ├── ArgumentError              a library call got a bad argument value; names the argument
    │   │   └── ArgumentTypeError (TypeError)  ... or an argument of the wrong type
    │   ├── TaskLoadError
    │   ├── RegistryError              a name registered twice, a malformed registration
    │   │   └── RegistrationTypeError (TypeError)  the object registered is not of the kind
    │   └── UnknownNameError (KeyError, LookupError)  no backend, suite, checker, hazard,
    │                                  severity... has that name; lists the known ones
    ├── MissingExtraError (ImportError) an optional dependency is missing; says what to install
    │   └── MissingBackendExtraError   ... a model backend's SDK (also a BackendError)
    ├── StoreError (RuntimeError)      the results store cannot be read or written (a corrupt
    │   │                              or foreign file included: one line, never a traceback)
    │   └── UnknownRunError            no run has that id (also an InputError: exit 2)
    ├── SandboxError (RuntimeError)    the sandbox itself broke (never a model failure)
    └── BackendError (RuntimeError)    a model backend failed on our side (unreachable, bad key)

Every leaf also derives the builtin a caller would have caught before it existed
(``ValueError``, ``TypeError``, ``KeyError``, ``ImportError``), so ``except ValueError`` keeps
working. Library messages name library arguments (``workers``, ``timeout``); the CLI, which
knows which flag set which argument, translates them to flags where it must.

The CLI prints any ``CodehazardError`` as one line without a traceback and exits non-zero.
"""

from __future__ import annotations


class CodehazardError(Exception):
    """Root of every error codehazard raises on purpose."""


class InputError(CodehazardError, ValueError):
    """A user-supplied file, line or field is invalid; the message says where and how to fix it."""


class ArgumentError(InputError):
    """A library function got an argument value it cannot use; the message names the argument
    and the accepted values."""


class ArgumentTypeError(ArgumentError, TypeError):
    """A library function got an argument of the wrong type."""


class TaskLoadError(InputError):
    """A task file cannot be loaded."""


class RegistryError(InputError):
    """A registration is refused: the name is taken by another object, or it is malformed."""


class RegistrationTypeError(RegistryError, TypeError):
    """The object registered is not of the registry's kind (not a backend class, say)."""


class UnknownNameError(InputError, KeyError):
    """No registered backend, suite, checker, scorer, executor, hazard... has the name given.

    Also a ``KeyError`` (so a ``LookupError``), as name lookups raised before; printed as the
    plain message, not ``KeyError``'s quoted repr.
    """

    def __init__(self, message: str, *, kind: str = "", name: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MissingExtraError(CodehazardError, ImportError):
    """An optional dependency is not installed; the message has the exact install line."""

    def __init__(self, message: str, *, extra: str = "") -> None:
        super().__init__(message)
        self.extra = extra


class BackendError(CodehazardError, RuntimeError):
    """A model backend failed on our side: unreachable server, bad key, missing package."""


class MissingBackendExtraError(MissingExtraError, BackendError):  # type: ignore[misc]
    """A model backend's SDK is not installed: both a missing extra and a backend failure."""


class StoreError(CodehazardError, RuntimeError):
    """The results store cannot be opened, read or written."""


class UnknownRunError(StoreError, InputError):
    """No run in the store has the id given: the user's input, not a broken store."""


class SandboxError(CodehazardError, RuntimeError):
    """The sandbox failed (an infrastructure failure, never counted against the model)."""


__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "BackendError",
    "CodehazardError",
    "InputError",
    "MissingBackendExtraError",
    "MissingExtraError",
    "RegistrationTypeError",
    "RegistryError",
    "SandboxError",
    "StoreError",
    "TaskLoadError",
    "UnknownNameError",
    "UnknownRunError",
]
