"""Interrupting ``codehazard run`` (kill -9, Ctrl-C) and resuming gives the uninterrupted result.

Each run is a real subprocess against a real loopback server, killed while generation and
judging are in flight; the verdicts are then compared, sample by sample, with an uninterrupted
run of the same configuration. The server numbers every reply, so a response read back from
the cache can be told from one asked for again: each request must reach the client once, and
each sample must hold the response first committed for it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gen_toys import answers_table, write_fixture_files
from openai_server import API_KEY, OpenAIServer, prompt_text, table_answer

from codehazard.models._prompts import PROBE_MESSAGE
from codehazard.store import Store

pytestmark = pytest.mark.slow

TASKS, N = 10, 4


@pytest.fixture
def slow_server() -> Iterator[OpenAIServer]:
    with OpenAIServer(
        api_key=API_KEY,
        latency=0.1,
        answer=table_answer(answers_table(TASKS)),
        unique_replies=True,
    ) as server:
        yield server


def command(tasks: Path, server: OpenAIServer, store: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "codehazard", "run", "--tasks", str(tasks),
        "--model", "openai/test-model", "-n", str(N), "--seed", "0",
        "--base-url", server.base_url, "--api-key", API_KEY, "--workers", "1",
        "--max-connections", "2", "--store", str(store), "--json", *extra,
    ]  # fmt: skip


def resume_command(server: OpenAIServer, store: Path, run_id: str) -> list[str]:
    return [
        sys.executable, "-m", "codehazard", "run", "--resume", run_id,
        "--api-key", API_KEY, "--base-url", server.base_url, "--workers", "1",
        "--max-connections", "2", "--store", str(store), "--json",
    ]  # fmt: skip


def count(store: Path, table: str) -> int:
    if not store.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:  # not created yet
        return 0


def run_until(argv: list[str], store: Path, table: str, at_least: int, sig: int) -> int | None:
    """Start ``argv``; send ``sig`` once ``table`` has ``at_least`` rows. The exit code, or
    ``None`` when the signal arrived (the process is gone either way)."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if count(store, table) >= at_least:
                os.kill(proc.pid, sig)
                break
            time.sleep(0.005)
        proc.communicate(timeout=120)
        if sig != signal.SIGKILL:
            return proc.returncode
        return None if proc.returncode == -signal.SIGKILL else proc.returncode
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # orphaned sandbox workers of a killed run
        except ProcessLookupError:
            pass


def finish(argv: list[str]) -> dict[str, Any]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def snapshot(path: Path, run_id: str) -> dict[str, Any]:
    """Every sample's verdict (the raw replies are numbered, so they differ between runs)."""
    with Store(path) as store:
        records = store.records(run_id)
        verdicts = store.connection.execute(
            "SELECT COUNT(*) FROM verdicts WHERE run_id=?", (run_id,)
        ).fetchone()[0]
    assert verdicts == len(records) == TASKS * N
    return {
        r.key: r.verdict.model_dump(exclude={"duration", "isolation"})
        for r in records
        if r.verdict is not None
    }


def only_run(path: Path) -> str:
    with Store(path) as store:
        (run,) = store.list_runs()
    return run.id


def cached(path: Path) -> dict[str, str]:
    """The response cache: request key to the reply's text."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, response FROM generation_cache").fetchall()
    return {key: json.loads(response)["text"] for key, response in rows}


def forget_last_samples(path: Path, run_id: str, count: int) -> None:
    """Delete the last ``count`` stored samples whose response is cached: the store a kill
    leaves between committing a response and committing its sample."""
    keys = cached(path)
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT key, meta FROM samples WHERE run_id=? ORDER BY seq DESC", (run_id,)
        ).fetchall()
        doomed = [key for key, meta in rows if json.loads(meta).get("cache_key") in keys][:count]
        assert len(doomed) == count
        for key in doomed:
            db.execute("DELETE FROM verdicts WHERE run_id=? AND key=?", (run_id, key))
            db.execute("DELETE FROM samples WHERE run_id=? AND key=?", (run_id, key))


def test_kill_9_at_several_points_then_resume(slow_server: OpenAIServer, tmp_path: Path) -> None:
    tasks, _ = write_fixture_files(tmp_path, TASKS)
    reference_store = tmp_path / "reference.sqlite"
    reference = finish(command(tasks, slow_server, reference_store))
    slow_server.requests.clear()
    store = tmp_path / "killed.sqlite"
    assert (
        run_until(command(tasks, slow_server, store), store, "samples", 3, signal.SIGKILL) is None
    )
    run_id = only_run(store)
    committed: dict[str, str] = {}  # request key -> the first reply committed for it

    def after_kill() -> None:
        for key, text in cached(store).items():
            committed.setdefault(key, text)
        forget_last_samples(store, run_id, 2)

    after_kill()
    kills = 1
    for table, at_least in (("verdicts", 10), ("samples", 22), ("verdicts", 30)):
        argv = resume_command(slow_server, store, run_id)
        assert run_until(argv, store, table, at_least, signal.SIGKILL) is None
        assert count(store, "verdicts") < TASKS * N  # killed with work left
        kills += 1
        after_kill()
    summary = finish(resume_command(slow_server, store, run_id))
    assert summary["status"] == "complete"
    assert snapshot(store, run_id) == snapshot(reference_store, reference["run_id"])
    for key in ("pass_at_k", "status_counts", "n_samples", "n_tasks"):
        assert summary[key] == reference[key]
    assert summary["generation"]["samples"] == TASKS * N
    with Store(store) as st:
        samples = st.samples(run_id)
    for sample in samples:  # a committed response is what the sample holds, never a second one
        first = committed.get(sample.meta["cache_key"], sample.raw["completion"])
        assert sample.raw["completion"] == first, sample.key
    received = set(committed.values()) | {s.raw["completion"] for s in samples}
    sent = [r for r in slow_server.completion_requests() if prompt_text(r.body) != PROBE_MESSAGE]
    per_request: dict[tuple[str, int], int] = {}
    for seen in sent:
        if seen.reply in received:
            ident = (prompt_text(seen.body), seen.body["seed"])
            per_request[ident] = per_request.get(ident, 0) + 1
    assert len(per_request) == TASKS * N and set(per_request.values()) == {1}
    lost = len(sent) - TASKS * N  # replies still in flight when a kill came
    assert 0 <= lost <= kills * 2  # at most --max-connections per kill
    probes = len(slow_server.completion_requests()) - len(sent)
    assert 1 <= probes <= kills + 1  # at most one per session


def test_ctrl_c_saves_and_prints_the_resume_command(
    slow_server: OpenAIServer, tmp_path: Path
) -> None:
    tasks, _ = write_fixture_files(tmp_path, TASKS)
    reference_store = tmp_path / "reference.sqlite"
    reference = finish(command(tasks, slow_server, reference_store))
    store = tmp_path / "interrupted.sqlite"
    proc = subprocess.Popen(
        command(tasks, slow_server, store),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    while proc.poll() is None and count(store, "verdicts") < 8:
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    out, err = proc.communicate(timeout=120)
    run_id = only_run(store)
    assert proc.returncode == 130, err
    assert out == "" and f"codehazard run --resume {run_id} --store {store}" in err
    with Store(store) as st:
        assert st.get_run(run_id).status == "interrupted"
    summary = finish(resume_command(slow_server, store, run_id))
    assert snapshot(store, run_id) == snapshot(reference_store, reference["run_id"])
    assert summary["pass_at_k"] == reference["pass_at_k"]
