"""Reading the package names out of a model's answer: every ``import``/``from`` line and every
``pip install`` line, in code, comments, shell blocks, inline code and prose.

A line scanner does the reading, so code that does not parse (Python 2, a fragment, a
transcript) is read all the same; the Python parser is asked only whether the code parses
(the analysis status) and for ``importlib.import_module("x")`` / ``__import__("x")`` calls
with a literal name. Prose is read conservatively: an ``import`` line counts only when every
item of it is a dotted name (``import the data`` is English), and a ``pip install`` in prose
stops at the first word that is not a package name.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w+.-]*)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
_CODE_LANGS = {"", "python", "py", "python3", "py3", "ipython", "pycon", "python2", "jupyter"}
_MARKER = re.compile(r"^\s*(?:>>>|\.\.\.|In \[\d*\]:|[#$%!>]+)?\s*")
_IMPORT = re.compile(r"^import\s+(.+?)\s*(?:[#;].*)?$")
_FROM = re.compile(r"^from\s+(\.*)([A-Za-z_][\w.]*)?\s+import\s*\(?\s*([A-Za-z_]\w*)?")
_ITEM = re.compile(r"^([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)(?:\s+as\s+[A-Za-z_]\w*)?$")
_INLINE = re.compile(r"`([^`\n]+)`")
_PIP = re.compile(
    r"(?:^|[\s;&|(`!%])(?:python[\d.]*\s+-m\s+)?"
    r"(?:pip[\d.]*|uv\s+pip|pipenv|poetry|uv|pipx)\s+(?:install|add)\b(.*)$"
)
_NAME = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(.*)$")
_SPEC_START = ("[", "=", "<", ">", "!", "~", ";", "@", ",")
_VALUE_OPTIONS = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
    "--python-version", "--platform", "--only-binary", "--no-binary", "--src", "--python",
    "--group", "-G", "--source", "--trusted-host", "--proxy", "--cert", "--log",
}  # fmt: skip
_SHELL_STOP = {"&&", "||", ";", "|", ">", ">>", "2>&1", "&"}
_PROSE_STOP = {
    "and", "or", "then", "to", "first", "if", "in", "for", "with", "the", "you", "it",
    "before", "after", "via", "using", "command", "package", "packages", "library",
    "libraries", "module", "is", "are", "will", "from", "on", "as", "by", "this", "that",
}  # fmt: skip
_LOCAL_FILE = re.compile(r"(?<![\w/.])([A-Za-z_]\w*)(?:/__init__)?\.py\b")
_LOCAL_DIR = re.compile(r"(?<![\w.])([A-Za-z_]\w*)/__init__\.py\b")


PARSE_LIMIT = 300_000
"""Code longer than this is read line by line only: the parser takes seconds on a megabyte
and the lines say the same about imports."""


@dataclass(frozen=True)
class Mention:
    """One name as the answer gives it: ``import`` (a module path; ``level`` > 0 for a relative
    import) or ``install`` (a distribution named to an installer), with its 1-based line."""

    kind: str
    name: str
    line: int
    level: int = 0
    where: str = "code"
    item: str = ""
    """The first name a ``from`` import takes (``storage`` of ``from google.cloud import
    storage``): a module of a namespace package."""


@dataclass(frozen=True)
class Block:
    """A fenced block: its language tag, its text and the line its first line has."""

    lang: str
    text: str
    line: int


def fenced_blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown answer, with their first lines."""
    out = []
    for m in _FENCE.finditer(text):
        first = text.count("\n", 0, m.start(3)) + 1
        out.append(Block(m[2].lower(), m[3], first))
    return out


def code_parses(code: str) -> bool:
    """Whether ``code`` parses as Python 3: as it is, dedented (a completion's body), or as
    the body of a function (a body with ``return`` or ``yield``)."""
    for attempt in (code, textwrap.dedent(code), "def _f():\n" + textwrap.indent(code, " ")):
        try:
            ast.parse(attempt)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        return True
    return False


