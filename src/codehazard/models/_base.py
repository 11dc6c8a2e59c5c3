"""The backend seam: one small ABC, the errors a backend may raise, and the options it gets.

A backend turns a ``Request`` into a ``Completion``. It has one abstract method, ``generate``;
everything else (planning samples, building requests, preflight, closing) has a default that
fits remote APIs. Failures are sorted at this boundary, once, into three kinds:

- ``TransientBackendError``: rate limits, 5xx, timeouts, dropped connections, malformed
  responses. The generation layer retries them (backoff with jitter, honouring Retry-After).
- ``RejectedRequestError``: the server refused this one request (a 4xx other than the ones
  below). Not retried; the sample is recorded as ``infra`` (our side) and retried on resume.
- ``BackendError`` itself: nothing will work (bad key, unknown model, missing package). The run
  stops cleanly and can be resumed once fixed.

A prompt that does not fit the model's context is the model's limit, not an error: ``generate``
returns a ``Completion`` with ``finish_reason="context_length"`` and no text. So is a request
the provider refuses on content policy (``finish_reason="refused"``): the deployed system
declined the task, and asking again would only be refused again. An overflow caused by our own
completion budget (prompt plus ``--max-tokens``) is ours: ``RejectedRequestError``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from codehazard.errors import BackendError, InputError
from codehazard.models._prompts import build_messages, default_stop
from codehazard.models._types import Completion, GenerationParams, Mode, Request
from codehazard.tasks import Task


class TransientBackendError(BackendError):
    """A failure that may pass if retried; ``retry_after`` is the server's hint in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RejectedRequestError(BackendError):
    """The server refused this request (and would refuse it again); other requests may pass."""


class BackendOptions(BaseModel):
    """How to reach a backend. Never persisted as a whole: the key stays out of every record.

    ``base_url`` and ``api_key`` left ``None`` fall back to the backend's environment variables
    (``OPENAI_BASE_URL``/``OPENAI_API_KEY``, ``ANTHROPIC_BASE_URL``/``ANTHROPIC_API_KEY``).
    ``request_timeout`` is seconds per HTTP request; ``max_connections`` sizes the SDK's
    connection pool (connections and kept-alive ones) to the number of requests in flight, so
    a large ``--max-connections`` does not churn connections. ``model_options`` are settings of
    a local engine (``device``, ``dtype``, ``tensor_parallel_size``...): each backend names
    the ones it takes (``ModelBackend.model_option_names``) and refuses any other.
    """

    model_config = ConfigDict(frozen=True)
    base_url: str | None = None
    api_key: SecretStr | None = None
    request_timeout: float = Field(120.0, gt=0)
    max_connections: int = Field(16, ge=1)
    model_options: dict[str, str | int | float | bool] = Field(default_factory=dict)


