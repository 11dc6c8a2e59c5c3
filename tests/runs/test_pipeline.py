"""The one orchestrator in process: real server, real sandbox, real store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gen_toys import answers_table, expected_status, toy_tasks
from openai_server import API_KEY, Fault, OpenAIServer, table_answer

from codehazard.errors import BackendError, InputError
from codehazard.generation import RetryPolicy
from codehazard.models import BackendOptions, GenerationParams
from codehazard.runs import (
    ProgressState,
    RunConfig,
    RunStopped,
    SessionOptions,
    resume,
    start,
)
from codehazard.sandbox import Limits
from codehazard.store import Store

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)


def config(server: OpenAIServer, model: str = "openai/test-model", **params: Any) -> RunConfig:
    return RunConfig(
        model=model,
        params=GenerationParams(**{"seed": 0, **params}),
        base_url=server.base_url,
        tasks_source={"given": "toys"},
        limits=Limits(timeout=5.0).as_dict(),
        ks=(1, 2),
    )


def options(key: str = API_KEY, base_url: str | None = None, **kwargs: Any) -> SessionOptions:
    return SessionOptions(
        workers=1,
        max_connections=kwargs.pop("max_connections", 4),
        retry=FAST,
        backend=BackendOptions(api_key=key, base_url=base_url),
        **kwargs,
    )


def snapshot(store: Store, run_id: str) -> dict[str, tuple[Any, ...]]:
    """Everything that must not depend on interruptions: output, program, verdict."""
    out = {}
    for rec in store.records(run_id):
        verdict = rec.verdict.model_dump(exclude={"duration", "isolation"}) if rec.verdict else None
        out[rec.key] = (rec.raw, rec.program, verdict)
    return out


def test_end_to_end(server: OpenAIServer, store: Store) -> None:
    states: list[ProgressState] = []
    result = start(
        store, toy_tasks(4), config(server, n=4), session=options(), progress=states.append
    )
    assert result.status == "complete"
    records = store.records(result.run_id)
    assert len(records) == 16
    for rec in records:
        assert rec.status == expected_status(rec.index), rec.key
        assert rec.key == f"{rec.task_id}#{rec.index}"
        assert set(rec.raw) == {"task_id", "completion"}
    passed = next(r for r in records if r.status == "passed")
    assert "```" in passed.raw["completion"] and "```" not in passed.program
    generation = result.summary.generation
    sent = server.completion_requests()[1:]  # the first one is the preflight probe
    assert generation["requests"] == len(sent) == 16 and generation["cache_hits"] == 0
    assert generation["prompt_tokens"] == sum(len(_prompt(r.body).split()) for r in sent)
    assert result.summary.pass_at_k["1"] == pytest.approx(0.25)
    run = store.get_run(result.run_id)
    assert run.params["model"] == "openai/test-model" and run.params["isolation"]
    assert run.params["code_version"] and run.params["host"]["python"]
    assert run.params["config"]["params"]["mode"] == "chat"
    assert run.params["sessions"][0]["status"] == "complete"
    assert API_KEY not in json.dumps(run.params)
    assert states[-1].done == states[-1].total == 16
    assert states[-1].pass_rate == pytest.approx(0.25)


def _prompt(body: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in body["messages"])


def test_rerun_pays_nothing_and_no_cache_pays_again(server: OpenAIServer, store: Store) -> None:
    first = start(store, toy_tasks(3), config(server, n=2), session=options())
    sent = len(server.completion_requests())
    again = start(store, toy_tasks(3), config(server, n=2), session=options())
    assert len(server.completion_requests()) == sent  # no probe, no request
    assert again.summary.generation["cache_hits"] == 6
    assert snapshot(store, first.run_id) == snapshot(store, again.run_id)
    start(store, toy_tasks(3), config(server, n=2), session=options(read_cache=False))
    assert len(server.completion_requests()) == sent + 7  # probe + 6


def test_context_length_is_a_failed_sample(store: Store) -> None:
    with OpenAIServer(api_key=API_KEY, context_limit=20) as server:
        result = start(store, toy_tasks(2), config(server), session=options())
    assert result.status == "complete"
    for rec in store.records(result.run_id):
        assert rec.status == "failed" and rec.program == ""
        assert rec.verdict is not None and "context length" in rec.verdict.detail
        assert rec.verdict.isolation == {"executed": False}


def test_failed_generation_is_infra_and_resumes(server: OpenAIServer, store: Store) -> None:
    server.add_fault(*[Fault.status(503, match="add_1(")] * FAST.attempts)
    result = start(store, toy_tasks(3), config(server), session=options())
    assert result.status == "incomplete"
    statuses = {r.key: r.status for r in store.records(result.run_id)}
    assert statuses == {"toy/0#0": "passed", "toy/1#0": "infra", "toy/2#0": "passed"}
    assert store.get_run(result.run_id).status == "incomplete"
    resumed = resume(result.run_id, store=store, session=options())
    assert resumed.status == "complete"
    records = store.records(result.run_id)
    assert [r.status for r in records] == ["passed"] * 3
    assert records[1].program and records[1].raw["completion"]


@pytest.mark.parametrize(
    ("model", "key", "message"),
    [
        ("openai/test-model", "sk-wrong", "rejected the API key"),
        ("openai/other-model", API_KEY, "does not know model 'other-model'"),
    ],
)
def test_preflight_failure_creates_no_run(
    server: OpenAIServer, store: Store, model: str, key: str, message: str
) -> None:
    with pytest.raises(BackendError, match=message):
        start(store, toy_tasks(2), config(server, model=model), session=options(key))
    assert store.list_runs() == []


def test_unreachable_server_creates_no_run(store: Store) -> None:
    with OpenAIServer() as gone:
        cfg = config(gone)
    with pytest.raises(BackendError, match="is the server running"):
        start(store, toy_tasks(2), cfg, session=options())
    assert store.list_runs() == []


def test_resume_of_a_complete_run_does_nothing(server: OpenAIServer, store: Store) -> None:
    first = start(store, toy_tasks(2), config(server, n=2), session=options())
    sent = len(server.completion_requests())
    again = resume(first.run_id, store=store, session=options())
    assert len(server.completion_requests()) == sent
    assert again.summary.pass_at_k == first.summary.pass_at_k
    assert again.summary.timings["sessions"] == 2


def test_resume_refuses_other_settings(server: OpenAIServer, store: Store) -> None:
    run_id = start(store, toy_tasks(2), config(server), session=options()).run_id
    with pytest.raises(InputError, match="n is 1 in the run, 5 given"):
        resume(run_id, store=store, expect={"n": 5, "temperature": None})
    with pytest.raises(InputError, match="tasks given differ"):
        resume(run_id, store=store, expect={"tasks_digest": "0" * 64})
    evaluate_run = store.create_run("evaluate", {})
    with pytest.raises(InputError, match="not a generation run"):
        resume(evaluate_run, store=store)


def test_backend_breaking_mid_run_stops_and_resumes(server: OpenAIServer, store: Store) -> None:
    tasks = toy_tasks(12)
    server.add_fault(Fault.slow(0.0))  # the probe passes
    server.add_fault(*[Fault.status(500)] * 200)
    with pytest.raises(RunStopped) as caught:
        start(store, tasks, config(server), session=options(max_connections=1))
    run_id = caught.value.run_id
    assert store.get_run(run_id).status == "failed"
    server.faults.clear()
    resumed = resume(run_id, store=store, session=options())
    assert resumed.status == "complete"
    assert [r.status for r in store.records(run_id)] == ["passed"] * 12


def test_samples_file_run(server: OpenAIServer, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    lines = [
        {"task_id": "toy/0", "completion": "    return a + b + 0\n"},
        {"task_id": "toy/0", "completion": "    return 0\n", "model": "elsewhere"},
        {"task_id": "toy/1", "solution": "def add_1(a, b):\n    return a + b + 1\n"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = start(store, toy_tasks(3), config(server, model=f"samples:{path}", n=7))
    records = store.records(result.run_id)
    assert [r.raw for r in records] == lines
    assert [r.status for r in records] == ["passed", "failed", "passed"]
    assert server.requests == [] and result.summary.n_samples == 3
    path.write_text(path.read_text() + json.dumps(lines[0]) + "\n")
    with pytest.raises(InputError, match="samples file changed"):
        resume(result.run_id, store=store)


def test_demo_runs_are_reproducible_and_labelled(store: Store) -> None:
    from codehazard.tasks.suites import get_suite

    tasks = get_suite("building-blocks").build(lengths="1-3", per_length=4)
    cfg = RunConfig(model="simulated", params=GenerationParams(n=3, seed=7), ks=(1,))
    first = start(store, tasks, cfg, session=options())
    second = start(store, tasks, cfg, session=options())
    assert snapshot(store, first.run_id) == snapshot(store, second.run_id)
    assert first.summary.simulated is True and "simulated" in first.notices[0]


def test_resume_rebuilds_tasks_a_kill_left_unrecorded(store: Store) -> None:
    source = {"suite": "building-blocks", "params": {"lengths": [1], "per_length": 3, "seed": 0}}
    from codehazard.tasks.suites import get_suite

    tasks = get_suite("building-blocks").build(lengths=[1], per_length=3, seed=0)
    cfg = RunConfig(model="simulated", tasks_source=source, ks=(1,))
    run_id = start(store, tasks, cfg, session=options()).run_id
    expected = snapshot(store, run_id)
    with store.connection as db:  # as if killed between creating the run and adding its tasks
        db.execute("DELETE FROM verdicts WHERE run_id=?", (run_id,))
        db.execute("DELETE FROM samples WHERE run_id=?", (run_id,))
        db.execute("DELETE FROM tasks WHERE run_id=?", (run_id,))
    assert resume(run_id, store=store, session=options()).status == "complete"
    assert snapshot(store, run_id) == expected


def test_the_cache_never_answers_for_another_server(server: OpenAIServer, store: Store) -> None:
    first = start(store, toy_tasks(3), config(server), session=options())
    assert first.summary.pass_at_k["1"] == 1.0
    wrong = {f"add_{i}(": ["```python\ndef nothing():\n    pass\n```"] for i in range(3)}
    with OpenAIServer(api_key=API_KEY, answer=table_answer(wrong)) as other:
        second = start(store, toy_tasks(3), config(other), session=options())
        assert len(other.completion_requests()) == 4  # the probe and every sample
    assert second.summary.generation["cache_hits"] == 0
    assert second.summary.pass_at_k["1"] == 0.0


def test_resume_goes_back_to_the_run_s_server(
    server: OpenAIServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    server.add_fault(*[Fault.status(503, match="add_1(")] * FAST.attempts)
    cfg = config(server).model_copy(update={"base_url": None})
    result = start(store, toy_tasks(3), cfg, session=options())
    params = store.get_run(result.run_id).params
    assert params["config"]["base_url"] == server.base_url  # resolved from the environment
    assert params["sessions"][0]["base_url"] == server.base_url
    with OpenAIServer(api_key=API_KEY, answer=lambda body, prompt: "nonsense") as other:
        monkeypatch.setenv("OPENAI_BASE_URL", other.base_url)
        with pytest.raises(InputError, match=f"`base_url={server.base_url}` to continue"):
            resume(result.run_id, store=store, session=options())
        monkeypatch.delenv("OPENAI_BASE_URL")
        assert resume(result.run_id, store=store, session=options()).status == "complete"
        assert other.requests == []
    assert [r.status for r in store.records(result.run_id)] == ["passed"] * 3


def test_resume_may_move_to_a_server_named_by_base_url(
    server: OpenAIServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.add_fault(*[Fault.status(503, match="add_1(")] * FAST.attempts)
    result = start(store, toy_tasks(3), config(server), session=options())
    with OpenAIServer(api_key=API_KEY, answer=table_answer(answers_table(3))) as moved:
        monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # overridden by the flag
        session = options(base_url=moved.base_url)
        assert resume(result.run_id, store=store, session=session).status == "complete"
        assert len(moved.completion_requests()) == 2  # the probe and the failed sample
    sessions = store.get_run(result.run_id).params["sessions"]
    assert [s["base_url"] for s in sessions] == [server.base_url, moved.base_url]


def test_overflow_from_max_tokens_is_ours_not_the_model_s(
    server: OpenAIServer, store: Store
) -> None:
    budget = (
        "This model's maximum context length is 2048 tokens. However, you requested 2100 "
        "tokens (76 in the messages, 2024 in the completion)."
    )
    server.add_fault(Fault.status(400, body={"error": {"message": budget}}, match="add_1("))
    result = start(store, toy_tasks(3), config(server, max_tokens=2024), session=options())
    assert result.status == "incomplete"
    records = {r.key: r for r in store.records(result.run_id)}
    infra = records["toy/1#0"]
    assert infra.status == "infra" and infra.verdict is not None
    assert "`max_tokens=2024`" in infra.verdict.detail
    assert result.summary.pass_at_k["1"] == 1.0  # not counted against the model


def test_a_refused_request_is_a_failed_sample_not_retried(
    server: OpenAIServer, store: Store
) -> None:
    refusal = {"error": {"message": "Invalid prompt: flagged under our usage policy."}}
    server.add_fault(Fault.status(400, body=refusal, match="add_1("))
    result = start(store, toy_tasks(3), config(server), session=options())
    assert result.status == "complete"
    refused = {r.key: r for r in store.records(result.run_id)}["toy/1#0"]
    assert refused.status == "failed" and refused.program == ""
    assert refused.verdict is not None and "refused" in refused.verdict.detail
    assert refused.verdict.isolation == {"executed": False}
    sent = len(server.completion_requests())
    resume(result.run_id, store=store, session=options())
    assert len(server.completion_requests()) == sent
