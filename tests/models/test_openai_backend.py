"""The openai backend against a real loopback server: what it sends, how it sorts failures."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from backend_common import TASK, generate
from openai_server import API_KEY, Fault, OpenAIServer

from codehazard.errors import BackendError, InputError
from codehazard.models import (
    CODEX_STOP,
    BackendOptions,
    GenerationParams,
    ModelBackend,
    RejectedRequestError,
    TransientBackendError,
    create_backend,
)


def backend(server: OpenAIServer, **options: Any) -> ModelBackend:
    opts = {"base_url": server.base_url, "api_key": API_KEY, **options}
    return create_backend("openai/test-model", BackendOptions(**opts))


def test_chat_request_and_response(server: OpenAIServer) -> None:
    params = GenerationParams(temperature=0.7, max_tokens=64, seed=10, system_prompt="Be brief.")
    out = generate(backend(server), params, index=2)
    assert out.text == "ok" and out.finish_reason == "stop"
    assert out.prompt_tokens is not None and out.completion_tokens == 1
    assert out.response_model == "test-model" and out.latency_s > 0
    (seen,) = server.completion_requests()
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["authorization"] == f"Bearer {API_KEY}"
    body = seen.body
    assert body["model"] == "test-model" and body["temperature"] == 0.7
    assert body["max_tokens"] == 64 and body["seed"] == 12  # seed + sample index
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["messages"][1]["role"] == "user"
    assert "top_p" not in body and "stop" not in body


def test_completion_mode_sends_the_prompt_with_codex_stops(server: OpenAIServer) -> None:
    generate(backend(server), GenerationParams(mode="completion", top_p=0.95))
    (seen,) = server.completion_requests()
    assert seen.path == "/v1/completions"
    assert seen.body["prompt"] == TASK.prompt
    assert seen.body["stop"] == list(CODEX_STOP) and seen.body["top_p"] == 0.95


def test_sdk_retries_are_off(server: OpenAIServer) -> None:
    server.add_fault(Fault.status(500))
    with pytest.raises(TransientBackendError):
        generate(backend(server), GenerationParams())
    assert len(server.completion_requests()) == 1


@pytest.mark.parametrize(
    ("fault", "retry_after"),
    [
        (Fault.status(429, retry_after="7"), 7.0),
        (Fault.status(429, headers={"retry-after-ms": "1500"}), 1.5),
        (Fault.status(503), None),
        (Fault.status(408), None),
        (Fault.drop(), None),
        (Fault.malformed(), None),
        (Fault.no_choices(), None),
    ],
)
def test_transient_failures(server: OpenAIServer, fault: Fault, retry_after: float | None) -> None:
    server.add_fault(fault)
    with pytest.raises(TransientBackendError) as caught:
        generate(backend(server), GenerationParams())
    assert caught.value.retry_after == retry_after


def test_timeout_is_transient(server: OpenAIServer) -> None:
    server.add_fault(Fault.slow(2.0))
    with pytest.raises(TransientBackendError, match="timed out"):
        generate(backend(server, request_timeout=0.2), GenerationParams())


def test_wrong_key_is_fatal_and_names_the_variable(server: OpenAIServer) -> None:
    with pytest.raises(BackendError, match="OPENAI_API_KEY") as caught:
        generate(backend(server, api_key="sk-wrong"), GenerationParams())
    assert not isinstance(caught.value, TransientBackendError | RejectedRequestError)


def test_unknown_model_is_fatal(server: OpenAIServer) -> None:
    b = create_backend("openai/nope", BackendOptions(base_url=server.base_url, api_key=API_KEY))
    with pytest.raises(BackendError, match="does not know model 'nope'"):
        generate(b, GenerationParams())


def test_quota_exhausted_is_fatal(server: OpenAIServer) -> None:
    body = {"error": {"message": "You exceeded your quota", "code": "insufficient_quota"}}
    server.add_fault(Fault.status(429, body=body))
    with pytest.raises(BackendError, match="quota") as caught:
        generate(backend(server), GenerationParams())
    assert not isinstance(caught.value, TransientBackendError)


def test_context_length_is_an_output_not_an_error() -> None:
    with OpenAIServer(api_key=API_KEY, context_limit=10) as server:
        out = generate(backend(server), GenerationParams())
    assert out.finish_reason == "context_length" and out.text == ""
    assert "maximum context length" in out.detail


def test_other_client_errors_reject_the_request(server: OpenAIServer) -> None:
    server.add_fault(Fault.status(400, body={"error": {"message": "bad temperature"}}))
    with pytest.raises(RejectedRequestError, match="bad temperature"):
        generate(backend(server), GenerationParams())


def test_unreachable_server_is_transient() -> None:
    with OpenAIServer() as server:
        url = server.base_url
    b = create_backend("openai/m", BackendOptions(base_url=url, api_key="k"))
    with pytest.raises(TransientBackendError, match="connection"):
        generate(b, GenerationParams())


def test_environment_supplies_url_and_key(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    assert generate(create_backend("openai/test-model"), GenerationParams()).text == "ok"


def test_official_api_without_key_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(InputError, match="OPENAI_API_KEY"):
        create_backend("openai/gpt-4o-mini")


def test_local_server_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with OpenAIServer(answer=lambda body, prompt: "fine") as server:
        b = create_backend("openai/any", BackendOptions(base_url=server.base_url))
        assert generate(b, GenerationParams()).text == "fine"


def test_describe_never_holds_the_key(server: OpenAIServer) -> None:
    info = backend(server).describe()
    assert info["base_url"] == server.base_url and API_KEY not in repr(info)


VLLM_BUDGET = (
    "This model's maximum context length is 2048 tokens. However, you requested 2100 tokens "
    "(76 in the messages, 2024 in the completion). Please reduce the length of the messages or "
    "completion."
)
VLLM_NEW_BUDGET = (
    "This model's maximum context length is 2048 tokens. However, you requested 2024 output "
    "tokens and your prompt contains at least 25 input tokens, for a total of at least 2049 "
    "tokens."
)
PROMPT_ALONE = (
    "This model's maximum context length is 2048 tokens. However, you requested 3100 tokens "
    "(3000 in the messages, 100 in the completion). Please reduce the length of the messages or "
    "completion."
)


@pytest.mark.parametrize("message", [VLLM_BUDGET, VLLM_NEW_BUDGET])
def test_overflow_caused_by_max_tokens_is_ours(server: OpenAIServer, message: str) -> None:
    body = {"object": "error", "message": message, "type": "BadRequestError", "code": 400}
    server.add_fault(Fault.status(400, body=body))
    with pytest.raises(RejectedRequestError, match="`max_tokens=2024`") as caught:
        generate(backend(server), GenerationParams(max_tokens=2024))
    assert "\n" not in str(caught.value)


def test_prompt_alone_overflowing_is_the_models_limit(server: OpenAIServer) -> None:
    body = {"error": {"message": PROMPT_ALONE, "code": "context_length_exceeded"}}
    server.add_fault(Fault.status(400, body=body))
    out = generate(backend(server), GenerationParams(max_tokens=100))
    assert out.finish_reason == "context_length" and out.text == ""


def test_content_policy_refusal_is_an_output(server: OpenAIServer) -> None:
    message = (
        "The response was filtered due to the prompt triggering the content management policy."
    )
    server.add_fault(
        Fault.status(400, body={"error": {"message": message, "code": "content_filter"}})
    )
    out = generate(backend(server), GenerationParams())
    assert out.finish_reason == "refused" and out.text == "" and "content management" in out.detail


def test_an_exception_outside_the_sdk_is_one_clear_fatal_error() -> None:
    import openai

    from codehazard.models._sdk import classify_sdk_error

    exc = TypeError("create() got an unexpected keyword argument 'seed'")
    outcome = classify_sdk_error(exc, openai, server="http://x", model="m", key_env="K")
    assert type(outcome) is BackendError and "TypeError" in str(outcome)


def test_arguments_the_sdk_does_not_declare_travel_in_the_body() -> None:
    from codehazard.models._sdk_backend import fit_arguments

    def create(*, model: str, extra_body: dict[str, Any] | None = None) -> None: ...

    def anything(**kwargs: Any) -> None: ...

    args = {"model": "m", "temperature": 0.2}
    assert fit_arguments(create, args) == {"model": "m", "extra_body": {"temperature": 0.2}}
    assert fit_arguments(anything, args) == args


def test_connection_pool_is_bounded(server: OpenAIServer) -> None:
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


def test_requests_and_cache_keys_name_the_server(server: OpenAIServer) -> None:
    here = backend(server)
    elsewhere = create_backend(
        "openai/test-model", BackendOptions(base_url="http://127.0.0.1:9/v1/", api_key="k")
    )
    params = here.resolve(GenerationParams())
    first = here.build_request(TASK, 0, params)
    second = elsewhere.build_request(TASK, 0, params)
    assert first.server == server.base_url and second.server == "http://127.0.0.1:9/v1"
    assert first.cache_key() != second.cache_key()
    assert first.model_copy(update={"server": second.server}).cache_key() == second.cache_key()
