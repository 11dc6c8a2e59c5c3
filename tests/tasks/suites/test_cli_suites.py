"""``codehazard suites list`` and ``codehazard suites build``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.cli._suites import format_value
from codehazard.tasks import load_tasks


def test_list_shows_suites_and_their_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites", "list"]) == 0
    out = capsys.readouterr().out
    assert "building-blocks:" in out
    assert "variable-binding:" in out
    assert "--lengths 1-10" in out
    assert "--per-length 30" in out
    assert "--variables 2-8" in out
    assert "--operations 0-12" in out


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites", "list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["building-blocks"]["params"]["lengths"]["default"] == "1-10"
    assert data["variable-binding"]["params"]["per_level"]["kind"] == "int"


def test_build_writes_humaneval_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tasks.jsonl"
    argv = ["suites", "build", "building-blocks", "--lengths", "1-3", "--per-length", "4"]
    assert main([*argv, "--seed", "0", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote 12 building-blocks tasks to {out}" in printed
    assert "lengths=1-3, per_length=4, seed=0" in printed
    assert "tasks per level: 1: 4, 2: 4, 3: 4" in printed
    assert "note: length 1 gets only 4 of the 13 single-block tasks" in printed
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {"task_id", "prompt", "canonical_solution", "test", "entry_point"} <= set(lines[0])
    assert "def check(candidate):" in lines[0]["test"]
    assert len(load_tasks(out)) == 12


def test_build_variable_binding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "vb.jsonl.gz"
    argv = ["suites", "build", "variable-binding", "--variables", "2,4", "--operations", "3"]
    assert main([*argv, "--per-level", "2", "-o", str(out)]) == 0
    assert len(load_tasks(out)) == 4
    assert "wrote 4 variable-binding tasks" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope"], "unknown suite 'nope'; known suites: abstraction, bias, building-blocks, "),
        (["building-blocks", "--lengths", "0-3"], "lengths: 0 is out of range"),
        (["building-blocks", "--lengths", "x"], "lengths: cannot read 'x'"),
        (["building-blocks", "--variables", "3"], "has no parameter(s) variables"),
        (["variable-binding", "--per-length", "3"], "has no parameter(s) per_length"),
    ],
)
def test_build_errors_exit_2_with_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suites", "build", *argv, "-o", str(tmp_path / "t.jsonl")]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "t.jsonl").exists()


def test_unwritable_output_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # missing folders are created for every output option; a file in the way is unwritable
    (tmp_path / "a-file").write_text("")
    target = tmp_path / "a-file" / "t.jsonl"
    argv = ["suites", "build", "building-blocks", "--lengths", "1", "-o", str(target)]
    assert main(argv) == 2
    assert "cannot write" in capsys.readouterr().err


def test_format_value_compresses_runs() -> None:
    assert format_value((1, 2, 3, 5, 7, 8)) == "1-3,5,7-8"
    assert format_value(4) == "4"


SMALL = ["--variables", "2", "--operations", "0,1", "--per-level", "1", "--reruns", "2"]


def test_selftest_json_is_one_object_keyed_by_suite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites", "selftest", "variable-binding", *SMALL, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["variable-binding"]
    result = data["variable-binding"]
    assert result["reference_pass_rate"] == 1.0 and result["mutant_rejection_rate"] == 1.0
    assert result["tasks"] == 2 and result["reference_runs"] == 4 and result["mutants"] > 0
    assert result["params"]["per_level"] == 1  # the flag overrides the suite's self-test build


def test_selftest_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites", "selftest", "variable-binding", *SMALL]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["suite", "templates", "tasks"]
    assert lines[1].startswith("variable-binding") and "1.0000" in lines[1]


def test_selftest_of_an_unknown_suite_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suites", "selftest", "no-such-suite"]) == 2
    err = capsys.readouterr().err
    assert "no-such-suite" in err and err.count("\n") == 1


@pytest.mark.slow
def test_selftest_of_program_mutants_judges_them_in_the_sandbox(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["suites", "selftest", "temporal", "--levels", "1", "--per-level", "3"]
    assert main([*argv, "--reruns", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["temporal"]
    assert result["tasks"] == 3 and result["templates"] == 3
    assert result["program_mutants"] == result["mutants"] >= 9
    assert (
        result["mutant_runs"] == result["mutants"]
        and result["mutant_rejected"] == result["mutants"]
    )
    assert result["reference_pass_rate"] == 1.0 and result["mutant_rejection_rate"] == 1.0
