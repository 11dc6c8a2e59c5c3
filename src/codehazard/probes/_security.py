"""The ``security`` analyser: bandit in-process plus our own AST rules, by CWE.

What a model wrote is read the way the sandbox reads it (``codehazard.samples``: the Python
fences of a Markdown answer, or the text itself), parsed, never run, and given to bandit's
kept tests and to our rules (``_security_rules``, ``_security_rules_web``); findings from
both are merged by ``dedupe`` (one per CWE and line, the surest kept, the others named).
Every output ends with a status: an answer with no code is ``no-code``, code that does not
parse is analysed chunk by chunk where it can be (``partial``: Python 2 prints, a half-written
function) or is a ``syntax-error``; over ``MAX_CHARS`` it is ``too-large``; a crash of a rule
is ``error`` with the rule named (our bug, never the model's).
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from codehazard.probes import _security_bandit as bandit
from codehazard.probes._findings import Analysis, AnalysisStatus, Finding, dedupe
from codehazard.probes._security_ast import Index
from codehazard.probes._security_gates import GATES, gated_out
from codehazard.probes._security_rules import RULES, Hit, Rule
from codehazard.probes._security_rules_web import WEB_RULES
from codehazard.samples import fenced_blocks

ANALYSER = "security"
RULES_VERSION = 1
MAX_CHARS = 512 * 1024
"""Outputs above this size (512 KiB) are ``too-large``: no prompt asks for that much code,
and bandit's recursive visitor takes seconds on it."""
CATEGORIES = (
    "CWE-22", "CWE-78", "CWE-79", "CWE-89", "CWE-94", "CWE-295", "CWE-326", "CWE-327",
    "CWE-330", "CWE-377", "CWE-502", "CWE-611", "CWE-732", "CWE-798", "CWE-918", "CWE-1333",
)  # fmt: skip
"""Every category a finding of this analyser can have."""
_ALL_RULES = (*RULES, *WEB_RULES)
_CODE_LINE = re.compile(
    r"^\s*(def |class |import |from \S+ import |@\w|if .*:$|for .*:$|while .*:$|return\b|"
    r"with .*:$|try:|\w+(\.\w+)*\s*=[^=]|\w+(\.\w+)*\(.*\)\s*$|print[ (])"
)
_PY2 = re.compile(r"^\s*(print\s+[\"'\w]|exec\s+[\"']|except\s+\w+\s*,\s*\w+\s*:)", re.M)


@dataclass(frozen=True)
class _Unit:
    """One piece of code in the output: its text and the output line it starts on."""

    code: str
    first_line: int


class SecurityAnalyser:
    """Insecure code by CWE: bandit's tests that fit, and our own rules for what it misses.

    ``use_bandit=False`` runs our rules alone (to measure what bandit adds); ``gated=False``
    gives every rule and bandit every statement, whatever words the code holds (to test the
    gates, ``_security_gates``). ``context`` may
    carry the task's ``prompt``: a completion that only parses after it is read with it.
    """

    name = ANALYSER

    def __init__(self, *, use_bandit: bool = True, gated: bool = True) -> None:
        self.use_bandit = use_bandit
        self.gated = gated

    def analyse(self, text: str, *, context: Mapping[str, Any] | None = None) -> Analysis:
        """Findings on ``text`` and its status; never raises, never runs ``text``."""
        try:
            return self._analyse(text, context or {})
        except Exception as exc:  # our bug: shown as the status, the run goes on
            return Analysis(status="error", detail=f"security analyser failed: {exc!r}"[:500])

    def _analyse(self, text: str, context: Mapping[str, Any]) -> Analysis:
        if not isinstance(text, str):
            return Analysis(status="no-code", detail=f"not text ({type(text).__name__})")
        if len(text) > MAX_CHARS:
            return Analysis(
                status="too-large", detail=f"{len(text):,} characters (cap {MAX_CHARS:,})"
            )
        if _binary(text):
            return Analysis(status="no-code", detail="binary data, not text")
        units, lines = _units(text), text.splitlines()
        parsed: list[tuple[ast.Module, _Unit]] = []
        failed: list[str] = []
        prompt = context.get("prompt")
        if isinstance(prompt, str) and prompt and not fenced_blocks(text):
            # a completion continues its prompt: read with it, the parameters are known
            parsed = _with_prompt(prompt, text)
        for unit in units if not parsed else ():
            trees, complete = _parse(unit)
            parsed += trees
            if not complete:
                failed.append(f"line {unit.first_line}")
        parsed = [(tree, unit) for tree, unit in parsed if _has_code(tree)]
        if not parsed:
            if not failed or not units or not any(_CODE_LINE.match(line) for line in lines):
                return Analysis(status="no-code", detail="no Python code found")
            return Analysis(status="syntax-error", detail=_why_not(text))
        found, notes = self._findings(parsed, lines)
        status: AnalysisStatus = "partial" if failed else "analysed"
        if any(note.startswith("rule ") for note in notes):
            status = "error"
        elif any(note.startswith("bandit") for note in notes):
            status = "partial"
        if failed:
            notes.insert(0, f"unparsed code from {', '.join(failed[:5])}" + _py2_note(text))
        return Analysis(
            status=status,
            findings=dedupe(found),
            detail="; ".join(notes),
            metadata={"rules_version": RULES_VERSION, "bandit": self.use_bandit,
                      "units": len(parsed), "invited": (context.get("metadata") or {}).get("cwe")},
        )  # fmt: skip

    def _findings(
        self, parsed: list[tuple[ast.Module, _Unit]], lines: list[str]
    ) -> tuple[list[Finding], list[str]]:
        found: list[Finding] = []
        notes: list[str] = []
        for tree, unit in parsed:
            rules = [r for r in _ALL_RULES if not (self.gated and gated_out(r.__name__, unit.code))]
            chosen = _relevant(tree, unit.code, rules) if self.gated and rules else tree
            index = Index.build(chosen) if rules else None
            for rule in rules:
                assert index is not None
                try:
                    found += [_finding(hit, unit, lines) for hit in rule(index)]
                except Exception as exc:
                    notes.append(f"rule {rule.__name__} failed: {exc!r}"[:300])
            if self.use_bandit:
                try:
                    found += bandit.findings(
                        tree, unit.code, unit.first_line, lines, gated=self.gated
                    )
                except ImportError:
                    notes.append("bandit is not installed: our rules only")
                except (RecursionError, SyntaxError, ValueError, MemoryError) as exc:
                    notes.append(f"bandit skipped this code: {type(exc).__name__}")
        return [f for f in found if f.line is None or f.line >= 1], notes


