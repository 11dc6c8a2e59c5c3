"""Every text a model can produce is stored, read back identically and judged: lone surrogates,
NUL characters, bytes that are not UTF-8, very long lines; through ``codehazard evaluate`` and
``codehazard run --model samples:...``, resumed or not."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.cli import main
from codehazard.runs import ProgressState, evaluate
from codehazard.samples import Sample, load_samples
from codehazard.store import Store
from codehazard.store._text import from_column, from_json, to_column, to_json
from codehazard.tasks import load_tasks

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: openai_server
from openai_server import OpenAIServer

LONG = "x" * 1_000_000
LINES: list[tuple[dict[str, Any], str]] = [
    ({"task_id": "toy/add", "completion": "    return a + b  # \ud800\n"}, "syntax"),
    (
        {"task_id": "toy/add", "completion": "    return a + b\n", "note": "\ud800\udfff\x00"},
        "passed",
    ),
    ({"task_id": "toy/add", "completion": f"    return a + b  # {LONG}\n"}, "passed"),
    ({"task_id": "toy/add", "completion": "    x = '\x00'\n    return a + b\n"}, "syntax"),
    (
        {"task_id": "toy/add", "completion": "    raise ValueError('\\ud800 \\x00 \\x1b[2J')\n"},
        "error",
    ),
    ({"task_id": "toy/add", "completion": "    return chr(0xD800)\n"}, "failed"),
    ({"task_id": "toy/add", "solution": "def add(a, b):\n    return a + b\n\ud83d"}, "syntax"),
]
NOT_UTF8 = b'{"task_id": "toy/add", "completion": "    return a + b  # \xff\xc3\\n"}\n'
"""A line whose bytes are not UTF-8 (inside a JSON string): judged as Python judges the file."""


def _write(path: Path, tasks_path: Path) -> list[str]:
    """The samples file: the hostile lines, then a correct sample of every other task."""
    others = [t for t in load_tasks(tasks_path).values() if t.task_id != "toy/add"]
    with open(path, "wb") as fh:
        for obj, _ in LINES:
            fh.write(json.dumps(obj).encode() + b"\n")
        fh.write(NOT_UTF8)
        for task in others:
            line = {"task_id": task.task_id, "completion": task.canonical_solution}
            fh.write(json.dumps(line).encode() + b"\n")
    return [status for _, status in LINES] + ["syntax"] + ["passed"] * len(others)


def _expected_raw(path: Path) -> list[dict[str, Any]]:
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    return [json.loads(line) for line in text.splitlines()]


def _check_store(
    store_path: Path, run_id: str, samples_path: Path, tasks_path: Path, statuses: list[str]
) -> None:
    raws = _expected_raw(samples_path)
    with Store(store_path) as store:
        records = store.records(run_id)
        stored = store.samples(run_id)
    assert [r.status for r in records] == statuses, [r.verdict for r in records]
    assert [r.raw for r in records] == raws
    tasks = load_tasks(tasks_path)
    programs = [s.program for s in load_samples(samples_path, tasks).samples]
    assert [s.program for s in stored] == programs and [r.program for r in records] == programs
    error = records[4].verdict
    assert error is not None and "\\ud800" in error.detail and "\x1b" not in error.detail


def test_evaluate_stores_and_judges_every_text(toy_tasks_path: Path, tmp_path: Path) -> None:
    samples = tmp_path / "samples.jsonl"
    statuses = _write(samples, toy_tasks_path)
    store = tmp_path / "st.sqlite"
    argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--workers", "1"]
    argv += ["--store", str(store), "--json", "--no-progress", "--k", "1"]
    assert main(argv) == 0
    with Store(store) as st:
        run_id = st.list_runs()[0].id
    _check_store(store, run_id, samples, toy_tasks_path, statuses)
    results_text = (tmp_path / "samples.jsonl_results.jsonl").read_text(encoding="utf-8")
    results = [json.loads(line) for line in results_text.splitlines()]
    assert [r["status"] for r in results] == statuses
    for result, raw in zip(results, _expected_raw(samples), strict=True):
        assert {k: result[k] for k in raw} == raw


def test_interrupted_evaluate_resumes_over_hostile_text(
    toy_tasks_path: Path, tmp_path: Path
) -> None:
    samples = tmp_path / "samples.jsonl"
    statuses = _write(samples, toy_tasks_path)
    store = tmp_path / "st.sqlite"

    def stop_after_two(state: ProgressState) -> None:
        if state.done == 2:
            raise KeyboardInterrupt

    with Store(store) as st, pytest.raises(KeyboardInterrupt):
        evaluate(samples, toy_tasks_path, store=st, workers=1, progress=stop_after_two)
    argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--workers", "1"]
    argv += ["--store", str(store), "--resume", "--no-progress", "--k", "1"]
    assert main(argv) == 0
    with Store(store) as st:
        (run,) = st.list_runs()
        assert st.get_run(run.id).status == "complete"
    _check_store(store, run.id, samples, toy_tasks_path, statuses)


def test_run_with_a_samples_model_stores_and_resumes(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "samples.jsonl"
    statuses = _write(samples, toy_tasks_path)
    store = tmp_path / "st.sqlite"
    common = ["--workers", "1", "--store", str(store), "--no-progress", "--k", "1"]
    argv = ["run", "--tasks", str(toy_tasks_path), "--model", f"samples:{samples}", *common]
    assert main([*argv, "--json"]) == 0
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    with Store(store) as st:
        records = st.records(run_id)
    order = {r.key: i for i, r in enumerate(records)}
    assert sorted(r.status for r in records) == sorted(statuses)
    toy_add = [r for r in records if r.task_id == "toy/add"]
    assert [r.status for r in toy_add] == statuses[: len(LINES) + 1]
    # What an interruption leaves: samples recorded, some verdicts not yet.
    with Store(store) as st:
        st.connection.execute(
            "DELETE FROM verdicts WHERE run_id=? AND key IN (?, ?, ?)",
            (run_id, toy_add[0].key, toy_add[3].key, toy_add[4].key),
        )
        st.connection.commit()
    assert main(["run", "--resume", run_id, "--json", *common]) == 0
    capsys.readouterr()
    with Store(store) as st:
        again = st.records(run_id)

    def view(rs: list[Any]) -> list[Any]:
        rs = sorted(rs, key=lambda r: order[r.key])
        return [(r.key, r.raw, r.program, r.status, r.verdict and r.verdict.detail) for r in rs]

    assert view(again) == view(records)


every_char = st.lists(st.integers(0, 0x10FFFF).map(chr), max_size=40).map("".join)
"""Any string Python can hold, lone surrogates and NUL included."""


@settings(max_examples=200)
@given(every_char)
def test_text_helpers_round_trip_any_string(text: str) -> None:
    assert from_column(to_column(text)) == text
    assert from_json(to_json({"t": text})) == {"t": text}
    to_json({"t": text}).encode("utf-8")  # always storable and writable as UTF-8


def test_store_round_trips_any_sample_text(tmp_path: Path) -> None:
    texts = ["\ud800", "a\x00b", "\udcff\udc80", "\U0001f600", "", LONG, "é\ud83d"]
    samples = [
        Sample(f"L{i}", "toy/add", i, {"completion": t, "t": [t]}, t, {"m": t})
        for i, t in enumerate(texts)
    ]
    with Store(tmp_path / "s.sqlite") as store:
        run_id = store.create_run("evaluate", {})
        store.add_samples(run_id, samples)
        assert store.samples(run_id) == samples


def test_run_with_an_http_model_caches_stores_and_judges_hostile_answers(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model served over HTTP answers with lone surrogates and NULs: the response cache, the
    store and the verdicts take them, and a resumed run reads them back from the cache."""
    answers = ["    return a + b  # \ud800\x00\n", "    return a + b\n"]

    def answer(body: dict[str, Any], prompt: str) -> str:
        return answers[int(body.get("seed") or 0) % 2] if "add" in prompt else ""

    store = tmp_path / "st.sqlite"
    with OpenAIServer(answer=answer) as server:
        argv = ["run", "--tasks", str(toy_tasks_path), "--model", "openai/m", "-n", "2"]
        argv += ["--seed", "0", "--base-url", server.base_url, "--api-key", "k", "--k", "1"]
        argv += ["--mode", "completion", "--workers", "1", "--store", str(store), "--json"]
        main(argv)
        run_id = json.loads(capsys.readouterr().out)["run_id"]
        with Store(store) as st:
            add = [r for r in st.records(run_id) if r.task_id == "toy/add"]
            assert len(add) == 2
            assert {r.status for r in add} == {"syntax", "passed"}, [r.verdict for r in add]
            assert any("\ud800\x00" in r.program for r in add)
            keys = [r.key for r in add]
            st.connection.execute("DELETE FROM verdicts WHERE run_id=?", (run_id,))
            st.connection.commit()
        main(["run", "--resume", run_id, "--json", "--workers", "1", "--store", str(store)])
        capsys.readouterr()
    with Store(store) as st:
        again = {r.key: r for r in st.records(run_id)}
    assert [again[k].program for k in keys] == [r.program for r in add]
    assert [again[k].status for k in keys] == [r.status for r in add]