def dynamic_imports(code: str) -> list[str]:
    """Literal module names given to ``importlib.import_module`` or ``__import__`` (parsed
    only when the text names one of them, and under ``PARSE_LIMIT``)."""
    if len(code) > PARSE_LIMIT or ("import_module" not in code and "__import__" not in code):
        return []
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        named = (isinstance(func, ast.Name) and func.id == "__import__") or (
            isinstance(func, ast.Attribute) and func.attr == "import_module"
        )
        arg = node.args[0]
        if named and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if _ITEM.match(arg.value):
                found.append(arg.value)
    return found


def _imports_in(line: str, lineno: int, where: str) -> Iterator[Mention]:
    body = _MARKER.sub("", line, count=1).strip()
    m = _FROM.match(body)
    if m:
        dots, name = m[1], m[2] or ""
        if dots or name:
            yield Mention("import", name, lineno, len(dots), where, m[3] or "")
        return
    m = _IMPORT.match(body)
    if not m:
        return
    items = [item.strip() for item in m[1].strip("()").split(",")]
    parsed = [_ITEM.match(item) for item in items if item]
    if parsed and all(parsed):
        for match in parsed:
            assert match is not None
            yield Mention("import", match[1], lineno, 0, where)


def _install_names(args: str, prose: bool) -> Iterator[str]:
    tokens = args.split()
    skip = False
    for raw in tokens:
        if skip:
            skip = False
            continue
        if raw in _SHELL_STOP or raw.startswith("#"):
            return
        if raw.startswith("-"):
            skip = raw in _VALUE_OPTIONS
            continue
        token = raw.strip("'\"`")
        ended = token.endswith((".", ",", ":", ")", "!", "?")) and prose
        token = token.rstrip(".,:;)!?") if prose else token.rstrip(";")
        if prose and token.lower() in _PROSE_STOP:
            return
        if "/" in token or token.startswith((".", "$", "<", "{")) or token.endswith(".whl"):
            if ended:
                return
            continue
        m = _NAME.match(token)
        if m and (not m[2] or m[2].startswith(_SPEC_START)):
            yield m[1]
        elif prose:
            return
        if ended:
            return


def _installs_in(line: str, lineno: int, where: str) -> Iterator[Mention]:
    m = _PIP.search(line)
    if m:
        for name in _install_names(m[1], where == "prose"):
            yield Mention("install", name, lineno, 0, where)


def scan_lines(text: str) -> list[Mention]:
    """Every import and install mention of ``text``, in line order (fenced or not, and in the
    inline code of prose)."""
    inside = set()
    for block in fenced_blocks(text):
        inside.update(range(block.line, block.line + block.text.count("\n") + 1))
    found: list[Mention] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if len(line) > 10_000:  # a minified or binary line: no import statement is that long
            continue
        where = "code" if lineno in inside else "prose"
        found += _imports_in(line, lineno, where)
        found += _installs_in(line, lineno, where)
        if where == "prose" and "`" in line:
            for span in _INLINE.findall(line):
                found += _imports_in(span, lineno, "inline")
                found += _installs_in(span, lineno, "inline")
    return found


def local_modules(text: str) -> set[str]:
    """Module names the answer defines itself: files it names (``utils.py``, a package's
    ``models/__init__.py``)."""
    return set(_LOCAL_FILE.findall(text)) | set(_LOCAL_DIR.findall(text))


_CODE_LINE = re.compile(
    r"^\s*(?:def|class|print|for|while|if|elif|else|try|except|return|import|from|with)\b"
    r"|^\s*[A-Za-z_][\w.]*\s*=[^=]|^\s*[A-Za-z_][\w.]*\(.*\)\s*$",
    re.M,
)


def looks_like_code(text: str) -> bool:
    """Whether unparsable text still looks like Python (a statement keyword or an assignment
    starting a line): a syntax error rather than prose."""
    return bool(_CODE_LINE.search(text))


def code_parts(text: str) -> tuple[list[str], bool]:
    """The code of an answer (its Python blocks, or the whole text when it has no fences) and
    whether the answer had fences."""
    blocks = fenced_blocks(text)
    if not blocks:
        return [text], False
    return [b.text for b in blocks if b.lang in _CODE_LANGS], True
