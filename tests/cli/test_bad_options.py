"""Every command's options, walked with bad values: one line naming the option, never a trace.

The table is read from the parser itself, so an option added later is walked too: each option's
validator (``cli._common``) says which bad values it must refuse. A meta-test keeps every
numeric or file option on a validator, so ``nan``, ``inf``, ``0`` and directories cannot slip
through a bare ``float``, ``int`` or ``Path``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codehazard.cli import _common, build_parser, main

BAD_VALUES: dict[object, list[str]] = {
    _common.positive_int: ["0", "-1", "nan", "1.5", "x", ""],
    _common.non_negative_int: ["-1", "nan", "x"],
    _common.positive_float: ["0", "-1", "nan", "inf", "-inf", "x", "1e999"],
    _common.non_negative_float: ["-1", "nan", "inf", "x"],
    _common.probability: ["0", "1", "2", "nan", "inf", "x"],
    _common.unit_interval: ["0", "1.5", "nan", "x"],
    _common.input_file: ["{missing}", "{directory}"],
    _common.output_file: ["{directory}", "{file}/below/a/file"],
    _common.output_or_stdout: ["{directory}"],
    _common.store_file: ["{directory}"],
    _common.key_value: ["x", "=1", "device=", "a b=1"],
}
"""Bad values per validator; ``{missing}``, ``{directory}``, ``{file}`` become real paths."""

GOOD_VALUES: dict[object, str] = {
    _common.input_file: "{file}",
    _common.output_file: "{out}",
    _common.output_or_stdout: "-",
}


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if path:
        yield path, parser
    for sub in subs:
        for name, child in sub.choices.items():
            yield from _commands(child, (*path, name))


def _validated_actions() -> Iterator[tuple[tuple[str, ...], argparse.Action]]:
    for path, parser in _commands(build_parser()):
        for action in parser._actions:
            if action.type in BAD_VALUES:
                yield path, action


def _cases() -> list[tuple[tuple[str, ...], str, str]]:
    out = []
    for path, action in _validated_actions():
        name = action.option_strings[-1] if action.option_strings else action.dest
        for bad in BAD_VALUES[action.type]:
            out.append((path, name, bad))
    return out


CASES = _cases()


def _fill(text: str, tmp_path: Path) -> str:
    a_file = tmp_path / "a_file.jsonl"
    a_file.write_text("{}\n")
    return text.format(
        missing=tmp_path / "missing.jsonl",
        directory=tmp_path,
        file=a_file,
        out=tmp_path / "out.json",
    )


def _argv(path: tuple[str, ...], option: str, bad: str, tmp_path: Path) -> list[str]:
    """The command with every other required argument valid and ``option`` given ``bad``."""
    parser = dict(_commands(build_parser()))[path]
    argv = list(path)
    for action in parser._actions:
        name = action.option_strings[-1] if action.option_strings else action.dest
        if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
            continue
        value = bad if name == option else None
        if value is None and (action.required or not action.option_strings):
            value = GOOD_VALUES.get(action.type, "x")
        if value is None:
            continue
        if action.option_strings:
            argv.append(action.option_strings[-1])
        argv.append(_fill(value, tmp_path))
    return argv


def test_every_command_has_validated_options() -> None:
    walked = {" ".join(path) for path, _name, _bad in CASES}
    expected = {"evaluate", "run", "curves", "suites build", "suites selftest", "assess"}
    assert expected | {"hazards validate"} <= walked


@pytest.mark.parametrize(
    ("path", "option", "bad"), CASES, ids=[" ".join((*c[0], c[1], c[2])) for c in CASES]
)
def test_a_bad_value_is_one_line_naming_the_option(
    path: tuple[str, ...],
    option: str,
    bad: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = _argv(path, option, bad, tmp_path)
    start = time.monotonic()
    code = main(argv)
    assert time.monotonic() - start < 5
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert option.lstrip("-") in err, err
    assert "--help" in err  # says where the fix is described


LIBRARY_VALIDATED = {("run", "--top-p"): "nan"}
"""Options whose values the library's own model checks, with one bad value it refuses."""


def test_no_numeric_or_file_option_is_left_to_a_bare_type() -> None:
    """``float`` lets nan and inf through; ``Path`` lets directories and missing files through
    (``int`` is fine only where every integer, negative ones included, makes sense)."""
    unguarded = [
        (" ".join(path), action.option_strings[-1] if action.option_strings else action.dest)
        for path, parser in _commands(build_parser())
        for action in parser._actions
        if action.type in (float, Path)
    ]
    assert set(unguarded) <= set(LIBRARY_VALIDATED)


