"""Integrations with other evaluation tools: Inspect (``inspect-ai``), through the ``inspect``
extra.

* ``codehazard_task(suite, **params)``: a codehazard suite or probe as an Inspect ``Task``
  (seeded dataset, Inspect's ``generate()``, codehazard's sandbox as the scorer); every suite
  is registered with Inspect as ``codehazard/<suite>`` through the ``inspect_ai`` entry point
  (``codehazard.integrations.inspect_tasks``).
* ``import_inspect_log(path, store=...)``: an Inspect ``.eval`` or ``.json`` log becomes a
  codehazard run (one run per evaluation, however often it is imported), judged by the
  sandbox unless codehazard's scorer already judged it.

Named ``integrations`` rather than ``inspect``, which would read as the standard library's
module. Nothing here imports ``inspect_ai`` until it is used: without the extra, each function
raises ``MissingExtraError`` with the install line. See docs/inspect.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codehazard._registry import require_extra

if TYPE_CHECKING:
    from codehazard.integrations._inspect_import import InspectImport

INSPECT_EXTRA = "inspect"


def require_inspect(feature: str) -> None:
    """Check that Inspect is installed.

    Raises:
        MissingExtraError: it is not; the message has ``pip install 'codehazard[inspect]'``.
    """
    require_extra(INSPECT_EXTRA, "inspect_ai", feature=feature)


def codehazard_task(suite: str, **params: Any) -> Any:
    """An Inspect ``Task`` over the registered suite ``suite`` (see
    ``_inspect_task.codehazard_task`` for the options).

    Raises:
        MissingExtraError: Inspect is not installed.
        InputError: an unknown suite or a bad parameter.
    """
    require_inspect("an Inspect task")
    from codehazard.integrations._inspect_task import codehazard_task as build

    return build(suite, **params)


def import_inspect_log(path: str, **kwargs: Any) -> InspectImport:
    """Import an Inspect log as a codehazard run (see ``_inspect_import.import_inspect_log``).

    Raises:
        MissingExtraError: Inspect is not installed.
        InputError, StoreError, SandboxError: as that function documents.
    """
    require_inspect("`codehazard import inspect`")
    from codehazard.integrations._inspect_import import import_inspect_log as run_import

    return run_import(path, **kwargs)


__all__ = ["INSPECT_EXTRA", "codehazard_task", "import_inspect_log", "require_inspect"]
