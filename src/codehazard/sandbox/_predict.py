"""Predicting the calls a ``check(candidate)`` test will make, so they can be pipelined.

Each call to the candidate is a round trip between the judge and the runner; a HumanEval test
makes about nine. When the test's first statements call the candidate with literal arguments
(``assert candidate([1, 2]) == 3``), the judge can send those calls at once and the runner
answers them back to back, saving a wake-up of each process per call.

A prediction is only ever a hint. The judge compares every call the test actually makes with
the prediction, element by element; on the first difference the sample is judged again from
the start without one (see ``Channel``). So this module only needs to be right often, never
always: it reads the longest prefix of ``check``'s body that is straight-line code (no
branches, loops, ``try``, short-circuiting operators or chained comparisons), collects the
candidate calls in evaluation order, and stops at anything it does not understand.
"""

from __future__ import annotations

import ast
from typing import Any

Call = tuple[tuple[Any, ...], dict[str, Any]]

_PLAIN = (
    ast.Name,
    ast.Constant,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.Compare,
    ast.keyword,
    ast.Load,
    ast.Store,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
)
"""Expression nodes whose children are evaluated, all of them, in ``_fields`` order."""


class _Stop(Exception):
    """The statement cannot be predicted: the prediction ends before it."""


def predict_calls(test_source: str, entry_point: str, limit: int = 256) -> list[Call]:
    """The candidate calls the start of ``check`` makes, in order; ``[]`` when none are known.

    ``entry_point`` is the candidate's name in the test's namespace (the judge binds it to the
    candidate too), so a bare use of it ends the prediction like one of ``candidate``.
    """
    try:
        module = ast.parse(test_source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    check = next(
        (n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "check"), None
    )
    if check is None or not check.args.args:
        return []
    names = {check.args.args[0].arg, entry_point}
    calls: list[Call] = []
    for statement in check.body:
        found: list[Call] = []
        try:
            _statement(statement, names, found)
        except (_Stop, ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            break
        calls.extend(found)
        if len(calls) >= limit:
            return calls[:limit]
    return calls


def _statement(node: ast.stmt, names: set[str], found: list[Call]) -> None:
    if isinstance(node, ast.Pass):
        return
    if isinstance(node, ast.Expr):
        _expression(node.value, names, found)
    elif isinstance(node, ast.Assert):
        if node.msg is not None and _mentions(node.msg, names):
            raise _Stop  # the message is evaluated only when the assertion fails
        _expression(node.test, names, found)
    elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        if any(t.id in names for t in node.targets):  # type: ignore[attr-defined]
            raise _Stop
        _expression(node.value, names, found)
    else:
        raise _Stop


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _expression(node: ast.AST, names: set[str], found: list[Call]) -> None:
    """Collect candidate calls under ``node`` in the order Python evaluates them."""
    if not isinstance(node, _PLAIN):
        raise _Stop
    if isinstance(node, ast.Compare) and len(node.ops) != 1:
        raise _Stop  # a chained comparison stops at its first false link
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
        found.append(_literal_call(node))
        return
    if isinstance(node, ast.Name) and node.id in names:
        raise _Stop  # the candidate passed around: where it is called is unknown
    for child in ast.iter_child_nodes(node):
        _expression(child, names, found)


def _literal_call(node: ast.Call) -> Call:
    if any(isinstance(a, ast.Starred) for a in node.args):
        raise _Stop
    if any(k.arg is None for k in node.keywords):
        raise _Stop
    args = tuple(ast.literal_eval(a) for a in node.args)
    kwargs = {str(k.arg): ast.literal_eval(k.value) for k in node.keywords}
    return args, kwargs
