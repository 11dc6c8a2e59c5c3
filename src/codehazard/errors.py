"""One exception root for the whole library.

Tree::

    CodehazardError
    ├── InputError (ValueError)        bad input: a file, a line, a field; names the fix
    │   ├── TaskLoadError
    │   └── UnknownNameError (LookupError)  no backend, suite, checker... has that name
    ├── MissingExtraError (ImportError) an optional dependency is missing; says what to install
    ├── StoreError (RuntimeError)      the results store cannot be read or written
    │   └── UnknownRunError            no run has that id (also an InputError: exit 2)
    ├── SandboxError (RuntimeError)    the sandbox itself broke (never a model failure)
    └── BackendError (RuntimeError)    a model backend failed on our side (unreachable, bad key)

The CLI prints any ``CodehazardError`` as one line without a traceback and exits non-zero.
"""

from __future__ import annotations


class CodehazardError(Exception):
    """Root of every error codehazard raises on purpose."""


class InputError(CodehazardError, ValueError):
    """A user-supplied file, line or field is invalid; the message says where and how to fix it."""


class TaskLoadError(InputError):
    """A task file cannot be loaded."""


class UnknownNameError(InputError, LookupError):
    """No registered backend, suite, checker, scorer, executor... has the name given."""

    def __init__(self, message: str, *, kind: str = "", name: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name


class MissingExtraError(CodehazardError, ImportError):
    """An optional dependency is not installed; the message has the exact install line."""

    def __init__(self, message: str, *, extra: str = "") -> None:
        super().__init__(message)
        self.extra = extra


class StoreError(CodehazardError, RuntimeError):
    """The results store cannot be opened, read or written."""


class UnknownRunError(StoreError, InputError):
    """No run in the store has the id given: the user's input, not a broken store."""


class SandboxError(CodehazardError, RuntimeError):
    """The sandbox failed (an infrastructure failure, never counted against the model)."""


class BackendError(CodehazardError, RuntimeError):
    """A model backend failed on our side: unreachable server, bad key, missing package."""


__all__ = [
    "BackendError",
    "CodehazardError",
    "InputError",
    "MissingExtraError",
    "SandboxError",
    "StoreError",
    "TaskLoadError",
    "UnknownNameError",
    "UnknownRunError",
]
