"""The registry index the packages probe resolves names against, and the typosquat test.

The index (package data, built by ``scripts/build_package_index.py``) is every project name of
a registry snapshot, PEP 503-normalised, and the most downloaded ones in rank order. It loads
once per process (about a second and some 60 MB for 900,000 names) and is shared by every
analyser. A name is *typosquat-like* when it exists but is obscure (outside the popular list)
and is one edit (insertion, deletion, substitution, or two adjacent characters swapped) from a
popular name of at least five characters, differs from one only by separators, or is a popular
name with a ``python-``/``py`` prefix or a ``-python``/``-py`` suffix added: the confusions
typosquatters register.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

TARGETS = 5000
"""How many of the most downloaded projects a typosquat is measured against."""
MIN_EDIT_LENGTH = 5
"""Shorter popular names are too close to too many others for one edit to mean anything."""
_SEPARATORS = re.compile(r"[-_.]+")
_AFFIXES = (("python-", ""), ("py", ""), ("py-", ""), ("", "-python"), ("", "-py"))


def normalise(name: str) -> str:
    """PEP 503: lower case, each run of ``-``, ``_`` and ``.`` one ``-``."""
    return _SEPARATORS.sub("-", name).lower()


def _deletes(name: str) -> set[str]:
    return {name[:i] + name[i + 1 :] for i in range(len(name))}


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or
    swap of two adjacent characters (optimal string alignment distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@dataclass(frozen=True)
class IndexInfo:
    """What every result records about the index: its snapshot date, source and size."""

    snapshot: str
    source: str
    names: int
    popular_source: str

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the Score metadata."""
        return {"snapshot": self.snapshot, "source": self.source, "names": self.names,
                "popular_source": self.popular_source}  # fmt: skip


class PackageIndex:
    """Project names of a registry snapshot, their download ranks, and the confusion test."""

    def __init__(self, names: set[str], popular: list[str], info: IndexInfo) -> None:
        self.names = names
        self.rank = {name: i + 1 for i, name in enumerate(popular)}
        self.info = info

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalise(name) in self.names

    def popular(self, name: str) -> bool:
        """Whether ``name`` is among the most downloaded projects of the popular list."""
        return normalise(name) in self.rank

    @cached_property
    def _targets(self) -> tuple[dict[str, set[str]], dict[str, str]]:
        by_delete: dict[str, set[str]] = {}
        squashed: dict[str, str] = {}
        for name, rank in self.rank.items():
            if rank > TARGETS:
                continue
            squashed.setdefault(name.replace("-", ""), name)
            if len(name) >= MIN_EDIT_LENGTH:
                for key in {name, *_deletes(name)}:
                    by_delete.setdefault(key, set()).add(name)
        return by_delete, squashed

    def imitates(self, name: str) -> str | None:
        """The popular project ``name`` looks like a typo or confusion of, or ``None``
        (popular names themselves imitate nothing)."""
        name = normalise(name)
        if name in self.rank:
            return None
        by_delete, squashed = self._targets
        target = squashed.get(name.replace("-", ""))
        if target is not None and target != name:
            return target
        for prefix, suffix in _AFFIXES:
            if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix):
                core = name[len(prefix) : len(name) - len(suffix) or None]
                if core in self.rank and self.rank[core] <= TARGETS and core != name:
                    return core
        near: set[str] = set()
        for key in {name, *_deletes(name)}:
            near |= by_delete.get(key, set())
        close = sorted((t for t in near if within_one_edit(name, t)), key=lambda t: self.rank[t])
        return close[0] if close else None


_LOCK = threading.Lock()
_LOADED: PackageIndex | None = None


def load_index(data: Any) -> PackageIndex:
    """The index in ``data``, a directory (or package resource) holding the three files
    ``scripts/build_package_index.py`` writes.

    Raises:
        OSError: a file is missing or unreadable.
    """
    blob = gzip.decompress((data / "pypi-names.txt.gz").read_bytes())
    names = set(blob.decode("ascii").split("\n")) - {""}
    popular = (data / "pypi-popular.txt").read_text(encoding="ascii").split()
    meta = json.loads((data / "pypi-index.json").read_text(encoding="utf-8"))
    info = IndexInfo(
        snapshot=str(meta.get("snapshot", "")),
        source=str(meta.get("source", "")),
        names=len(names),
        popular_source=str(meta.get("popular_source", "")),
    )
    return PackageIndex(names, popular, info)


def default_index() -> PackageIndex:
    """The index shipped with the package, loaded on first use and kept for the process."""
    global _LOADED
    with _LOCK:
        if _LOADED is None:
            _LOADED = load_index(resources.files("codehazard.probes") / "data")
        return _LOADED
