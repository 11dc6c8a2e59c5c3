"""What the security rules know about one parsed program: names, scopes, values, taint.

The rules ask three questions of an expression, each answered flow-insensitively and never by
running anything: what a call's dotted name is once import aliases are undone (``qualname``);
whether a string is built only from literals and other values that cannot carry input
(``is_static``: the test that separates a parameterised query built in steps from a formatted
one); and whether a value comes from a function's parameters or a web request (``is_tainted``:
the test for path traversal and server-side request forgery). A name assigned several times is
static only when every assignment is; a name the snippet never defines is not static (a model's
partial answer often uses variables it does not define) and not tainted.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

_Pred = Callable[[ast.AST], bool]
Scope = ast.AST
"""A function (or lambda) node, or the module: where a name is looked up."""

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
NUMERIC_CASTS = frozenset({"int", "float", "len", "bool", "abs", "round", "hash", "ord"})
"""Calls whose result cannot carry attacker text into a string."""
_STR_METHODS = frozenset(
    {"join", "upper", "lower", "strip", "rstrip", "lstrip", "format", "replace", "title"}
)
_REQUEST_ROOTS = frozenset(
    {"request", "req", "flask.request", "bottle.request", "fastapi.Request", "self.request"}
)
_TAINT_CALLS = frozenset({"input", "sys.argv", "raw_input"})


@dataclass
class Index:
    """Import aliases, parents, scopes, assignments and parameters of one module's tree."""

    tree: ast.Module
    aliases: dict[str, str] = field(default_factory=dict)
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    assigns: dict[tuple[int, str], list[ast.expr]] = field(default_factory=dict)
    params: dict[int, set[str]] = field(default_factory=dict)
    nodes: list[ast.AST] = field(default_factory=list)
    by_type: dict[type, list[ast.AST]] = field(default_factory=dict)
    _calls: list[tuple[ast.Call, str]] | None = None

    @classmethod
    def build(cls, tree: ast.Module) -> Index:
        """Index ``tree`` in one walk (iterative, so deep trees do not recurse)."""
        index = cls(tree)
        nodes = index.nodes
        parents = index.parents
        stack: list[ast.AST] = [tree]
        while stack:
            node = stack.pop()
            nodes.append(node)
            index.by_type.setdefault(type(node), []).append(node)
            for child in ast.iter_child_nodes(node):
                parents[child] = node
                stack.append(child)
        nodes.reverse()
        for kind, record in _RECORDERS.items():
            for node in index.by_type.get(kind, ()):
                record(index, node)
        return index

    def of(self, *kinds: type) -> list[ast.AST]:
        """The nodes of these exact types, in no particular order."""
        if len(kinds) == 1:
            return self.by_type.get(kinds[0], [])
        return [node for kind in kinds for node in self.by_type.get(kind, ())]

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else local

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.module:
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
        self.params[id(node)] = {n for n in names if n not in {"self", "cls"}}

    def _assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value, node)

    def _assign_one(self, node: ast.AnnAssign | ast.NamedExpr | ast.AugAssign) -> None:
        if node.value is not None and (
            not isinstance(node, ast.AugAssign) or isinstance(node.target, ast.Name)
        ):
            self._bind(node.target, node.value, node)

    def _loop(self, node: ast.For | ast.AsyncFor | ast.comprehension) -> None:
        self._bind(node.target, _Opaque(node.iter), node)

    def _with(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._bind(node.optional_vars, node.context_expr, node)

    def _bind(self, target: ast.AST, value: ast.expr, at: ast.AST) -> None:
        if isinstance(target, ast.Name):
            key = (id(self.scope_of(at)), target.id)
            self.assigns.setdefault(key, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                self._bind(elt, _Opaque(value), at)

    def scope_of(self, node: ast.AST) -> Scope:
        """The innermost function enclosing ``node`` (the module at top level)."""
        current = self.parents.get(node)
        while current is not None and not isinstance(current, _FUNCS):
            current = self.parents.get(current)
        return current if current is not None else self.tree

    def enclosing(self, node: ast.AST, kinds: tuple[type, ...]) -> ast.AST | None:
        """The nearest ancestor of ``node`` of one of ``kinds``."""
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kinds):
            current = self.parents.get(current)
        return current

    def values(self, name: str, at: ast.AST) -> list[ast.expr] | None:
        """Every value assigned to ``name`` where ``at`` sees it; ``None``: a parameter;
        ``[]``: never assigned in this snippet."""
        scope = self.scope_of(at)
        while True:
            if name in self.params.get(id(scope), set()):
                return None
            found = self.assigns.get((id(scope), name))
            if found:
                return found
            if scope is self.tree:
                return []
            scope = self.scope_of(scope)

    def qualname(self, node: ast.AST) -> str:
        """The dotted name of a call's function or an attribute chain, aliases undone
        (``np.load`` -> ``numpy.load``); a chain through a local variable resolves the
        variable once (``s = requests.Session(); s.get`` -> ``requests.Session().get``)."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Call):
            inner = self.qualname(node.func)
            return ".".join([inner + "()", *reversed(parts)]) if inner else ""
        if not isinstance(node, ast.Name):
            return ""
        root = self.aliases.get(node.id)
        if root is None:
            values = self.values(node.id, node)
            if values and len(values) == 1 and isinstance(values[0], ast.Call):
                inner = self.qualname(values[0].func)
                root = inner + "()" if inner else node.id
            else:
                root = node.id
        return ".".join([root, *reversed(parts)])

    def constant(self, node: ast.AST | None, depth: int = 0) -> object:
        """The literal value of ``node`` (through names assigned once, and simple unary or
        binary arithmetic), or ``None`` when it is not known."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            values = self.values(node.id, node)
            return self.constant(values[0], depth + 1) if values and len(values) == 1 else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = self.constant(node.operand, depth + 1)
            return -value if isinstance(value, int) else None
        if isinstance(node, ast.BinOp):
            return _arith(
                node.op, self.constant(node.left, depth + 1), self.constant(node.right, depth + 1)
            )
        if isinstance(node, ast.Attribute):
            return _STAT_MODES.get(self.qualname(node))
        return None

    def is_static(self, node: ast.AST, *, safe_calls: Iterable[str] = (), depth: int = 0) -> bool:
        """Whether ``node`` is built only from literals, constants (``UPPER_CASE`` names),
        numeric casts and calls named in ``safe_calls`` (escapers, quoters)."""
        if depth > 12:
            return False
        safe = frozenset(safe_calls)

        def static(child: ast.AST) -> bool:
            return self.is_static(child, safe_calls=safe, depth=depth + 1)

        if isinstance(node, _Opaque):
            return static(node.source) if isinstance(node.source, ast.List | ast.Tuple) else False
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(static(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return static(node.value)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Mult):
                return static(node.left) or static(node.right)
            return static(node.left) and static(node.right)
        if isinstance(node, ast.IfExp):
            return static(node.body) and static(node.orelse)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return all(static(e) for e in node.elts)
        if isinstance(node, ast.GeneratorExp | ast.ListComp):
            return static(node.elt)
        if isinstance(node, ast.Name):
            if node.id.isupper():
                return True
            values = self.values(node.id, node)
            return bool(values) and all(static(v) for v in values)
        if isinstance(node, ast.Attribute):
            return node.attr.isupper()
        if isinstance(node, ast.Call):
            return self._static_call(node, safe, static)
        return False

    def _static_call(self, node: ast.Call, safe: frozenset[str], static: _Pred) -> bool:
        name = self.qualname(node.func)
        short = node.func.attr if isinstance(node.func, ast.Attribute) else name.rsplit(".")[-1]
        if name in NUMERIC_CASTS or name in safe or short in safe:
            return True
        if isinstance(node.func, ast.Attribute) and short in _STR_METHODS:
            arguments = [*node.args, *(k.value for k in node.keywords)]
            return static(node.func.value) and all(static(a) for a in arguments)
        return False

    def is_tainted(self, node: ast.AST, *, clean_calls: Iterable[str] = (), depth: int = 0) -> bool:
        """Whether ``node`` carries a function parameter, web-request data, ``input()`` or
        ``sys.argv``; a call named in ``clean_calls`` (``os.path.basename``) cleans it."""
        if depth > 12:
            return False
        clean = frozenset(clean_calls)

        def tainted(child: ast.AST) -> bool:
            return self.is_tainted(child, clean_calls=clean, depth=depth + 1)

        if isinstance(node, _Opaque):
            return tainted(node.source)
        if isinstance(node, ast.Name):
            if node.id in _REQUEST_ROOTS or self.aliases.get(node.id) in _REQUEST_ROOTS:
                return True
            values = self.values(node.id, node)
            return values is None or any(tainted(v) for v in values or ())
        if isinstance(node, ast.Call):
            name = self.qualname(node.func)
            if name in clean or name.rsplit(".", 1)[-1] in clean or name in NUMERIC_CASTS:
                return False
            if name in _TAINT_CALLS:
                return True
            parts = [node.func, *node.args, *(k.value for k in node.keywords)]
            return any(tainted(p) for p in parts)
        if isinstance(node, ast.Attribute | ast.Subscript):
            root = self.qualname(node)
            if any(root == r or root.startswith(r + ".") for r in _REQUEST_ROOTS):
                return True
            if root.startswith("sys.argv"):
                return True
            return tainted(node.value)
        if isinstance(node, ast.Constant):
            return False
        return any(tainted(child) for child in ast.iter_child_nodes(node))

    def calls(self) -> Iterator[tuple[ast.Call, str]]:
        """Every call in the tree with its qualified name (computed once)."""
        if self._calls is None:
            self._calls = [(node, self.qualname(node.func)) for node in self.of(ast.Call)]
        return iter(self._calls)


class _Opaque(ast.expr):
    """A value known only to come from ``source`` (a loop item, an unpacked tuple)."""

    def __init__(self, source: ast.expr) -> None:
        super().__init__()
        self.source = source


_RECORDERS: dict[type, Callable[[Index, Any], None]] = {
    ast.Import: Index._import,
    ast.ImportFrom: Index._import_from,
    ast.FunctionDef: Index._function,
    ast.AsyncFunctionDef: Index._function,
    ast.Lambda: Index._function,
    ast.Assign: Index._assign,
    ast.AnnAssign: Index._assign_one,
    ast.NamedExpr: Index._assign_one,
    ast.AugAssign: Index._assign_one,
    ast.For: Index._loop,
    ast.AsyncFor: Index._loop,
    ast.comprehension: Index._loop,
    ast.withitem: Index._with,
}
"""What each kind of node tells the index (imports first: dict order is the order applied)."""


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword argument ``name`` of ``call``, if given."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def argument(call: ast.Call, position: int, name: str | None = None) -> ast.expr | None:
    """The argument at ``position`` or, failing that, keyword ``name``."""
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return keyword(call, name) if name else None


def name_tokens(name: str) -> list[str]:
    """``resetToken_value`` -> ``["reset", "token", "value"]``: snake and camel case split."""
    out: list[str] = []
    for part in name.replace("-", "_").split("_"):
        word = ""
        for char in part:
            if char.isupper() and word and not word[-1].isupper():
                out.append(word.lower())
                word = ""
            word += char
        if word:
            out.append(word.lower())
    return out


def _arith(op: ast.operator, left: object, right: object) -> object:
    if not isinstance(left, int) or not isinstance(right, int):
        return None
    if isinstance(op, ast.BitOr):
        return left | right
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Mult) and abs(left) < 1 << 32 and abs(right) < 1 << 32:
        return left * right
    if isinstance(op, ast.Pow) and 0 <= right < 64 and abs(left) < 1 << 16:
        return left**right
    return None


_STAT_MODES = {
    f"stat.{name}": value
    for name, value in {
        "S_IRWXU": 0o700, "S_IRUSR": 0o400, "S_IWUSR": 0o200, "S_IXUSR": 0o100,
        "S_IRWXG": 0o070, "S_IRGRP": 0o040, "S_IWGRP": 0o020, "S_IXGRP": 0o010,
        "S_IRWXO": 0o007, "S_IROTH": 0o004, "S_IWOTH": 0o002, "S_IXOTH": 0o001,
    }.items()
}  # fmt: skip
