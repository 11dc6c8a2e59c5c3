"""A real OpenAI-compatible HTTP server on loopback, for tests and the benchmark.

It speaks enough of the OpenAI API for the official SDK: ``POST /v1/chat/completions``,
``POST /v1/completions`` and ``GET /v1/models``, over HTTP/1.1 with keep-alive, from its own
asyncio loop in a background thread. Answers are scripted; faults are injected per request:

- ``Fault.status(429, retry_after="1")``, ``Fault.status(500)``: an error response;
- ``Fault.drop()``: the connection is closed without a response;
- ``Fault.slow(seconds)``: the normal answer, late (for client timeouts);
- ``Fault.malformed()``: a 200 whose body is not JSON; ``Fault.no_choices()``: JSON without
  choices.

Each fault applies once, to the next request whose prompt contains its ``match`` (every request
when ``match`` is ``None``). ``server.requests`` records every request received, with the text
of the answer sent (``reply``). With ``unique_replies`` every answer ends in a comment line
numbering it (``    # reply 7``), so a test can tell a reply read from a cache from one asked for
again.

Standalone (for subprocess tests and the benchmark)::

    python tests/openai_server.py --latency 0.2 [--answers answers.json] [--port 0]

prints ``PORT <n>`` once listening and serves until stdin closes or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Answer = Callable[[dict[str, Any], str], str]
API_KEY = "sk-test"
"""The key the test fixtures' servers expect."""


@dataclass
class Fault:
    """One injected misbehaviour; see the module docstring."""

    kind: str
    status_code: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    delay: float = 0.0
    match: str | None = None

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: str | None = None,
        body: dict[str, Any] | None = None,
        match: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = retry_after
        return cls("status", code, extra, body, match=match)

    @classmethod
    def drop(cls, match: str | None = None) -> Fault:
        return cls("drop", match=match)

    @classmethod
    def slow(cls, delay: float, match: str | None = None) -> Fault:
        return cls("slow", delay=delay, match=match)

    @classmethod
    def malformed(cls, match: str | None = None) -> Fault:
        return cls("malformed", match=match)

    @classmethod
    def no_choices(cls, match: str | None = None) -> Fault:
        return cls("no_choices", match=match)


