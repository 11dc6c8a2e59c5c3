"""The data that crosses the backend seam: sampling parameters, one request, one completion.

Everything here is plain, versioned pydantic: a ``Request`` is exactly what is sent (and what the
response cache is keyed by); a ``Completion`` is what came back (and what the cache stores).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from codehazard.errors import ArgumentError

PARAMS_SCHEMA_VERSION = 1
COMPLETION_SCHEMA_VERSION = 1

Mode = Literal["chat", "completion"]
"""``chat``: messages to a chat endpoint; ``completion``: the bare prompt, to be continued."""

PromptForm = Literal["auto", "instruction", "completion"]
"""Which task form a chat request uses: ``auto`` is the instruction when the task has one."""

FinishReason = Literal["stop", "length", "content_filter", "context_length", "refused", "other"]
"""Why the model stopped. ``context_length``: the prompt did not fit; ``refused``: the provider
refused the request (content policy). Neither has any output."""

NO_OUTPUT: frozenset[str] = frozenset({"context_length", "refused"})
"""Finish reasons that carry no output: nothing to run, and nothing worth caching."""


class GenerationParams(BaseModel):
    """How to sample: part of a run's identity, recorded with it and hashed into cache keys.

    ``mode`` and ``stop`` left ``None`` take the backend's defaults (see ``ModelBackend.resolve``).
    ``seed`` is sent as ``seed + sample index`` so the n samples of a task differ even on servers
    that honour seeds. ``top_p`` left ``None`` is not sent (the server's default applies).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = PARAMS_SCHEMA_VERSION
    n: int = Field(1, ge=1, le=100_000)
    temperature: float = Field(0.2, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int = Field(1024, ge=1)
    seed: int | None = None
    mode: Mode | None = None
    prompt_form: PromptForm = "auto"
    system_prompt: str | None = None
    stop: tuple[str, ...] | None = None

    @field_validator("stop")
    @classmethod
    def _stops_non_empty(cls, stop: tuple[str, ...] | None) -> tuple[str, ...] | None:
        # a field error (not a model one), so the message can name the argument: stop
        if stop is not None and any(not s for s in stop):
            raise ArgumentError("stop sequences must be non-empty strings; drop the empty one")
        return stop

    @model_validator(mode="after")
    def _forms_fit(self) -> GenerationParams:
        if self.mode == "completion" and self.prompt_form == "instruction":
            raise ArgumentError(
                "prompt_form 'instruction' needs chat mode: completion mode continues the "
                "completion form (use `mode=chat`, or `prompt_form=completion`)"
            )
        return self

    def sample_seed(self, index: int) -> int | None:
        """The seed sent for sample ``index`` (``None`` when no seed was asked for)."""
        return None if self.seed is None else self.seed + index


class Request(BaseModel):
    """Exactly what one generation request sends, and where: the messages or prompt, the
    sampling, and the server.

    ``messages`` is set in chat mode (``{"role", "content"}`` dicts, system message first when
    there is one); ``prompt`` in completion mode. ``index`` is the sample index within its task.
    ``server`` is the resolved URL the request goes to (``None`` for offline backends): local
    servers (llama.cpp, LM Studio, Ollama) answer any model name, so the name alone does not
    say which model answered.
    """

    model_config = ConfigDict(frozen=True)
    backend: str
    model: str
    server: str | None = None
    mode: Mode
    messages: tuple[dict[str, str], ...] | None = None
    prompt: str | None = None
    temperature: float
    top_p: float | None
    max_tokens: int
    stop: tuple[str, ...] = ()
    seed: int | None = None
    index: int = 0

    def cache_key(self) -> str:
        """SHA-256 over the whole request: backend, server, model, prompt, parameters, index."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def text(self) -> str:
        """The prompt text as one string (messages joined), e.g. for approximate token counts."""
        if self.prompt is not None:
            return self.prompt
        return "\n".join(m["content"] for m in self.messages or ())


class Completion(BaseModel):
    """One response: the text and what the server reported about it.

    ``record`` replaces the default samples-file line ``{"task_id", "completion"}`` when the
    backend already has one (the ``samples:`` backend keeps the original line). ``detail`` is a
    server message worth keeping (e.g. why the context was exceeded).
    """

    model_config = ConfigDict(frozen=True)
    schema_version: int = COMPLETION_SCHEMA_VERSION
    text: str
    finish_reason: FinishReason = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float = 0.0
    response_model: str | None = None
    record: dict[str, Any] | None = None
    detail: str = ""


def approximate_tokens(text: str) -> int:
    """A whitespace word count: the token estimate used by offline backends (never billed)."""
    return len(text.split())
