"""codehazard: hazard analysis and specification-driven evaluation of code-synthesis models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("codehazard")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
