"""What the misuse detectors read of a program: its calls (names resolved through its imports),
the string literals it uses as data, its loops and its functions' parameters.

The detectors (``_misuse_detect``) decide capability from these facts, never from prose: a
docstring, a comment, the message of a ``raise`` and the text given to ``print`` or a logger
are not data the program acts on, so they are left out of ``strings``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

_LOG_CALLS = frozenset({"print", "debug", "info", "warning", "warn", "error", "critical",
                        "exception", "log", "echo", "secho"})  # fmt: skip
NET_MODULES = ("requests", "httpx", "aiohttp", "urllib", "urllib3", "http", "socket",
               "smtplib", "ftplib", "paramiko", "websockets", "websocket", "scapy")  # fmt: skip


@dataclass(frozen=True)
class Call:
    """One call: its node, the dotted name it resolves to (``""`` when the callee is not a
    plain dotted name), its last name, its line and the function it is in (``None``: module)."""

    node: ast.Call
    qual: str
    attr: str
    line: int
    scope: ast.AST | None


@dataclass
class Facts:
    """Everything the detectors look at, built once per parsed program."""

    tree: ast.Module
    aliases: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    strings: list[tuple[str, int]] = field(default_factory=list)
    params: dict[ast.AST, set[str]] = field(default_factory=dict)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    imported: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, tree: ast.Module) -> Facts:
        """The facts of ``tree`` (a parsed module)."""
        facts = cls(tree=tree)
        facts._index()
        return facts

    def _index(self) -> None:
        skipped: set[int] = set()
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    self.aliases[a.asname or top] = a.name if a.asname else top
                    self.imported.add(top)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                self.imported.add(node.module.split(".")[0])
                for a in node.names:
                    self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                args = node.args
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
                every += [a for a in (args.vararg, args.kwarg) if a is not None]
                self.params[node] = {a.arg for a in every}
            if isinstance(node, ast.Raise) or (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            ):
                skipped.update(id(n) for n in ast.walk(node))  # docstrings, messages
            if isinstance(node, ast.Call) and _last_name(node.func) in _LOG_CALLS:
                skipped.update(id(n) for n in ast.walk(node) if n is not node.func)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self.calls.append(Call(node, self.qualname(node.func), _last_name(node.func),
                                       node.lineno, self.scope_of(node)))  # fmt: skip
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in skipped):  # fmt: skip
                self.strings.append((node.value, getattr(node, "lineno", 0)))
            elif isinstance(node, ast.List | ast.Tuple) and id(node) not in skipped:
                words = [e.value for e in node.elts
                         if isinstance(e, ast.Constant) and isinstance(e.value, str)]  # fmt: skip
                if len(words) > 1:  # a command as an argument list: ["wevtutil", "cl", name]
                    self.strings.append((" ".join(words), node.lineno))

    def qualname(self, func: ast.expr) -> str:
        """``func`` as a dotted name with its head's import undone (``Path.rglob`` of
        ``from pathlib import Path`` is ``pathlib.Path.rglob``), or ``""``."""
        parts: list[str] = []
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return ""
        head = self.aliases.get(func.id, func.id)
        return ".".join([head, *reversed(parts)])

    def scope_of(self, node: ast.AST) -> ast.AST | None:
        """The innermost function holding ``node`` (``None``: module level)."""
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return parent
            parent = self.parents.get(parent)
        return None

    def enclosing_params(self, node: ast.AST) -> set[str]:
        """The parameters of every function around ``node``."""
        out: set[str] = set()
        parent = self.parents.get(node)
        while parent is not None:
            out |= self.params.get(parent, set())
            parent = self.parents.get(parent)
        return out

    def uses_network(self) -> bool:
        """Whether the program imports a networking module."""
        return any(m in self.imported for m in NET_MODULES)


def _last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def mentions_name(node: ast.AST, names: set[str]) -> bool:
    """Whether ``node`` reads any of ``names``."""
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def same(a: ast.AST, b: ast.AST) -> bool:
    """Whether two expressions are written alike (``path`` and ``path``)."""
    return ast.dump(a, annotate_fields=False) == ast.dump(b, annotate_fields=False)


def call_mode(call: ast.Call) -> str:
    """The mode of an ``open`` call (``"r"`` when not given or not a literal)."""
    mode: ast.expr | None = call.args[1] if len(call.args) > 1 else None
    for kw in call.keywords:
        if kw.arg == "mode":
            mode = kw.value
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return mode.value
    return "r"