@dataclass
class Seen:
    """A request the server received, and the text it answered (``None``: no answer text)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float
    reply: str | None = None


def prompt_text(body: Any) -> str:
    """The prompt of a completions body, or the messages of a chat body, as one string."""
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("prompt"), str):
        return body["prompt"]
    messages = body.get("messages") or []
    return "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))


def table_answer(table: dict[str, list[str]]) -> Answer:
    """Answer with ``table[marker][seed % len]`` for the first marker found in the prompt."""

    def answer(body: dict[str, Any], prompt: str) -> str:
        for marker, answers in table.items():
            if marker in prompt and answers:
                return answers[int(body.get("seed") or 0) % len(answers)]
        return ""

    return answer


def _error(message: str, code: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class OpenAIServer:
    """The server; use as a context manager (starts on enter, stops on exit).

    ``api_key``: required bearer key (``None`` accepts any); ``models``: the models it knows
    (``None`` accepts any); ``latency``: seconds added to every answer; ``context_limit``:
    prompts longer than this many characters get OpenAI's context-length error; ``answer``:
    the scripted answer function (default: empty text); ``unique_replies``: number every
    answer (see the module docstring). ``max_in_flight`` is the most generation requests it
    has held at once.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        models: list[str] | None = None,
        latency: float = 0.0,
        context_limit: int | None = None,
        answer: Answer | None = None,
        unique_replies: bool = False,
    ) -> None:
        self.api_key, self.models, self.latency = api_key, models, latency
        self.context_limit = context_limit
        self.answer: Answer = answer or (lambda body, prompt: "")
        self.unique_replies = unique_replies
        self.replies_sent = 0
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def add_fault(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def completion_requests(self) -> list[Seen]:
        """The generation requests received (models listings excluded)."""
        return [r for r in self.requests if r.path.endswith("completions")]

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> OpenAIServer:
        self._thread = threading.Thread(target=self._serve, name="openai-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test server did not start")
        return self

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._connection, "127.0.0.1", self.port, backlog=1024)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # HTTP -------------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            body = None
        seen = Seen(method, path, headers, body, time.monotonic())
        self.requests.append(seen)
        status, extra, payload = await self._respond(method, path, headers, body)
        if status is None:  # drop the connection without a word
            writer.transport.abort()
            return False
        if status == 200 and isinstance(payload, dict):
            seen.reply = self.reply_text(payload)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
        out = [
            f"HTTP/1.1 {status} {reason.get(status, 'Error')}",
            "Content-Type: application/json",
            f"Content-Length: {len(data)}",
            *(f"{k}: {v}" for k, v in extra.items()),
        ]
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode() + data)
        await writer.drain()
        return headers.get("connection", "").lower() != "close"

    def reply_text(self, payload: dict[str, Any]) -> str | None:
        """The answer text of a response body (``None`` for other bodies)."""
        choices = payload.get("choices") or [{}]
        message = choices[0].get("message") or {}
        text = message.get("content", choices[0].get("text"))
        return text if isinstance(text, str) else None

    def scripted(self, body: dict[str, Any], prompt: str) -> str:
        """The scripted answer, numbered when ``unique_replies``."""
        text = self.answer(body, prompt)
        if self.unique_replies:
            with self._lock:
                self.replies_sent += 1
                text += f"\n    # reply {self.replies_sent}\n"  # indented: no stop cuts it
        return text

    def _take_fault(self, prompt: str) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self.faults):
                if fault.match is None or fault.match in prompt:
                    return self.faults.pop(i)
        return None

    async def _respond(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int | None, dict[str, str], Any]:
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {}, _error("Incorrect API key provided.", "invalid_api_key")
        if method == "GET" and path.rstrip("/").endswith("/models"):
            names = self.models or ["test-model"]
            return (
                200,
                {},
                {"object": "list", "data": [{"id": n, "object": "model"} for n in names]},
            )
        chat = path.endswith("/chat/completions")
        if method != "POST" or not (chat or path.endswith("/completions")):
            return 404, {}, _error(f"no route {method} {path}", "not_found")
        if not isinstance(body, dict):
            return 400, {}, _error("the body must be a JSON object", "invalid_body")
        model = str(body.get("model", ""))
        if self.models is not None and model not in self.models:
            return 404, {}, _error(f"The model `{model}` does not exist.", "model_not_found")
        prompt = prompt_text(body)
        fault = self._take_fault(prompt)
        if fault is not None and fault.kind != "slow":
            return self._fault_response(fault)
        await self._hold(fault.delay if fault else 0.0)
        if self.context_limit is not None and len(prompt) > self.context_limit:
            message = (
                f"This model's maximum context length is {self.context_limit} tokens. However, "
                f"your messages resulted in {len(prompt)} tokens."
            )
            return 400, {}, _error(message, "context_length_exceeded")
        return 200, {}, self._completion(body, prompt, chat, model)

    async def _hold(self, delay: float) -> None:
        """Keep a generation request in flight for the latency plus ``delay`` seconds."""
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency + delay)
        finally:
            self.in_flight -= 1

    def _fault_response(self, fault: Fault) -> tuple[int | None, dict[str, str], Any]:
        if fault.kind == "drop":
            return None, {}, b""
        if fault.kind == "malformed":
            return 200, {}, b'{"id": "cmpl-broken", "choices": [{"text": '
        if fault.kind == "no_choices":
            return 200, {}, {"id": "x", "object": "chat.completion", "created": 0, "model": "m"}
        body = fault.body or _error(f"injected {fault.status_code}", "injected", "server_error")
        return fault.status_code, fault.headers, body

    def _completion(self, body: dict[str, Any], prompt: str, chat: bool, model: str) -> Any:
        text = self.scripted(body, prompt)
        finish = "stop"
        stops = body.get("stop") or []
        cut = min((i for s in stops if (i := text.find(s)) >= 0), default=-1)
        if cut >= 0:
            text = text[:cut]
        limit = int(body.get("max_tokens") or 10**9)
        words = text.split(" ")
        if len(words) > limit:
            text, finish = " ".join(words[:limit]), "length"
        usage = {
            "prompt_tokens": len(prompt.split()),
            "completion_tokens": len(text.split()),
            "total_tokens": len(prompt.split()) + len(text.split()),
        }
        if chat:
            choice: dict[str, Any] = {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
            }
            kind = "chat.completion"
        else:
            choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
            kind = "text_completion"
        return {
            "id": f"cmpl-{len(self.requests)}",
            "object": kind,
            "created": 0,
            "model": model,
            "choices": [choice],
            "usage": usage,
        }


def main(argv: list[str] | None = None) -> int:
    """Serve until stdin closes or SIGTERM; print ``PORT <n>`` once listening."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--answers", help="JSON file: {marker: [answer, ...]}")
    parser.add_argument("--api-key")
    args = parser.parse_args(argv)
    table = json.loads(open(args.answers, encoding="utf-8").read()) if args.answers else {}
    server = OpenAIServer(api_key=args.api_key, latency=args.latency, answer=table_answer(table))
    server.port = args.port
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server:
        print(f"PORT {server.port}", flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