class ModelBackend(ABC):
    """A source of completions, registered by name (see ``register_backend``).

    Subclasses set ``name`` (the registry key, filled in by the decorator), ``spec_help`` (the
    ``--model`` form shown in errors), and may narrow ``modes``. Construct with the part of the
    model spec after the backend name (``gpt-4o-mini`` in ``openai/gpt-4o-mini``).

    Raises (constructor):
        InputError: the model part of the spec is missing or invalid, or ``model_options``
            names an option the backend does not take.
        BackendError: a required optional package is missing (the message has the install line).
    """

    name: ClassVar[str] = ""
    spec_help: ClassVar[str] = ""
    modes: ClassVar[tuple[Mode, ...]] = ("chat", "completion")
    default_mode: ClassVar[Mode] = "chat"
    cacheable: ClassVar[bool] = True
    """False for backends whose answers cost nothing to recompute (files, simulators)."""
    simulated: ClassVar[bool] = False
    """True for simulators: their runs are demonstrations, never measurements."""
    base_url_env: ClassVar[str] = ""
    """The environment variable that supplies the base URL when none is given (remote backends):
    a resume refuses to go elsewhere than the run's recorded server when it names another."""
    batch_size: ClassVar[int] = 1
    """Requests the generation layer hands over at once, through ``generate_batch``. 1 (remote
    APIs): one request per ``generate`` call, ``max_connections`` of them in flight; above 1
    (local engines): whole batches of up to this many, one batch at a time."""
    source_model: str | None = None
    """The model that wrote the samples, when the backend replays another tool's record of
    them (an Inspect log): the run's ``manifest.model``. ``None``: the spec's own model."""
    server: str | None = None
    """The resolved URL requests go to (``None`` offline). Recorded with the run and part of
    every cache key: servers that accept any model name make the name alone ambiguous."""
    model_option_names: ClassVar[tuple[str, ...]] = ()
    """The ``BackendOptions.model_options`` the backend takes (local engines); any other is
    refused when the backend is made, so a misspelt option never goes unnoticed."""

    def __init__(self, model: str, options: BackendOptions | None = None) -> None:
        self.model = model
        self.options = options or BackendOptions()
        unknown = sorted(set(self.options.model_options) - set(self.model_option_names))
        if unknown:
            name = unknown[0]
            takes = ", ".join(self.model_option_names) or "none"
            raise InputError(
                f"`model_options={name}={self.options.model_options[name]}`: the {self.name} "
                f"backend takes no option {name!r} (its options: {takes})"
            )

    # hooks with defaults ---------------------------------------------------------------------

    def prepare(self, tasks: Mapping[str, Task]) -> None:
        """Load whatever the backend needs about the tasks (default: nothing).

        Raises:
            InputError: the backend's inputs do not fit the tasks.
        """
        del tasks  # most backends need nothing from the tasks up front

    def plan(self, tasks: Sequence[Task], n: int) -> list[tuple[str, int]]:
        """The ``(task_id, sample index)`` pairs to generate: ``n`` per task by default."""
        return [(t.task_id, i) for t in tasks for i in range(n)]

    def resolve(self, params: GenerationParams) -> GenerationParams:
        """``params`` with the backend's default mode and stop sequences filled in.

        Raises:
            InputError: the backend does not support the requested mode.
        """
        mode = params.mode or self.default_mode
        if mode not in self.modes:
            supported = " or ".join(self.modes)
            raise InputError(
                f"the {self.name} backend does not support `mode={mode}`; use {supported}"
            )
        stop = params.stop if params.stop is not None else default_stop(mode)
        if mode == "completion" and params.prompt_form == "instruction":
            raise InputError("`prompt_form=instruction` needs `mode=chat`")
        if mode == "completion" and params.system_prompt:
            raise InputError("`system_prompt` needs `mode=chat` (completion mode has no roles)")
        return params.model_copy(update={"mode": mode, "stop": tuple(stop)})

    def build_request(self, task: Task, index: int, params: GenerationParams) -> Request:
        """The request for sample ``index`` of ``task`` (``params`` already resolved)."""
        mode = params.mode or self.default_mode
        chat = mode == "chat"
        return Request(
            backend=self.name,
            model=self.model,
            server=self.server,
            mode=mode,
            messages=tuple(build_messages(task, params)) if chat else None,
            prompt=None if chat else task.prompt,
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_tokens,
            stop=tuple(params.stop or ()),
            seed=params.sample_seed(index),
            index=index,
        )

    def probe_request(self, params: GenerationParams) -> Request | None:
        """A short request sent once before a run, with the run's parameters (``max_tokens``
        included), so that an unreachable server, a rejected key, an unknown model or refused
        parameters stop the run before it starts; ``None`` (the default, for offline backends)
        skips the check."""
        return None

    async def aclose(self) -> None:
        """Release connections. Called once, in the event loop that used the backend."""
        return None

    def describe(self) -> dict[str, Any]:
        """What to record about the backend in the run (never a secret)."""
        return {"backend": self.name, "model": self.model, "simulated": self.simulated}

    # the one abstract method --------------------------------------------------------------------

    @abstractmethod
    async def generate(self, request: Request, task: Task | None) -> Completion:
        """Produce one completion for ``request``; ``task`` (``None`` for the preflight probe)
        is there for offline backends, which answer from it.

        Raises:
            TransientBackendError: worth retrying (rate limit, 5xx, timeout, dropped connection,
                malformed response).
            RejectedRequestError: this request was refused.
            BackendError: nothing will work (bad key, unknown model).
        """

    async def generate_batch(
        self, batch: Sequence[tuple[Request, Task | None]]
    ) -> list[Completion]:
        """Completions for a whole batch of requests, in order.

        The default asks ``generate`` for each in turn; a local engine (vLLM, transformers)
        overrides it to run the batch at once, which is where its throughput comes from, and
        sets ``batch_size`` above 1 so that the generation layer calls it with whole batches.

        Raises:
            TransientBackendError, RejectedRequestError, BackendError: as ``generate``; one
                failing request fails the batch (the caller retries what is left).
        """
        return [await self.generate(request, task) for request, task in batch]