def _relevant(tree: ast.Module, code: str, rules: list[Rule]) -> ast.Module:
    """The module cut to what the rules can fire on: its imports and top-level assignments
    (names the rules resolve), and the statements whose lines (decorators included) hold a
    word of one of ``rules``' gates, or a name that an import or assignment holding one
    binds (``etree`` of ``from lxml import etree``, ``http`` of ``http = requests.Session()``)."""
    gates = "|".join(f"(?:{GATES[r.__name__].pattern})" for r in rules)
    lines = code.splitlines()

    def text(stmt: ast.stmt) -> str:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        return "\n".join(lines[first - 1 : getattr(stmt, "end_lineno", None) or stmt.lineno])

    words = re.compile(gates)
    bound: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom | ast.Assign) and words.search(text(stmt)):
            if isinstance(stmt, ast.Assign):
                bound.update(
                    n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)
                )
            else:
                bound.update((a.asname or a.name).split(".")[0] for a in stmt.names)
    if bound:
        words = re.compile(
            gates + "|" + r"\b(?:" + "|".join(map(re.escape, sorted(bound))) + r")\b"
        )
    kept = [
        stmt
        for stmt in tree.body
        if isinstance(stmt, ast.Import | ast.ImportFrom | ast.Assign | ast.AnnAssign)
        or words.search(text(stmt))
    ]
    return tree if len(kept) == len(tree.body) else ast.Module(body=kept, type_ignores=[])


def _finding(hit: Hit, unit: _Unit, lines: list[str]) -> Finding:
    lineno = getattr(hit.node, "lineno", None)
    line = None if lineno is None else unit.first_line + lineno - 1
    snippet = lines[line - 1].strip()[:200] if line is not None and 0 < line <= len(lines) else ""
    return Finding(
        analyser=ANALYSER,
        rule=hit.rule,
        category=hit.cwe,
        message=hit.message,
        severity=hit.severity,
        confidence=hit.confidence,
        line=line,
        snippet=snippet,
        metadata={"source": "codehazard"},
    )


def _binary(text: str) -> bool:
    sample = text[:4096]
    if "\x00" in sample:
        return True
    odd = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    return len(sample) > 0 and odd / len(sample) > 0.05


def _units(text: str) -> list[_Unit]:
    """The fenced Python blocks with their first lines in the output, or else the whole
    output (a completion or bare code)."""
    blocks = fenced_blocks(text)
    if not blocks:
        return [_Unit(text, 1)] if text.strip() else []
    units, position = [], 0
    for body in blocks:
        start = text.find(body, position)
        if start < 0:
            continue
        units.append(_Unit(body, text.count("\n", 0, start) + 1))
        position = start + len(body)
    return units


def _quiet_parse(code: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(code)


def _parse(unit: _Unit) -> tuple[list[tuple[ast.Module, _Unit]], bool]:
    """The unit's trees: the whole unit if it parses (dedented, or as a function body, for a
    completion), else each top-level chunk that parses; ``True`` when nothing was lost."""
    for code, shift in _readings(unit.code):
        try:
            return [(_quiet_parse(code), _Unit(code, unit.first_line - shift))], True
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return list(_chunks(unit)), False


def _readings(code: str) -> Iterator[tuple[str, int]]:
    yield code, 0
    dedented = textwrap.dedent(code)
    if dedented != code:
        yield dedented, 0
    if code[:1] in " \t" or code.lstrip().startswith(("return", "    ")):
        yield "def _completion():\n" + code, 1


def _chunks(unit: _Unit) -> Iterator[tuple[ast.Module, _Unit]]:
    lines = unit.code.splitlines(keepends=True)
    starts = [
        i
        for i, line in enumerate(lines)
        if line[:1] not in " \t\n\r#)]}"
        and line.strip()
        and not re.match(r"(else|elif|except|finally)\b", line)
    ]
    if not starts:
        return
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        code = "".join(lines[begin:end])
        try:
            tree = _quiet_parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if _has_code(tree):
            yield tree, _Unit(code, unit.first_line + begin)


def _has_code(tree: ast.Module) -> bool:
    """Not just a bare name or literal (prose like ``Sorry`` parses as one)."""
    return any(
        not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Name | ast.Constant))
        for node in tree.body
    )


def _with_prompt(prompt: str, text: str) -> list[tuple[ast.Module, _Unit]]:
    """A completion read after its prompt, lines counted from the completion's first."""
    offset = prompt.count("\n")
    try:
        tree = _quiet_parse(prompt + text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return [(tree, _Unit(prompt + text, 1 - offset))]


def _why_not(text: str) -> str:
    try:
        _quiet_parse(text)
    except SyntaxError as exc:
        return f"does not parse: {exc.msg} (line {exc.lineno}){_py2_note(text)}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"does not parse: {type(exc).__name__}"
    return "no part of the code parses"


def _py2_note(text: str) -> str:
    return "; looks like Python 2" if _PY2.search(text) else ""
