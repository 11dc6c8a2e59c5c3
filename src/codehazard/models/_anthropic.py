"""``anthropic/<model>``: Claude models through the official ``anthropic`` SDK (optional extra).

The SDK is imported only when this backend is asked for; without it the backend says exactly
what to install. Chat mode only (the Messages API); the system prompt travels in ``system``;
the API takes no seed, so ``--seed`` does not reach it. ``top_p`` is sent only when set, since
recent models refuse ``temperature`` and ``top_p`` together. Releases of the SDK differ in the
parameters ``messages.create`` declares (2.x has neither ``temperature`` nor ``top_p``);
``SDKBackend`` sends the undeclared ones in the JSON body, so every release works.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from codehazard._registry import require_extra
from codehazard.errors import InputError, MissingBackendExtraError
from codehazard.models._base import BackendOptions, TransientBackendError
from codehazard.models._prompts import PROBE_MESSAGE
from codehazard.models._registry import register_backend
from codehazard.models._sdk_backend import SDKBackend
from codehazard.models._types import Completion, FinishReason, GenerationParams, Mode, Request
from codehazard.tasks import Task

_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "refusal": "content_filter",
}


@register_backend("anthropic")
class AnthropicBackend(SDKBackend):
    """A Claude model behind the Anthropic Messages API.

    The key is ``--api-key``, else ``ANTHROPIC_API_KEY``; the base URL ``--base-url``, else
    ``ANTHROPIC_BASE_URL``, else Anthropic's.

    Raises (constructor):
        BackendError: the ``anthropic`` package is not installed (the message has the
            ``pip install`` line).
        InputError: no model name, or no key.
    """

    spec_help: ClassVar[str] = "anthropic/<model>"
    modes: ClassVar[tuple[Mode, ...]] = ("chat",)
    base_url_env: ClassVar[str] = "ANTHROPIC_BASE_URL"
    key_env: ClassVar[str] = "ANTHROPIC_API_KEY"
    install: ClassVar[str] = "pip install --upgrade 'codehazard[anthropic]'"

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        anthropic = require_extra(
            "anthropic",
            "anthropic",
            feature="the anthropic backend",
            error=MissingBackendExtraError,
        )
        if not model:
            raise InputError("`model=anthropic/<model>`: name the model, e.g. anthropic/<name>")
        self._sdk = anthropic
        self.base_url = self.options.base_url or os.environ.get(self.base_url_env) or None
        key = self.options.api_key.get_secret_value() if self.options.api_key else None
        key = key or os.environ.get(self.key_env)
        if not key:
            raise InputError("anthropic backend: no API key; set ANTHROPIC_API_KEY or `api_key`")
        self._key = key
        self.server = (self.base_url or "https://api.anthropic.com").rstrip("/")

    def _new_client(self) -> Any:
        return self._sdk.AsyncAnthropic(**self._client_kwargs())

    def probe_request(self, params: GenerationParams) -> Request | None:
        """A short message with the run's sampling parameters and ``max_tokens``."""
        return Request(
            backend=self.name,
            model=self.model,
            server=self.server,
            mode="chat",
            messages=({"role": "user", "content": PROBE_MESSAGE},),
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_tokens,
            stop=tuple(params.stop or ()),
        )

    def _arguments(self, request: Request) -> dict[str, Any]:
        messages = [dict(m) for m in request.messages or ()]
        system = [m["content"] for m in messages if m["role"] == "system"]
        args: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "messages": [m for m in messages if m["role"] != "system"],
        }
        if system:
            args["system"] = "\n\n".join(system)
        if request.top_p is not None:
            args["top_p"] = request.top_p
        if request.stop:
            args["stop_sequences"] = list(request.stop)
        return args

    async def generate(self, request: Request, task: Task | None) -> Completion:
        """Send one message request; see ``ModelBackend.generate`` for what it raises."""
        started = time.perf_counter()
        resp = await self._create(lambda c: c.messages.create, self._arguments(request))
        if isinstance(resp, Completion):
            return resp
        blocks = getattr(resp, "content", None)
        if not isinstance(blocks, list):
            raise TransientBackendError(f"malformed response from {self.server}: no content")
        text = "".join(
            b.text for b in blocks if getattr(b, "type", "") == "text" and isinstance(b.text, str)
        )
        usage = getattr(resp, "usage", None)
        model = getattr(resp, "model", None)
        tokens_in = getattr(usage, "input_tokens", None)
        tokens_out = getattr(usage, "output_tokens", None)
        return Completion(
            text=text,
            finish_reason=_FINISH.get(str(getattr(resp, "stop_reason", "")), "other"),
            prompt_tokens=tokens_in if isinstance(tokens_in, int) else None,
            completion_tokens=tokens_out if isinstance(tokens_out, int) else None,
            latency_s=time.perf_counter() - started,
            response_model=model if isinstance(model, str) else None,
        )
