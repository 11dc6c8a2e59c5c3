"""Exceptions across the channel: described by the runner, rebuilt faithfully in the judge.

A test may expect the candidate to raise (``except UnicodeDecodeError``, ``assertRaises``), so
the judge re-raises, inside the trusted test, an exception of a class deriving the builtin class
the candidate's exception derives from, built from the same arguments. The description is plain
data: the class name, the nearest builtin exception class in its MRO, its ``str()``, its
``args`` (when they are plain data) and, for exception groups, its members.

Anything the runner sends is candidate-controlled (the candidate can write any reply on the
answer channel), so ``rebuild`` is total: a description it cannot follow still yields an
exception (of the builtin class when it can be built, else a plain ``CandidateRaised``), never
an error of the judge. A candidate gains nothing by claiming an exception it did not raise: it
could have raised it.

Standard library and ``_codec`` only: the runner half runs inside the sandbox.
"""

from __future__ import annotations

import builtins
import json
from typing import Any

from codehazard.sandbox._codec import MAX_DEPTH, decode, encode

MESSAGE_LIMIT = 300
"""Characters of an exception's ``str()`` sent back."""
GROUP_LIMIT = 64
"""Members of an exception group described (and nesting levels of groups)."""
BUILTIN_ATTRIBUTES = ("filename", "filename2", "name", "path")
"""Attributes of builtin exceptions that are not in ``args`` (``OSError.filename``,
``NameError.name``, ``ImportError.path``): sent, when plain data, and set on the rebuilt one."""
WIRE_LIMIT = 64 * 1024
"""Bytes of arguments (and of attributes) sent with one exception: a larger exception is rebuilt
from its message, so its report never exceeds what one answer may hold."""
_OURS = frozenset({"type_name", "candidate_message", "args"})

_BUILTIN_EXCEPTIONS: dict[int, str] = {
    id(obj): name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, BaseException)
}
"""Builtin exception classes by identity, taken when this module is imported (before any
candidate code runs, so a patched ``builtins`` cannot pass its own class for a builtin one)."""


# --- the runner's half --------------------------------------------------------------------------


def _builtin_base(cls: type) -> str:
    """The name of the first builtin exception class in ``cls``'s MRO."""
    for klass in type.__dict__["__mro__"].__get__(cls):
        name = _BUILTIN_EXCEPTIONS.get(id(klass))
        if name is not None:
            return name
    return "BaseException"


def describe(exc: BaseException, depth: int = 0) -> list[Any]:
    """``[name, message, extra]`` for an exception the candidate raised; never raises.

    ``extra`` holds ``base`` (the builtin class it derives), ``args`` (wire form, or ``None``
    when they are not plain data) and, for an exception group, ``group``: its message and the
    descriptions of its members.
    """
    try:
        cls = type(exc)
        name = type.__dict__["__name__"].__get__(cls)
        base = _builtin_base(cls)
    except BaseException:
        name, base = "Exception", "Exception"
    try:
        message = str(exc)
        message = message[:MESSAGE_LIMIT] if type(message) is str else ""
    except BaseException:
        message = "<the exception's message could not be read>"
    extra: dict[str, Any] = {"base": base, "args": None, "attrs": _attributes(exc)}
    try:
        args = encode(BaseException.__dict__["args"].__get__(exc))
        extra["args"] = args if _small(args) else None
    except BaseException:
        pass
    if isinstance(exc, BaseExceptionGroup) and depth < GROUP_LIMIT:
        try:
            members = [describe(e, depth + 1) for e in list(exc.exceptions)[:GROUP_LIMIT]]
            extra["group"] = [str(exc.message)[:MESSAGE_LIMIT], members]
        except BaseException:
            pass
    return [name, message, extra]


def _attributes(exc: BaseException) -> dict[str, Any]:
    """The exception's plain-data attributes beyond ``args`` (builtin ones and its own)."""
    found: dict[str, Any] = {}
    try:
        names = list(BUILTIN_ATTRIBUTES)
        own = BaseException.__dict__["__dict__"].__get__(exc)
        names += [k for k in own if type(k) is str and not k.startswith("_")][:GROUP_LIMIT]
    except BaseException:
        return found
    for key in names:
        try:
            value = object.__getattribute__(exc, key)
            if value is not None:
                found[key] = encode(value)
        except BaseException:
            continue
    return found if _small(found) else {}


