"""The generation stage against a real loopback server: concurrency, retries, cache."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from gen_toys import toy_tasks
from openai_server import API_KEY, Fault, OpenAIServer

from codehazard.errors import BackendError
from codehazard.generation import Generated, Generator, RetryPolicy, preflight
from codehazard.models import BackendOptions, GenerationParams, ModelBackend, create_backend
from codehazard.store import Store
from codehazard.store._cache import ResponseCache

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


def backend(server: OpenAIServer, model: str = "test-model", **options: object) -> ModelBackend:
    opts = BackendOptions(base_url=server.base_url, api_key=API_KEY, **options)  # type: ignore[arg-type]
    return create_backend(f"openai/{model}", opts)


def run_jobs(generator: Generator, jobs: list[tuple[object, int]]) -> list[Generated]:
    out: list[Generated] = []

    async def go() -> None:
        try:
            await generator.run(jobs, out.append)  # type: ignore[arg-type]
        finally:
            await generator.backend.aclose()

    asyncio.run(go())
    return out


def make(server: OpenAIServer, **kwargs: object) -> Generator:
    b = backend(server)
    params = b.resolve(GenerationParams(seed=0))
    kwargs.setdefault("retry", FAST)
    return Generator(b, params, **kwargs)  # type: ignore[arg-type]


def test_bounded_concurrency(server: OpenAIServer) -> None:
    server.latency = 0.05
    tasks = toy_tasks(6)
    results = run_jobs(make(server, max_connections=3), [(t, i) for t in tasks for i in range(4)])
    assert len(results) == 24 and all(r.completion is not None for r in results)
    assert server.max_in_flight == 3
    assert sorted((r.task.task_id, r.index) for r in results) == sorted(
        (t.task_id, i) for t in tasks for i in range(4)
    )


@pytest.mark.parametrize(
    "fault",
    [Fault.status(500), Fault.status(429), Fault.drop(), Fault.malformed(), Fault.no_choices()],
)
def test_transient_faults_are_retried(server: OpenAIServer, fault: Fault) -> None:
    server.add_fault(fault)
    (result,) = run_jobs(make(server), [(toy_tasks(1)[0], 0)])
    assert result.completion is not None and result.meta.attempts == 2
    assert result.meta.error is None and len(server.completion_requests()) == 2


def test_retry_after_is_waited_for(server: OpenAIServer) -> None:
    server.add_fault(Fault.status(429, retry_after="1"))
    (result,) = run_jobs(make(server), [(toy_tasks(1)[0], 0)])
    first, second = server.completion_requests()
    assert result.meta.attempts == 2 and second.at - first.at >= 1.0


def test_slow_response_times_out_then_succeeds(server: OpenAIServer) -> None:
    server.add_fault(Fault.slow(3.0))
    b = backend(server, request_timeout=0.3)
    generator = Generator(b, b.resolve(GenerationParams()), retry=FAST)
    (result,) = run_jobs(generator, [(toy_tasks(1)[0], 0)])
    assert result.completion is not None and result.meta.attempts == 2


def test_exhausted_retries_become_a_failed_sample(server: OpenAIServer) -> None:
    server.add_fault(*[Fault.status(503, match="add_0(")] * 4)
    results = run_jobs(make(server), [(t, 0) for t in toy_tasks(3)])
    failed = [r for r in results if r.meta.error is not None]
    assert [r.task.task_id for r in failed] == ["toy/0"]
    assert failed[0].completion is None and failed[0].meta.attempts == 4
    assert "503" in failed[0].meta.error


def test_many_failures_in_a_row_stop_generation(server: OpenAIServer) -> None:
    server.add_fault(*[Fault.status(500)] * 100)
    generator = make(server, max_connections=1, max_consecutive_failures=3)
    with pytest.raises(BackendError, match="3 samples in a row"):
        run_jobs(generator, [(t, 0) for t in toy_tasks(10)])


def test_fatal_errors_stop_at_once(server: OpenAIServer) -> None:
    b = backend(server, model="unknown")
    generator = Generator(b, b.resolve(GenerationParams()), retry=FAST)
    with pytest.raises(BackendError, match="does not know model"):
        run_jobs(generator, [(t, 0) for t in toy_tasks(5)])


def test_cache_answers_the_second_time(server: OpenAIServer, tmp_path: Path) -> None:
    jobs = [(t, i) for t in toy_tasks(3) for i in range(2)]
    with Store(tmp_path / "s.sqlite") as store:
        cache = ResponseCache(store)
        first = run_jobs(make(server, cache=cache), jobs)
        sent = len(server.completion_requests())
        second = run_jobs(make(server, cache=cache), jobs)
        assert len(server.completion_requests()) == sent == 6 and len(cache) == 6
        assert all(r.meta.cache_hit and r.meta.attempts == 0 for r in second)
        key = lambda r: (r.task.task_id, r.index)  # noqa: E731
        assert {key(r): r.completion for r in first} == {key(r): r.completion for r in second}
        fresh = run_jobs(make(server, cache=cache, read_cache=False), jobs)
        assert len(server.completion_requests()) == 12
        assert not any(r.meta.cache_hit for r in fresh)


def test_preflight(server: OpenAIServer) -> None:
    async def check(b: ModelBackend) -> None:
        try:
            await preflight(b, b.resolve(GenerationParams()), FAST)
        finally:
            await b.aclose()

    asyncio.run(check(backend(server)))
    (probe,) = server.completion_requests()
    assert probe.body["max_tokens"] == GenerationParams().max_tokens  # the run's budget
    with pytest.raises(BackendError, match="rejected the API key"):
        asyncio.run(
            check(
                create_backend(
                    "openai/test-model", BackendOptions(base_url=server.base_url, api_key="wrong")
                )
            )
        )
    server.add_fault(Fault.status(400, body={"error": {"message": "top_p unsupported"}}))
    with pytest.raises(BackendError, match="top_p unsupported"):
        asyncio.run(check(backend(server)))
    budget = (
        "This model's maximum context length is 512 tokens. However, you requested 1030 "
        "tokens (6 in the messages, 1024 in the completion)."
    )
    server.add_fault(Fault.status(400, body={"error": {"message": budget}}))
    with pytest.raises(BackendError, match="`max_tokens=1024`") as caught:
        asyncio.run(check(backend(server)))
    assert "\n" not in str(caught.value)


def test_preflight_unreachable_is_one_clear_error() -> None:
    with OpenAIServer() as gone:
        url = gone.base_url
    b = create_backend("openai/m", BackendOptions(base_url=url, api_key="k"))

    async def check() -> None:
        try:
            await preflight(b, b.resolve(GenerationParams()), FAST)
        finally:
            await b.aclose()

    with pytest.raises(BackendError, match="is the server running") as caught:
        asyncio.run(check())
    assert "\n" not in str(caught.value) and url in str(caught.value)


def test_answers_without_output_are_not_cached(tmp_path: Path) -> None:
    jobs = [(t, 0) for t in toy_tasks(2)]
    refusal = {"error": {"message": "flagged by the content management policy"}}
    with (
        Store(tmp_path / "s.sqlite") as store,
        OpenAIServer(api_key=API_KEY, context_limit=20) as server,
    ):
        cache = ResponseCache(store)
        server.add_fault(Fault.status(400, body=refusal, match="add_1("))
        first = run_jobs(make(server, cache=cache), jobs)
        assert sorted(r.meta.finish_reason or "" for r in first) == ["context_length", "refused"]
        assert len(cache) == 0
        second = run_jobs(make(server, cache=cache), jobs)
        assert not any(r.meta.cache_hit for r in second)
        assert len(server.completion_requests()) == 4
