"""The anthropic backend through the installed SDK against a real loopback Messages server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

anthropic = pytest.importorskip("anthropic")

from anthropic_server import AnthropicServer, sent_key  # noqa: E402
from backend_common import TASK, generate  # noqa: E402
from openai_server import API_KEY, Fault  # noqa: E402

from codehazard.cli import main  # noqa: E402
from codehazard.errors import BackendError  # noqa: E402
from codehazard.models import (  # noqa: E402
    BackendOptions,
    GenerationParams,
    ModelBackend,
    RejectedRequestError,
    TransientBackendError,
    create_backend,
)
from codehazard.models._sdk import classify_sdk_error  # noqa: E402


@pytest.fixture
def server() -> Iterator[AnthropicServer]:
    """A server that knows ``claude-test`` and wants ``API_KEY``; answers ``"ok"``."""
    with AnthropicServer(
        api_key=API_KEY, models=["claude-test"], answer=lambda body, prompt: "ok"
    ) as srv:
        yield srv


def backend(server: AnthropicServer, **options: Any) -> ModelBackend:
    opts = {"base_url": server.base_url, "api_key": API_KEY, **options}
    return create_backend("anthropic/claude-test", BackendOptions(**opts))


def test_request_and_response(server: AnthropicServer) -> None:
    params = GenerationParams(
        temperature=0.7, top_p=0.9, max_tokens=64, seed=3, system_prompt="Be brief.", stop=("X",)
    )
    out = generate(backend(server), params)
    assert out.text == "ok" and out.finish_reason == "stop"
    assert out.prompt_tokens is not None and out.completion_tokens == 1
    assert out.response_model == "claude-test" and out.latency_s > 0
    (seen,) = server.completion_requests()
    assert seen.path == "/v1/messages" and sent_key(seen.headers) == API_KEY
    body = seen.body
    assert body["model"] == "claude-test" and body["max_tokens"] == 64
    assert body["temperature"] == 0.7 and body["top_p"] == 0.9  # whatever the SDK declares
    assert body["system"] == "Be brief." and body["stop_sequences"] == ["X"]
    assert [m["role"] for m in body["messages"]] == ["user"] and "seed" not in body


def test_top_p_is_sent_only_when_given(server: AnthropicServer) -> None:
    generate(backend(server), GenerationParams())
    (seen,) = server.completion_requests()
    assert seen.body["temperature"] == 0.2 and "top_p" not in seen.body


@pytest.mark.parametrize(
    ("fault", "retry_after"),
    [
        (Fault.status(429, retry_after="3"), 3.0),
        (Fault.status(529), None),
        (Fault.status(500), None),
        (Fault.drop(), None),
        (Fault.malformed(), None),
        (Fault.no_choices(), None),
    ],
)
def test_transient_failures(
    server: AnthropicServer, fault: Fault, retry_after: float | None
) -> None:
    server.add_fault(fault)
    with pytest.raises(TransientBackendError) as caught:
        generate(backend(server), GenerationParams())
    assert caught.value.retry_after == retry_after
    assert len(server.completion_requests()) == 1  # the SDK's own retries are off


def test_prompt_too_long_is_an_output() -> None:
    with AnthropicServer(api_key=API_KEY, context_limit=10) as server:
        out = generate(backend(server), GenerationParams())
    assert out.finish_reason == "context_length" and out.text == ""
    assert "prompt is too long" in out.detail


def test_wrong_key_and_unknown_model_are_fatal(server: AnthropicServer) -> None:
    with pytest.raises(BackendError, match="ANTHROPIC_API_KEY") as caught:
        generate(backend(server, api_key="sk-wrong"), GenerationParams())
    assert not isinstance(caught.value, TransientBackendError | RejectedRequestError)
    b = create_backend("anthropic/nope", BackendOptions(base_url=server.base_url, api_key=API_KEY))
    with pytest.raises(BackendError, match="does not know model 'nope'"):
        generate(b, GenerationParams())


def test_an_exception_outside_the_sdk_is_one_clear_fatal_error() -> None:
    exc = TypeError("AsyncMessages.create() got an unexpected keyword argument 'temperature'")
    outcome = classify_sdk_error(
        exc, anthropic, server="http://x", model="m", key_env="K", install="pip install y"
    )
    assert type(outcome) is BackendError
    text = str(outcome)
    assert "TypeError" in text and "pip install y" in text and "\n" not in text


def test_connection_pool_is_bounded(server: AnthropicServer) -> None:
    server.latency = 0.2
    b = backend(server, max_connections=2)
    params = b.resolve(GenerationParams())

    async def go() -> None:
        try:
            await asyncio.gather(
                *(b.generate(b.build_request(TASK, i, params), TASK) for i in range(6))
            )
        finally:
            await b.aclose()

    asyncio.run(go())
    assert server.max_in_flight == 2 and len(server.completion_requests()) == 6


def test_codehazard_run(
    server: AnthropicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--suite", "building-blocks", "--lengths", "1", "--per-length", "2"]
    argv += ["--model", "anthropic/claude-test", "--base-url", server.base_url]
    argv += ["--api-key", API_KEY, "--workers", "1", "--store", str(tmp_path / "s.sqlite")]
    assert main([*argv, "--json", "--temperature", "0.5"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["status"] == "complete" and summary["n_samples"] == 2, err
    assert summary["generation"]["requests"] == 2
    sent = server.completion_requests()
    assert len(sent) == 3 and all(r.body["temperature"] == 0.5 for r in sent)  # probe + 2
