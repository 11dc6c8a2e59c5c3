"""Where the store lives by default."""

from __future__ import annotations

import os
from pathlib import Path


def default_store_path() -> Path:
    """``$CODEHAZARD_STORE`` if set, else ``codehazard.sqlite`` in the user's data directory."""
    env = os.environ.get("CODEHAZARD_STORE")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("codehazard") / "codehazard.sqlite"
