"""`codehazard evaluate` and `codehazard runs` end to end: real store, real sandbox, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.runs import ProgressState, evaluate
from codehazard.store import Store


def _write_samples(path: Path, tasks_file: Path, bodies: dict[str, str], copies: int = 1) -> None:
    from codehazard.tasks import load_tasks

    tasks = load_tasks(tasks_file)
    with open(path, "w") as fh:
        for tid, task in tasks.items():
            for _ in range(copies):
                fh.write(
                    json.dumps(
                        {"task_id": tid, "completion": bodies.get(tid, task.canonical_solution)}
                    )
                    + "\n"
                )


def test_json_summary_results_file_and_runs(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "samples.jsonl"
    _write_samples(samples, toy_tasks_path, {"toy/pair": "    return [x, x * 2]\n"}, copies=2)
    store = tmp_path / "store.sqlite"
    code = main(
        [
            "evaluate",
            str(samples),
            "--tasks",
            str(toy_tasks_path),
            "--k",
            "1,2,5",
            "--workers",
            "2",
            "--timeout",
            "3",
            "--store",
            str(store),
            "--json",
            "--by",
            "level",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"run_id", "n_tasks", "n_samples", "pass_at_k", "status_counts", "isolation"}
    assert out["n_tasks"] == 3 and out["n_samples"] == 6
    assert out["pass_at_k"] == {"1": pytest.approx(2 / 3), "2": pytest.approx(2 / 3)}
    assert out["pass_at_k_undefined"] == [5]
    assert out["status_counts"] == {"failed": 2, "passed": 4}
    by_level = out["breakdown"]["level"]
    assert by_level["1"]["pass@1"] == 1.0 and by_level["2"]["pass@1"] == 0.0
    assert by_level["2"]["n_samples"] == 2
    results = [
        json.loads(line)
        for line in (tmp_path / "samples.jsonl_results.jsonl").read_text().splitlines()
    ]
    assert len(results) == 6
    assert all({"task_id", "completion", "passed", "status", "detail"} <= set(r) for r in results)
    assert [r["passed"] for r in results] == [True, True, False, False, True, True]

    assert main(["runs", "list", "--store", str(store), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["id"] == out["run_id"] and listed[0]["status"] == "complete"
    assert main(["runs", "show", out["run_id"], "--store", str(store), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["params"]["isolation"]["level"] == out["isolation"]["level"]
    assert shown["params"]["code_version"]
    assert main(["runs", "show", out["run_id"], "--store", str(store)]) == 0
    text = capsys.readouterr().out
    assert f"run {out['run_id']}: evaluate, complete" in text
    assert "statuses: failed 2, passed 4" in text and "code version: " in text
    assert f"samples: {tmp_path / 'samples.jsonl'}" in text
    # an unknown run id is the user's input (exit 2), not a broken store (exit 3)
    assert main(["runs", "show", "no-such-run", "--store", str(store)]) == 2
    assert "no run 'no-such-run'" in capsys.readouterr().err


def test_bad_input_is_reported_not_raised(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "s.jsonl"
    samples.write_text(
        json.dumps({"task_id": "toy/add", "completion": "    return a + b\n"}) + "\n{broken\n"
    )
    code = main(
        [
            "evaluate",
            str(samples),
            "--tasks",
            str(toy_tasks_path),
            "--workers",
            "1",
            "--store",
            str(tmp_path / "st.sqlite"),
            "--json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert json.loads(captured.out)["status_counts"] == {"passed": 1}
    assert f"{samples}:2: invalid JSON" in captured.err
    code = main(
        [
            "evaluate",
            str(tmp_path / "missing.jsonl"),
            "--tasks",
            str(toy_tasks_path),
            "--store",
            str(tmp_path / "st.sqlite"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2 and "missing.jsonl: no such file" in captured.err
    assert "Traceback" not in captured.err
    assert (
        main(
            [
                "evaluate",
                str(samples),
                "--tasks",
                str(toy_tasks_path),
                "--k",
                "0",
                "--store",
                str(tmp_path / "st.sqlite"),
            ]
        )
        == 2
    )


def test_interrupted_evaluation_resumes_without_redoing(
    toy_tasks_path: Path, tmp_path: Path
) -> None:
    samples = tmp_path / "s.jsonl"
    _write_samples(samples, toy_tasks_path, {}, copies=4)
    store = Store(tmp_path / "st.sqlite")
    seen = []

    def stop_after_five(state: ProgressState) -> None:
        seen.append(state.done)
        if state.done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evaluate(samples, toy_tasks_path, store=store, workers=1, progress=stop_after_five)
    run_id = store.list_runs()[0].id
    assert store.get_run(run_id).status == "interrupted"
    assert sum(store.status_counts(run_id).values()) == 5
    result = evaluate(samples, toy_tasks_path, store=store, workers=1, resume=True)
    assert result.run_id == run_id
    assert result.summary.status_counts == {"passed": 12}
    attempts = store.connection.execute(
        "SELECT MAX(attempts), COUNT(*) FROM verdicts WHERE run_id=?", (run_id,)
    ).fetchone()
    assert attempts == (1, 12)
    from codehazard.errors import InputError

    samples.write_text(samples.read_text().replace("a + b", "b + a"))
    with pytest.raises(InputError, match="changed since"):
        evaluate(samples, toy_tasks_path, store=store, workers=1, resume=run_id)


def test_resume_refuses_a_changed_task_file_unless_allowed(
    toy_tasks_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = tmp_path / "s.jsonl"
    _write_samples(samples, toy_tasks_path, {}, copies=2)
    store = tmp_path / "st.sqlite"

    def stop_after_two(state: ProgressState) -> None:
        if state.done == 2:
            raise KeyboardInterrupt

    with Store(store) as opened, pytest.raises(KeyboardInterrupt):
        evaluate(samples, toy_tasks_path, store=opened, workers=1, progress=stop_after_two)
    with Store(store) as opened:
        [run] = opened.list_runs()
        recorded = run.params["tasks_file_digest"]
    assert recorded and run.params["schema_version"] == 3
    # the same tasks, written differently: a changed file all the same (its bytes differ)
    toy_tasks_path.write_text(toy_tasks_path.read_text().replace('", "', '",  "', 1))
    argv = ["evaluate", str(samples), "--tasks", str(toy_tasks_path), "--store", str(store)]
    assert main([*argv, "--workers", "1", "--resume"]) == 2
    err = capsys.readouterr().err
    assert f"--resume {run.id}: the task file {toy_tasks_path} is not the one" in err
    assert "without --resume" in err and "pass --allow-changed-tasks to finish" in err
    assert main([*argv, "--workers", "1", "--resume", "--allow-changed-tasks"]) == 0
    captured = capsys.readouterr()
    assert "6 samples" in captured.out and f"changed since run {run.id} started" in captured.err
    # a run recorded before task files had digests resumes, with a note
    with Store(store) as opened:
        params = dict(opened.get_run(run.id).params)
        del params["tasks_file_digest"]
        opened.update_params(run.id, params)
        opened.connection.execute("DELETE FROM verdicts WHERE key = 'toy/add#1'")
    assert main([*argv, "--workers", "1", "--resume", run.id]) == 0
    assert "was not checked against the file it started with" in capsys.readouterr().err


@pytest.mark.slow
def test_kill_minus_nine_then_resume(toy_tasks_path: Path, tmp_path: Path) -> None:
    samples = tmp_path / "s.jsonl"
    slow = "    import time\n    time.sleep(0.05)\n    return a + b\n"
    _write_samples(samples, toy_tasks_path, {"toy/add": slow}, copies=30)
    store_path = tmp_path / "st.sqlite"
    cmd = [
        sys.executable,
        "-m",
        "codehazard",
        "evaluate",
        str(samples),
        "--tasks",
        str(toy_tasks_path),
        "--workers",
        "1",
        "--store",
        str(store_path),
        "--json",
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if store_path.exists():
            with Store(store_path) as st:
                runs = st.list_runs()
                if runs and sum(st.status_counts(runs[0].id).values()) >= 10:
                    break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(store_path) as st:
        run_id = st.list_runs()[0].id
        done_before = sum(st.status_counts(run_id).values())
    assert 10 <= done_before < 90
    out = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, check=True)
    summary = json.loads(out.stdout)
    assert summary["run_id"] == run_id
    assert summary["status_counts"] == {"passed": 90}
    with Store(store_path) as st:
        rows = st.connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT key), MAX(attempts) FROM verdicts WHERE run_id=?",
            (run_id,),
        ).fetchone()
    assert rows == (90, 90, 1)


@pytest.mark.slow
def test_humaneval_canonical_and_null(
    humaneval_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from codehazard.tasks import load_tasks

    tasks = load_tasks(humaneval_path)
    good, bad = tmp_path / "good.jsonl", tmp_path / "null.jsonl"
    good.write_text(
        "".join(
            json.dumps({"task_id": t, "completion": x.canonical_solution}) + "\n"
            for t, x in tasks.items()
        )
    )
    bad.write_text(
        "".join(json.dumps({"task_id": t, "completion": "    return None\n"}) + "\n" for t in tasks)
    )
    for path, expected in ((good, 1.0), (bad, 0.0)):
        code = main(
            [
                "evaluate",
                str(path),
                "--tasks",
                str(humaneval_path),
                "--k",
                "1",
                "--workers",
                "2",
                "--store",
                str(tmp_path / "st.sqlite"),
                "--json",
            ]
        )
        out = json.loads(capsys.readouterr().out)
        assert code == 0
        assert out["pass_at_k"]["1"] == expected, out["status_counts"]
        assert out["n_tasks"] == 164
