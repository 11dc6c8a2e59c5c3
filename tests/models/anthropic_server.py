"""A real Anthropic-Messages-speaking HTTP server on loopback, for the anthropic backend tests.

The same server as ``openai_server.OpenAIServer`` (its connection handling, faults, request log
and scripted answers), speaking ``POST /v1/messages`` instead: the key in ``x-api-key`` (or as
a bearer token, as recent SDKs send it), ``system`` and ``stop_sequences`` fields, ``content``
blocks and ``stop_reason`` in answers, and Anthropic's error bodies
(``{"type": "error", "error": {"type", "message"}}``). A ``Fault.no_choices()`` answers a
message without ``content``.
"""

from __future__ import annotations

from typing import Any

from openai_server import Fault, OpenAIServer, prompt_text


def sent_key(headers: dict[str, str]) -> str | None:
    """The API key a request carries: ``x-api-key``, or a bearer token (recent SDKs)."""
    bearer = headers.get("authorization", "")
    return headers.get("x-api-key") or (bearer[7:] if bearer.startswith("Bearer ") else None)


def _error(status: int, kind: str, message: str) -> tuple[int, dict[str, str], Any]:
    return status, {}, {"type": "error", "error": {"type": kind, "message": message}}


class AnthropicServer(OpenAIServer):
    """See the module docstring; ``context_limit`` counts the prompt's characters."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"  # the SDK adds /v1/messages

    def completion_requests(self) -> list[Any]:
        """The message requests received."""
        return [r for r in self.requests if r.path.endswith("/messages")]

    def reply_text(self, payload: dict[str, Any]) -> str | None:
        blocks = payload.get("content")
        if not isinstance(blocks, list):
            return None
        return "".join(b.get("text", "") for b in blocks if b.get("type") == "text")

    async def _respond(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int | None, dict[str, str], Any]:
        if self.api_key is not None and sent_key(headers) != self.api_key:
            return _error(401, "authentication_error", "invalid x-api-key")
        if method != "POST" or not path.endswith("/v1/messages"):
            return _error(404, "not_found_error", f"no route {method} {path}")
        if not isinstance(body, dict):
            return _error(400, "invalid_request_error", "the body must be a JSON object")
        model = str(body.get("model", ""))
        if self.models is not None and model not in self.models:
            return _error(404, "not_found_error", f"model: {model}")
        prompt = "\n".join(filter(None, [str(body.get("system") or ""), prompt_text(body)]))
        fault = self._take_fault(prompt)
        if fault is not None and fault.kind != "slow":
            return self._anthropic_fault(fault)
        await self._hold(fault.delay if fault else 0.0)
        if self.context_limit is not None and len(prompt) > self.context_limit:
            message = f"prompt is too long: {len(prompt)} tokens > {self.context_limit} maximum"
            return _error(400, "invalid_request_error", message)
        return 200, {}, self._message(body, prompt, model)

    def _anthropic_fault(self, fault: Fault) -> tuple[int | None, dict[str, str], Any]:
        if fault.kind == "status" and fault.body is None:
            kind = "overloaded_error" if fault.status_code == 529 else "api_error"
            status, _, payload = _error(fault.status_code, kind, f"injected {fault.status_code}")
            return status, fault.headers, payload
        if fault.kind == "no_choices":
            return 200, {}, {"id": "msg_x", "type": "message", "role": "assistant", "model": "m"}
        return self._fault_response(fault)

    def _message(self, body: dict[str, Any], prompt: str, model: str) -> dict[str, Any]:
        text = self.scripted(body, prompt)
        stop_reason, stop_sequence = "end_turn", None
        for stop in body.get("stop_sequences") or []:
            at = text.find(stop)
            if at >= 0:
                text, stop_reason, stop_sequence = text[:at], "stop_sequence", stop
        words = text.split(" ")
        if len(words) > int(body.get("max_tokens") or 10**9):
            text, stop_reason = " ".join(words[: int(body["max_tokens"])]), "max_tokens"
        return {
            "id": f"msg_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": stop_reason,
            "stop_sequence": stop_sequence,
            "usage": {"input_tokens": len(prompt.split()), "output_tokens": len(text.split())},
        }
