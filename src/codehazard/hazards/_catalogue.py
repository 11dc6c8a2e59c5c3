"""The default catalogue: the framework's hazards, shipped as a commented YAML hazard log.

It is package data rather than Python so that ``codehazard hazards init`` can hand users the
file itself, comments and all, as the starting point of their own log.
"""

from __future__ import annotations

from importlib import resources

CATALOGUE_FILE = "catalogue.yaml"


def default_catalogue_text() -> str:
    """The YAML text of the default hazard log, comments included."""
    data = resources.files("codehazard.hazards") / "data" / CATALOGUE_FILE
    return data.read_text(encoding="utf-8")
