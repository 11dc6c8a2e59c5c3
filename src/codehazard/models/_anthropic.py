"""``anthropic/<model>``: Claude models through the official ``anthropic`` SDK (optional extra).

The SDK is imported only when this backend is asked for; without it the backend says exactly
what to install. Chat mode only (the Messages API); the system prompt travels in ``system``;
the API takes no seed, so ``--seed`` does not reach it. ``top_p`` is sent only when set, since
recent models refuse ``temperature`` and ``top_p`` together.
"""

from __future__ import annotations

import os
import time
from typing import Any, ClassVar

from codehazard.errors import BackendError, InputError
from codehazard.models._base import BackendOptions, ModelBackend, TransientBackendError
from codehazard.models._registry import register_backend
from codehazard.models._sdk import classify_sdk_error
from codehazard.models._types import Completion, FinishReason, GenerationParams, Mode, Request
from codehazard.tasks import Task

INSTALL_LINE = "pip install 'codehazard[anthropic]'"
_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "refusal": "content_filter",
}


@register_backend("anthropic")
class AnthropicBackend(ModelBackend):
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

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        super().__init__(model, options)
        try:
            import anthropic
        except ImportError:
            raise BackendError(
                f"the anthropic backend needs the anthropic package: {INSTALL_LINE}"
            ) from None
        if not model:
            raise InputError("--model anthropic/<model>: name the model, e.g. anthropic/<name>")
        self._sdk = anthropic
        self.base_url = self.options.base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        key = self.options.api_key.get_secret_value() if self.options.api_key else None
        key = key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise InputError("anthropic backend: no API key; set ANTHROPIC_API_KEY or --api-key")
        self._key = key
        self.server = (self.base_url or "https://api.anthropic.com").rstrip("/")
        self._client: Any = None

    def _client_for_loop(self) -> Any:
        if self._client is None:
            self._client = self._sdk.AsyncAnthropic(
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
        """A one-token message with the run's sampling parameters."""
        return Request(
            backend=self.name,
            model=self.model,
            mode="chat",
            messages=({"role": "user", "content": "Reply with the word OK."},),
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=1,
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
        client = self._client_for_loop()
        started = time.perf_counter()
        try:
            resp = await client.messages.create(**self._arguments(request))
        except (self._sdk.AnthropicError, ValueError) as exc:
            outcome = classify_sdk_error(
                exc, self._sdk, server=self.server, model=self.model, key_env="ANTHROPIC_API_KEY"
            )
            if isinstance(outcome, Completion):
                return outcome.model_copy(update={"latency_s": time.perf_counter() - started})
            raise outcome from None
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

    async def aclose(self) -> None:
        """Close the HTTP client (in the loop that used it)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()
