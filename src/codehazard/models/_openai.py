"""``openai/<model>``: any OpenAI-compatible server through the official ``openai`` SDK.

OpenAI itself, vLLM, Ollama, llama.cpp's server, TGI, LM Studio and hosted providers speak the
same two endpoints: ``/chat/completions`` (chat mode, the default) and ``/completions``
(completion mode, for base models). The client's set-up (no SDK retries, a bounded pool,
arguments fitted to the installed SDK, errors sorted) is ``SDKBackend``'s.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from codehazard._registry import require_extra
from codehazard.errors import InputError, MissingBackendExtraError
from codehazard.models._base import BackendOptions, TransientBackendError
from codehazard.models._prompts import PROBE_MESSAGE, PROBE_PROMPT
from codehazard.models._registry import register_backend
from codehazard.models._sdk_backend import SDKBackend
from codehazard.models._types import Completion, FinishReason, GenerationParams, Request
from codehazard.tasks import Task

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "eos": "stop",
    "length": "length",
    "content_filter": "content_filter",
}


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
class OpenAIBackend(SDKBackend):
    """A model behind an OpenAI-compatible API.

    The base URL is ``--base-url``, else ``OPENAI_BASE_URL``, else OpenAI's. The key is
    ``--api-key``, else ``OPENAI_API_KEY``; a server named by base URL may need none (local
    servers), so a placeholder is sent then.

    Raises (constructor):
        InputError: no model name, or no key for OpenAI's own API.
    """

    spec_help: ClassVar[str] = "openai/<model>"
    base_url_env: ClassVar[str] = "OPENAI_BASE_URL"
    key_env: ClassVar[str] = "OPENAI_API_KEY"
    install: ClassVar[str] = "pip install --upgrade 'openai>=1.40'"

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        if not model:
            raise InputError("`model=openai/<model>`: name the model, e.g. openai/gpt-4o-mini")
        self._sdk = require_extra(
            "openai", "openai", feature="the openai backend", error=MissingBackendExtraError
        )
        self.base_url = self.options.base_url or os.environ.get(self.base_url_env) or None
        key = self.options.api_key.get_secret_value() if self.options.api_key else None
        key = key or os.environ.get(self.key_env)
        if not key:
            if self.base_url is None:
                raise InputError(
                    "openai backend: no API key; set OPENAI_API_KEY or pass `api_key` (a local "
                    "server named with `base_url` may need none)"
                )
            key = "not-needed"
        self._key = key
        self.server = (self.base_url or "https://api.openai.com/v1").rstrip("/")

    def _new_client(self) -> Any:
        return self._sdk.AsyncOpenAI(**self._client_kwargs())

    def probe_request(self, params: GenerationParams) -> Request | None:
        """A short request in the run's mode, with the run's sampling parameters and
        ``max_tokens`` (so a completion budget the model's context cannot hold shows now)."""
        chat = params.mode != "completion"
        return Request(
            backend=self.name,
            model=self.model,
            server=self.server,
            mode="chat" if chat else "completion",
            messages=({"role": "user", "content": PROBE_MESSAGE},) if chat else None,
            prompt=None if chat else PROBE_PROMPT,
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_tokens,
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
        chat = request.mode == "chat"
        started = time.perf_counter()
        resp = await self._create(
            lambda c: c.chat.completions.create if chat else c.completions.create,
            self._arguments(request),
        )
        if isinstance(resp, Completion):
            return resp
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
