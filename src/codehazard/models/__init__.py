"""Model backends behind one small interface, registered by name.

``create_backend("openai/gpt-4o-mini", BackendOptions(...))`` returns a ``ModelBackend``; the
built-in backends are ``openai/<model>`` (any OpenAI-compatible server), ``anthropic/<model>``
(optional extra), ``samples:<path>`` (pre-generated samples files), ``tiny`` (the built-in
model), ``hf/<path-or-name>`` and ``vllm/<path-or-name>`` (local models through transformers
or vLLM, optional extras) and ``simulated`` (an offline simulator for exercising the tool; it
measures nothing).
New backends subclass ``ModelBackend`` and register with ``@register_backend(name)``; no
factory to edit. The built-in backends are registered lazily, so importing this package
imports no backend module and no SDK.
"""

from codehazard.models._base import (
    BackendOptions,
    ModelBackend,
    RejectedRequestError,
    TransientBackendError,
)
from codehazard.models._prompts import CODEX_STOP, COMPLETION_WRAPPER, build_messages
from codehazard.models._registry import (
    BackendRegistry,
    create_backend,
    default_registry,
    parse_spec,
    register_backend,
)
from codehazard.models._sdk import parse_retry_after
from codehazard.models._simulated import NOTICE as SIMULATED_NOTICE
from codehazard.models._types import (
    NO_OUTPUT,
    Completion,
    FinishReason,
    GenerationParams,
    Mode,
    PromptForm,
    Request,
)

__all__ = [
    "CODEX_STOP",
    "COMPLETION_WRAPPER",
    "NO_OUTPUT",
    "SIMULATED_NOTICE",
    "BackendOptions",
    "BackendRegistry",
    "Completion",
    "FinishReason",
    "GenerationParams",
    "Mode",
    "ModelBackend",
    "PromptForm",
    "RejectedRequestError",
    "Request",
    "TransientBackendError",
    "build_messages",
    "create_backend",
    "default_registry",
    "parse_retry_after",
    "parse_spec",
    "register_backend",
]
