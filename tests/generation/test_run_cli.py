"""``codehazard run`` through the command line, in process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from gen_toys import expected_status, write_fixture_files
from openai_server import API_KEY, Fault, OpenAIServer

from codehazard.cli import main
from codehazard.store import Store

SIMULATED = ["run", "--suite", "building-blocks", "--lengths", "1-2", "--per-length", "3"]


def test_simulated_json_is_one_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.sqlite"
    argv = [*SIMULATED, "--model", "simulated", "-n", "2", "--workers", "1", "--store", str(store)]
    assert main([*argv, "--json"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["status"] == "complete" and summary["simulated"] is True
    assert summary["n_samples"] == 12
    assert f"codehazard run --resume {summary['run_id']} --store {store}" in err
    assert "measure no model" in err
    assert main(argv) == 0
    out, _ = capsys.readouterr()
    assert "pass@1" in out and "simulated" in out
    assert main(["runs", "show", summary["run_id"], "--store", str(store)]) == 0
    shown = capsys.readouterr().out
    assert "model: simulated  (simulated" in shown and "tokens: " in shown
    assert "tasks: suite building-blocks (lengths=[1, 2], per_length=3, seed=0)" in shown
    assert "generation: n 2, temperature" in shown and "sessions: 1 (" in shown


def test_openai_run(
    server: OpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, _ = write_fixture_files(tmp_path, 3)
    store = tmp_path / "s.sqlite"
    argv = ["run", "--tasks", str(tasks), "--model", "openai/test-model", "-n", "4"]
    argv += ["--seed", "0", "--base-url", server.base_url, "--api-key", API_KEY]
    argv += ["--workers", "1", "--store", str(store), "--json", "--k", "1,2"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    with Store(store) as st:
        records = st.records(summary["run_id"])
    assert [r.status for r in records] == [expected_status(r.index) for r in records]
    assert summary["generation"]["requests"] == 12
    assert set(summary["pass_at_k"]) == {"1", "2"}


def test_incomplete_run_exits_3_and_says_how_to_resume(
    server: OpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, _ = write_fixture_files(tmp_path, 2)
    server.add_fault(*[Fault.status(502, match="add_1(")] * 2)
    argv = ["run", "--tasks", str(tasks), "--model", "openai/test-model", "--retries", "1"]
    argv += ["--base-url", server.base_url, "--api-key", API_KEY, "--workers", "1"]
    argv += ["--store", str(tmp_path / "s.sqlite")]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "codehazard run --resume" in err and "--store" in err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--model", "nosuch/x"], 2, "unknown model backend 'nosuch'"),
        (
            ["--model", "simulated", "-n", "0"],
            2,
            "error: -n: Input should be greater than or equal",
        ),
        (
            ["--model", "simulated", "--stop", ""],
            2,
            "error: --stop: stop sequences must be non-empty",
        ),
        (["--model", "simulated", "--top-p", "0"], 2, "error: --top-p: Input should be greater"),
        (
            ["--model", "simulated", "--mode", "completion", "--prompt-form", "instruction"],
            2,
            "chat",
        ),
        (["--model", "simulated", "--max-connections", "0"], 2, "--max-connections"),
    ],
)
def test_bad_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    assert main([*SIMULATED, *argv, "--store", str(tmp_path / "s.sqlite")]) == code
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_no_tasks_and_no_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ["--store", str(tmp_path / "s.sqlite")]
    assert main(["run", "--model", "simulated", *store]) == 2
    assert "--tasks FILE or --suite NAME" in capsys.readouterr().err
    assert main(["run", "--suite", "building-blocks", *store]) == 2
    assert "--model is required" in capsys.readouterr().err


def test_missing_anthropic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "anthropic", None)  # as if not installed
    argv = [*SIMULATED, "--model", "anthropic/claude", "--store", str(tmp_path / "s.sqlite")]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "pip install 'codehazard[anthropic]'" in err and err.count("\n") == 1


def test_unreachable_server_exits_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with OpenAIServer() as gone:
        url = gone.base_url
    store = tmp_path / "s.sqlite"
    argv = [*SIMULATED, "--model", "openai/m", "--base-url", url, "--store", str(store)]
    assert main(argv) == 3
    assert "is the server running" in capsys.readouterr().err
    with Store(store) as st:
        assert st.list_runs() == []


@pytest.mark.slow  # 13 s of runs and resumes: CI runs it
def test_resume_refuses_changed_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(tmp_path / "s.sqlite"), "--workers", "1"]
    assert main([*SIMULATED, "--model", "simulated", "--json", *store]) == 0
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["run", "--resume", run_id, "-n", "3", *store]) == 2
    assert "n is 1 in the run, 3 given" in capsys.readouterr().err
    assert main(["run", "--resume", run_id, "--json", *store]) == 0
    assert json.loads(capsys.readouterr().out)["run_id"] == run_id
    assert main(["run", "--resume", run_id, "--suite", "building-blocks", *store]) == 2
    assert "tasks given differ" in capsys.readouterr().err


def test_suite_seed_is_offered_as_suite_seed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "--suite-seed" in capsys.readouterr().out
