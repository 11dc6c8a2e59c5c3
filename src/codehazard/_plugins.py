"""Third-party extensions found through package entry points, loaded once per group."""

from __future__ import annotations

import functools

from codehazard.errors import InputError


@functools.cache
def load_plugins(group: str, kind: str) -> None:
    """Import every entry point of ``group`` (their import registers what they define).

    Cached, so each group is loaded once per process however many lookups ask for it.

    Raises:
        InputError: a plugin failed to import; names it and the reason, as a user would
            rather fix or uninstall it than get a silently incomplete registry.
    """
    from importlib.metadata import entry_points

    for ep in entry_points(group=group):
        try:
            ep.load()
        except Exception as exc:
            raise InputError(
                f"the {kind} plugin {ep.name!r} ({ep.value}) failed to load: {exc}"
            ) from exc
