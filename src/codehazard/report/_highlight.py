"""Offline syntax highlighting of Python for the HTML report: our own, a few dozen lines.

Generated code is Python, and Python's own ``tokenize`` knows its lexical grammar, so the
highlighter classifies tokens (keyword, builtin, string, number, comment, name of a
definition) and wraps them in ``<span class="tok-...">``; the page's stylesheet colours them.
Code that does not tokenise (a syntax error halfway) is shown escaped and unhighlighted from the
point where tokenising failed. The text between tokens is kept exactly.
"""

from __future__ import annotations

import builtins
import functools
import io
import keyword
import token
import tokenize
from html import escape

_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))


def _kind(tok: tokenize.TokenInfo, previous: str) -> str | None:
    if tok.type == token.NAME:
        if keyword.iskeyword(tok.string) or keyword.issoftkeyword(tok.string):
            return "kw"
        if previous in ("def", "class"):
            return "def"
        return "bi" if tok.string in _BUILTINS else None
    if tok.type == token.STRING or tok.type in _FSTRING:
        return "str"
    return {token.NUMBER: "num", token.COMMENT: "com"}.get(tok.type)


_FSTRING = {
    getattr(token, n)
    for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(token, n)
}


def _offsets(code: str) -> list[int]:
    starts, pos = [0], 0
    for line in code.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


@functools.lru_cache(maxsize=4096)
def highlight_python(code: str) -> str:
    """``code`` as escaped HTML with highlighted tokens (no surrounding ``<pre>``); cached,
    since many samples of a run hold the same code."""
    lines = _offsets(code)
    out: list[str] = []
    done = 0
    previous = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in (token.ENDMARKER, token.INDENT, token.DEDENT, token.NEWLINE, token.NL):
                continue
            (sr, sc), (er, ec) = tok.start, tok.end
            start = lines[sr - 1] + sc
            end = lines[er - 1] + ec
            if start < done:
                continue
            out.append(escape(code[done:start]))
            kind = _kind(tok, previous)
            text = escape(code[start:end])
            out.append(f'<span class="tok-{kind}">{text}</span>' if kind else text)
            done = end
            previous = tok.string
    except (tokenize.TokenError, SyntaxError, IndexError):
        pass
    out.append(escape(code[done:]))
    return "".join(out)
