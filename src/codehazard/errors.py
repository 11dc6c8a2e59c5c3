"""One exception root for the whole library.

Tree::

    CodehazardError
    ├── InputError (ValueError)        bad input: a file, a line, a field; names the fix
    │   └── TaskLoadError
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
    "SandboxError",
    "StoreError",
    "TaskLoadError",
    "UnknownRunError",
]