def _small(wire: Any) -> bool:
    return len(json.dumps(wire)) <= WIRE_LIMIT


# --- the judge's half ---------------------------------------------------------------------------


class CandidateRaised(Exception):
    """Base of exceptions re-raised in the judge on the candidate's behalf.

    ``str()`` is the candidate's own ``str()`` of its exception, whatever the builtin base
    would make of the rebuilt arguments.
    """

    type_name = "Exception"
    candidate_message = ""

    def __str__(self) -> str:
        return self.candidate_message


_NEVER_DERIVED = (StopIteration, StopAsyncIteration)
"""Exceptions with control-flow meaning to the interpreter: a StopIteration raised through
``map(candidate, inputs)`` would silently end the test's loop with nothing checked. (Only
``Exception`` subclasses are derived at all: a rebuilt ``SystemExit`` or ``KeyboardInterrupt``
would unwind the judge itself.)"""
_CACHE_LIMIT = 4096
_RAISED: dict[tuple[str, str], type[CandidateRaised]] = {}


def _base_class(base: Any) -> type[Exception] | None:
    cls = getattr(builtins, base, None) if type(base) is str else None
    if (
        isinstance(cls, type)
        and _BUILTIN_EXCEPTIONS.get(id(cls)) == base
        and issubclass(cls, Exception)
        and not issubclass(cls, _NEVER_DERIVED)
    ):
        return cls
    return None


def raised_class(name: str, base: str | None = None) -> type[CandidateRaised]:
    """A judge-side class named ``name`` deriving ``CandidateRaised`` and the builtin ``base``.

    ``base`` defaults to ``name`` (the candidate raised a builtin exception). A base that is not
    a builtin ``Exception`` class (or is ``StopIteration``) gives ``CandidateRaised`` alone.
    """
    name = name if type(name) is str and name.isidentifier() else "Exception"
    key = (name, base if type(base) is str else name)
    cls = _RAISED.get(key)
    if cls is None:
        builtin = _base_class(key[1])
        bases: tuple[type, ...] = (
            (CandidateRaised,) if builtin is None else (CandidateRaised, builtin)
        )
        try:
            cls = type(name, bases, {"type_name": name})
        except TypeError:  # an unusable combination of bases: keep the name
            cls = type(name, (CandidateRaised,), {"type_name": name})
        if len(_RAISED) < _CACHE_LIMIT:
            _RAISED[key] = cls
    return cls


def _arguments(extra: dict[str, Any], message: str, depth: int) -> tuple[Any, ...]:
    group = extra.get("group")
    if type(group) is list and len(group) == 2 and type(group[1]) is list and depth < GROUP_LIMIT:
        members = [rebuild(m, depth + 1) for m in group[1][:GROUP_LIMIT]]
        return (str(group[0]), members)
    try:
        args = decode(extra.get("args"), MAX_DEPTH)
    except Exception:
        args = None
    return args if type(args) is tuple else (message,)


def rebuild(description: Any, depth: int = 0) -> CandidateRaised:
    """The exception to raise in the judge for a description from the runner; never raises.

    Built from the candidate's arguments when its class accepts them (so ``UnicodeDecodeError``,
    ``OSError`` with an errno, ``KeyError`` of a tuple and ``ExceptionGroup`` keep their
    attributes), else from its message, else without calling ``__init__`` at all.
    """
    if type(description) is not list or len(description) not in (2, 3):
        description = ["Exception", "malformed exception report"]
    name, message = (x if type(x) is str else str(x)[:MESSAGE_LIMIT] for x in description[:2])
    extra = description[2] if len(description) == 3 and type(description[2]) is dict else {}
    cls = raised_class(name, extra.get("base", name))
    exc: CandidateRaised | None = None
    for args in (_arguments(extra, message, depth), (message,)):
        try:
            exc = cls(*args)
            break
        except Exception:
            continue
    if exc is None:
        try:
            exc = cls.__new__(cls, message)
        except Exception:
            exc = raised_class(name, "")(message)
    attrs = extra.get("attrs")
    for key, wire in attrs.items() if type(attrs) is dict else ():
        if type(key) is str and key not in _OURS and not key.startswith("_"):
            if key in BUILTIN_ATTRIBUTES or not hasattr(type(exc), key):
                try:
                    setattr(exc, key, decode(wire, MAX_DEPTH))
                except Exception:
                    continue
    exc.candidate_message = message
    return exc