@pytest.mark.parametrize(("command", "option"), list(LIBRARY_VALIDATED))
def test_options_the_library_validates_are_one_line_too(
    command: str, option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, _ = _toy_files(tmp_path, 0)
    bad = LIBRARY_VALIDATED[(command, option)]
    argv = [command, "--tasks", str(tasks), "--model", "simulated", option, bad]
    assert main([*argv, "--store", str(tmp_path / "s.db"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and option in err and "Traceback" not in err


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    secret = tmp_path / "tasks.jsonl"
    secret.write_text("{}\n")
    secret.chmod(0)
    with pytest.raises(argparse.ArgumentTypeError, match="not readable"):
        _common.input_file(str(secret))


def _toy_files(tmp_path: Path, copies: int) -> tuple[Path, Path]:
    tasks = tmp_path / "tasks.jsonl"
    task = {
        "task_id": "toy/add",
        "prompt": "def add(a, b):\n",
        "canonical_solution": "    return a + b\n",
        "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
        "entry_point": "add",
    }
    tasks.write_text(json.dumps(task) + "\n")
    samples = tmp_path / "samples.jsonl"
    line = json.dumps({"task_id": "toy/add", "completion": "    return a + b\n"}) + "\n"
    samples.write_text(line * copies)
    return tasks, samples


def test_500_workers_on_six_samples_are_capped_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, samples = _toy_files(tmp_path, 6)
    argv = ["evaluate", str(samples), "--tasks", str(tasks), "--store", str(tmp_path / "s.db")]
    start = time.monotonic()
    code = main([*argv, "--workers", "500", "--json"])
    assert time.monotonic() - start < 60
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "--workers 500" in out.err and "note" in out.err
    summary = json.loads(out.out)
    assert summary["status_counts"] == {"passed": 6}
    assert summary["isolation"]["workers"] <= 6


def test_resuming_with_another_timeout_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, samples = _toy_files(tmp_path, 2)
    argv = ["evaluate", str(samples), "--tasks", str(tasks), "--store", str(tmp_path / "s.db")]
    assert main([*argv, "--workers", "1", "--timeout", "3"]) == 0
    capsys.readouterr()
    assert main([*argv, "--workers", "1", "--timeout", "7", "--resume"]) == 2
    err = capsys.readouterr().err
    assert "--timeout 3.0 (not 7.0)" in err and err.count("\n") == 1


def test_missing_output_folders_are_created_for_every_output_option(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "tasks.jsonl"
    code = main(
        [
            "suites",
            "build",
            "building-blocks",
            "--lengths",
            "1",
            "--per-length",
            "1",
            "-o",
            str(target),
        ]
    )
    assert code == 0 and target.exists()
    schema = tmp_path / "other" / "schema.json"
    assert main(["hazards", "schema", "-o", str(schema)]) == 0 and schema.exists()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "codehazard", *args]


def test_output_piped_into_head_exits_quietly() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as `| head` can be
    try:
        producer = subprocess.run(
            _cli("hazards", "schema"),
            stdout=write_end,
            capture_output=False,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert b"Traceback" not in producer.stderr and b"BrokenPipe" not in producer.stderr
    assert producer.stderr == b""
    assert producer.returncode == 141


@pytest.mark.slow  # 8 s waiting for a signal: CI runs it
def test_sigterm_is_handled_as_ctrl_c_with_a_resume_hint(tmp_path: Path) -> None:
    tasks, _ = _toy_files(tmp_path, 0)
    samples = tmp_path / "slow.jsonl"
    body = "    import time\n    time.sleep(3)\n    return a + b\n"
    samples.write_text((json.dumps({"task_id": "toy/add", "completion": body}) + "\n") * 20)
    store = tmp_path / "s.db"
    groups_before = set(_worker_cgroups())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = ("evaluate", str(samples), "--tasks", str(tasks), "--store", str(store))
    proc = subprocess.Popen(
        _cli(*args, "--workers", "1", "--timeout", "10", "--no-progress"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (store.exists() and _has_a_verdict(store)):
        time.sleep(0.2)
    os.killpg(proc.pid, 15)  # the whole group, as a service manager or `timeout` would
    _out, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "Traceback" not in text, text
    assert text.endswith("\n") and "--resume" in text
    from codehazard.store import Store

    with Store(store) as db:
        (run,) = db.list_runs()
        assert run.status == "interrupted"
    # the workers got the signal too: nothing of theirs (processes, cgroups) may be left
    left = [p for p in set(_worker_cgroups()) - groups_before if _dead(p)]
    assert not left, left


def _worker_cgroups() -> list[Path]:
    """Cgroup directories named as sandbox workers name theirs (``codehazard-<pid>-<i>``)."""
    found: list[Path] = []
    for dirpath, dirnames, _ in os.walk("/sys/fs/cgroup"):
        found += [Path(dirpath, d) for d in dirnames if d.startswith("codehazard-")]
        dirnames[:] = [d for d in dirnames if not d.startswith("codehazard-")]
        if dirpath.count("/") > 6:
            dirnames[:] = []
    return found


def _dead(group: Path) -> bool:
    """Is the worker that named this group gone?"""
    return not Path("/proc", group.name.split("-")[1]).exists()


def _has_a_verdict(store: Path) -> bool:
    import sqlite3

    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
            return bool(db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])
    except sqlite3.Error:
        return False
