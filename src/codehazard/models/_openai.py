"""``openai/<model>``: any OpenAI-compatible server through the official ``openai`` SDK.

OpenAI itself, vLLM, Ollama, llama.cpp's server, TGI, LM Studio and hosted providers speak the
same two endpoints: ``/chat/completions`` (chat mode, the default) and ``/completions``
(completion mode, for base models). The SDK's own retries are switched off
(``max_retries=0``): the generation layer retries, so every attempt is counted and every wait
honours ``Retry-After``.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from codehazard.errors import InputError
from codehazard.models._base import BackendOptions, ModelBackend, TransientBackendError
from codehazard.models._registry import register_backend
from codehazard.models._sdk import classify_sdk_error
from codehazard.models._types import Completion, FinishReason, GenerationParams, Request
from codehazard.tasks import Task

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "eos": "stop",
    "length": "length",
    "content_filter": "content_filter",
}
PROBE_MESSAGE = "Reply with the word OK."
PROBE_PROMPT = "# The word OK:"


def finish_reason(value: object) -> FinishReason:
    """The server's finish reason in our closed vocabulary."""
    return _FINISH.get(str(value), "other") if value is not None else "other"


def _usage(resp: Any) -> tuple[int | None, int | None]:
    usage = getattr(resp, "usage", None)
    prompt = getattr(usage, "prompt_tokens", None)
    completion = getattr(usage, "completion_tokens", None)
    return (
        prompt if isinstance(prompt, int) else None,
        completion if isinstance(completion, int) else None,
    )


@register_backend("openai")
class OpenAIBackend(ModelBackend):
    """A model behind an OpenAI-compatible API.

    The base URL is ``--base-url``, else ``OPENAI_BASE_URL``, else OpenAI's. The key is
    ``--api-key``, else ``OPENAI_API_KEY``; a server named by base URL may need none (local
    servers), so a placeholder is sent then.

    Raises (constructor):
        InputError: no model name, or no key for OpenAI's own API.
    """

    spec_help: ClassVar[str] = "openai/<model>"

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        if not model:
            raise InputError("--model openai/<model>: name the model, e.g. openai/gpt-4o-mini")
        import openai

        self._sdk = openai
        self.base_url = self.options.base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = self.options.api_key.get_secret_value() if self.options.api_key else None
        key = key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if self.base_url is None:
                raise InputError(
                    "openai backend: no API key; set OPENAI_API_KEY or pass --api-key (a local "
                    "server named with --base-url may need none)"
                )
            key = "not-needed"
        self._key = key
        self.server = (self.base_url or "https://api.openai.com/v1").rstrip("/")
        self._client: Any = None

    def _client_for_loop(self) -> Any:
        if self._client is None:
            self._client = self._sdk.AsyncOpenAI(
                api_key=self._key,
                base_url=self.base_url,
                max_retries=0,
                timeout=self.options.request_timeout,
            )
        return self._client

    def describe(self) -> dict[str, Any]:
        """Backend, model and the server's URL (never the key)."""
        return {**super().describe(), "base_url": self.server}

    def probe_request(self, params: GenerationParams) -> Request | None:
        """A one-token request in the run's mode, with the run's sampling parameters."""
        chat = params.mode != "completion"
        return Request(
            backend=self.name,
            model=self.model,
            mode="chat" if chat else "completion",
            messages=({"role": "user", "content": PROBE_MESSAGE},) if chat else None,
            prompt=None if chat else PROBE_PROMPT,
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=1,
            stop=tuple(params.stop or ()),
            seed=params.seed,
        )

    def _arguments(self, request: Request) -> dict[str, Any]:
        args: dict[str, Any] = {
            "model": self.model,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if request.mode == "chat":
            args["messages"] = [dict(m) for m in request.messages or ()]
        else:
            args["prompt"] = request.prompt or ""
        if request.top_p is not None:
            args["top_p"] = request.top_p
        if request.stop:
            args["stop"] = list(request.stop)
        if request.seed is not None:
            args["seed"] = request.seed
        return args

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """Send one request; see ``ModelBackend.generate`` for what it raises."""
        client = self._client_for_loop()
        endpoint = client.chat.completions if request.mode == "chat" else client.completions
        started = time.perf_counter()
        try:
            resp = await endpoint.create(**self._arguments(request))
        except (self._sdk.OpenAIError, ValueError) as exc:
            outcome = classify_sdk_error(
                exc, self._sdk, server=self.server, model=self.model, key_env="OPENAI_API_KEY"
            )
            if isinstance(outcome, Completion):
                return outcome.model_copy(update={"latency_s": time.perf_counter() - started})
            raise outcome from None
        return self._parse(resp, request, time.perf_counter() - started)

    def _parse(self, resp: Any, request: Request, latency: float) -> Completion:
        choices = getattr(resp, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise TransientBackendError(f"malformed response from {self.server}: no choices")
        choice = choices[0]
        if request.mode == "chat":
            text = getattr(getattr(choice, "message", None), "content", None)
        else:
            text = getattr(choice, "text", None)
        prompt_tokens, completion_tokens = _usage(resp)
        model = getattr(resp, "model", None)
        return Completion(
            text=text if isinstance(text, str) else "",
            finish_reason=finish_reason(getattr(choice, "finish_reason", None)),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            latency_s=latency,
            response_model=model if isinstance(model, str) else None,
        )

    async def aclose(self) -> None:
        """Close the HTTP client (in the loop that used it)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()
