"""Library messages name library arguments; the command line turns them into its flags, once.

Every error the library builds (a ``raise`` or an ``...Error(...)`` call outside ``cli/``) is
read from the source (AST) and must not name one of the command line's own flags; the names it
writes as `` `argument` `` must be in ``cli._common.LIBRARY_FLAGS``, whose flags must exist.
"""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import codehazard
from codehazard.cli import _common, build_parser, main

SRC = Path(codehazard.__file__).parent


def _flags() -> set[str]:
    found: set[str] = set()

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            found.update(o for o in action.option_strings if o.startswith("--"))
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    walk(child)

    walk(build_parser())
    return found - {"--help", "--version"}


def _message_text(node: ast.AST) -> str:
    """The literal text of the strings (f-strings' literal parts included) under ``node``."""
    return " ".join(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


def _messages() -> Iterator[tuple[str, int, str]]:
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("cli/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "id", getattr(called, "attr", ""))
            if isinstance(node, ast.Raise) or name.endswith("Error"):
                yield relative, node.lineno, _message_text(node)


def test_library_messages_name_no_command_line_flag() -> None:
    flags = _flags()
    pattern = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
    offending = []
    for module, line, text in _messages():
        named = [f for f in pattern.findall(text) if f in flags]
        if named:
            offending.append(f"{module}:{line}: {', '.join(named)}")
    assert not offending, "name the library argument as `name` or `name=value` instead"


def test_every_argument_named_translates_to_a_real_flag() -> None:
    flags = _flags() | {"-n"}
    assert set(_common.LIBRARY_FLAGS.values()) <= flags
    argument = re.compile(r"`([a-z][a-z0-9_]*)(?:=[^`]*)?`")
    for module, line, text in _messages():
        for name in argument.findall(text):
            assert name in _common.LIBRARY_FLAGS, f"{module}:{line}: `{name}` has no flag"


@pytest.mark.parametrize(
    ("library", "cli"),
    [
        ("`resume=abc`: the file changed", "--resume abc: the file changed"),
        ("pass `allow_changed_tasks=True` to go on", "pass --allow-changed-tasks to go on"),
        ("check `mode`, `top_p` and `n`", "check --mode, --top-p and -n"),
        ("`model='x y'`: expected", "--model 'x y': expected"),
        ("run `codehazard runs list` or `not_an_argument`", "run `codehazard runs list` or "
         "`not_an_argument`"),
    ],
)  # fmt: skip
def test_cli_text_turns_arguments_into_flags(library: str, cli: str) -> None:
    assert _common.cli_text(library) == cli


def test_the_command_line_prints_a_library_error_with_its_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from codehazard.errors import InputError
    from codehazard.models import create_backend

    with pytest.raises(InputError, match=r"`model='/x'`: expected <backend>/<model>"):
        create_backend("/x")
    argv = ["run", "--model", "/x", "--tasks", str(tmp_path / "t.jsonl")]
    (tmp_path / "t.jsonl").write_text(
        '{"task_id": "t/0", "prompt": "def f():\\n", "entry_point": "f", "canonical_solution": '
        '"    return 1\\n", "test": "def check(c):\\n    assert c() == 1\\n"}\n'
    )
    assert main([*argv, "--store", str(tmp_path / "st.sqlite")]) == 2
    err = capsys.readouterr().err
    assert "--model '/x': expected <backend>/<model>" in err and "`" not in err
