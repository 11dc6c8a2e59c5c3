"""The layers of ``docs/architecture.md``, kept: every import of every module is read (AST,
imports inside functions and ``TYPE_CHECKING`` blocks included) and checked against one graph.

Two rules:

1. a package imports only the packages ``ALLOWED`` lists for it (the drawing in
   ``docs/architecture.md``; change both together);
2. a private module (``_name``) of a package is imported only from inside that package;
   others use the package's ``__init__`` (its ``__all__``). The root's own private modules
   (``codehazard._registry``, ``codehazard._jsonl``) are shared infrastructure for every package.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import codehazard

SRC = Path(codehazard.__file__).parent
ROOT = "codehazard"

_BASE = {"errors", "_registry", "_jsonl", "verdict"}
"""The foundations every package may use: the exception tree, the registry mechanism, the
JSONL reader and the verdict vocabulary."""

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_registry": {"errors"},
    "_jsonl": {"errors"},
    "verdict": {"errors"},
    "tasks": _BASE,
    "samples": _BASE | {"tasks"},
    "scoring": {"errors"},  # pure maths: errors and numpy, nothing else
    "models": _BASE | {"tasks", "samples"},
    "sandbox": _BASE | {"tasks", "samples"},
    "store": _BASE | {"tasks", "samples"},
    "executors": _BASE | {"tasks", "samples", "sandbox"},
    "evaluation": _BASE | {"tasks", "samples", "sandbox", "store", "scoring", "executors"},
    "generation": _BASE
    | {"tasks", "samples", "sandbox", "store", "scoring", "executors", "models", "evaluation"},
    "runs": _BASE
    | {
        "tasks",
        "samples",
        "sandbox",
        "store",
        "scoring",
        "executors",
        "models",
        "evaluation",
        "generation",
        "probes",
    },
    "probes": _BASE | {"tasks", "samples", "sandbox", "store", "scoring", "metrics"},
    "metrics": _BASE | {"scoring"},
    "analysis": _BASE | {"tasks", "samples", "sandbox", "store", "scoring", "metrics", "runs"},
    "hazards": _BASE | {"scoring", "metrics", "runs", "store"},
    "report": _BASE
    | {"tasks", "samples", "scoring", "metrics", "analysis", "hazards", "runs", "store"},
    "integrations": _BASE
    | {"tasks", "samples", "sandbox", "store", "scoring", "executors", "models", "evaluation"}
    | {"generation", "probes", "runs", "metrics"},
    "human": _BASE
    | {"tasks", "samples", "sandbox", "store", "scoring", "executors", "evaluation", "runs"},
    "_facade": _BASE
    | {"tasks", "samples", "sandbox", "store", "scoring", "metrics", "analysis", "hazards"}
    | {"report", "models", "evaluation", "generation", "runs", "executors", "probes"},
}
"""Package -> the packages it may import (besides itself). ``cli`` may import everything; the
top-level façade (``codehazard/__init__.py``) everything but ``cli``; ``__main__`` only ``cli``."""

KNOWN_PRIVATE_IMPORTS: set[tuple[str, str]] = set()
"""Private imports across packages that other work in progress will remove; never add to it."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((ROOT, *parts))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute ``codehazard`` module a file imports, with its line (``from a import b``
    yields ``a`` and ``a.b``: ``b`` may be a module)."""
    own = _module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _top(module: str) -> str | None:
    """The top-level package of a ``codehazard`` module (``None`` for the root itself or for
    another distribution)."""
    parts = module.split(".")
    if parts[0] != ROOT:
        return None
    return parts[1] if len(parts) > 1 else None


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def _is_private_of_another(importer: str, imported: str) -> bool:
    parts = imported.split(".")
    if len(parts) < 3:
        return False  # codehazard.X: a package or a root module
    owner = ".".join(parts[:2])
    private = any(_private(p) for p in parts[2:])
    return private and not importer.startswith(owner + ".") and importer != owner


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_the_graph_names_every_package() -> None:
    tops = {_top(_module_name(p)) for p in _modules()} - {None, "cli", "__main__"}
    assert tops <= set(ALLOWED), f"add {sorted(tops - set(ALLOWED))} to ALLOWED and the docs"


def test_no_forbidden_edge() -> None:
    bad = []
    for path in _modules():
        importer = _module_name(path)
        source = _top(importer)
        for line, imported in _imports(path):
            target = _top(imported)
            if target is None or target == source:
                continue
            if source == "cli" or (source is None and target != "cli"):
                continue
            if source == "__main__":
                ok = target == "cli"
            else:
                ok = target in ALLOWED.get(source or "", set())
            if not ok and imported.split(".")[:2] != [ROOT, "__version__"]:
                bad.append(f"{path.relative_to(SRC)}:{line}: {source} -> {target} ({imported})")
    assert not bad, "imports outside the layering of docs/architecture.md:\n" + "\n".join(bad)


def test_no_private_module_imported_from_another_package() -> None:
    bad, seen = [], set()
    for path in _modules():
        importer = _module_name(path)
        for line, imported in _imports(path):
            if _top(imported) in (None, "_registry", "_jsonl"):
                continue
            if not _is_private_of_another(importer, imported):
                continue
            parts = imported.split(".")
            first = next(i for i, p in enumerate(parts) if i >= 2 and _private(p))
            module = ".".join(parts[: first + 1])
            if (importer, module) in KNOWN_PRIVATE_IMPORTS:
                seen.add((importer, module))
                continue
            bad.append(f"{path.relative_to(SRC)}:{line}: {imported}")
    assert not bad, "private modules imported from another package:\n" + "\n".join(bad)
    stale = KNOWN_PRIVATE_IMPORTS - seen
    assert not stale, f"fixed, so remove from KNOWN_PRIVATE_IMPORTS: {sorted(stale)}"


@pytest.mark.parametrize(
    ("source", "code", "expected"),
    [
        ("scoring", "from codehazard.store import Store", "scoring -> store"),
        ("scoring", "def f():\n    import codehazard.sandbox\n", "scoring -> sandbox"),
    ],
)
def test_the_checker_sees_function_level_imports(
    tmp_path: Path, source: str, code: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checker itself: a forbidden edge, even one hidden inside a function, is reported."""
    fake = tmp_path / "codehazard"
    (fake / source).mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / source / "__init__.py").write_text("")
    (fake / source / "_bad.py").write_text(code)
    monkeypatch.setattr(sys.modules[__name__], "SRC", fake)
    with pytest.raises(AssertionError, match=expected):
        test_no_forbidden_edge()
