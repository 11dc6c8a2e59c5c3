"""Sorting the errors of the official provider SDKs into the backend seam's kinds.

The ``openai`` and ``anthropic`` SDKs share one error design (``APIStatusError`` with
``status_code``, ``response`` and ``body``; ``APITimeoutError`` under ``APIConnectionError``;
``APIResponseValidationError``), so one function maps both, given the SDK module.

Two server answers are outcomes rather than errors, because asking again cannot change them:
a prompt longer than the model's context (``context_length``) and a request the provider
refuses on content policy (``refused``). A context overflow that our own completion budget
causes (prompt plus ``--max-tokens``) is not the model's limit: it is a refused request, ours.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from codehazard.errors import BackendError
from codehazard.models._base import RejectedRequestError, TransientBackendError
from codehazard.models._types import Completion

_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "maximum context",
    "prompt is too long",
    "too many tokens",
    "input is too long",
)
_BUDGET_MARKERS = (
    "completion",
    "max_tokens",
    "max_new_tokens",
    "max_completion_tokens",
    "output tokens",
)
"""Words showing that the completion budget is part of the overflow (vLLM, OpenAI, TGI)."""
_LIMIT = re.compile(r"(?:maximum context length is|must be <=|context (?:size|window) of) (\d+)")
_PROMPT = re.compile(
    r"(\d+) in the messages|(\d+) in your prompt|(\d+) `?(?:input|inputs|prompt)`? tokens"
)
_REFUSAL_MARKERS = (
    "content_filter",
    "content_policy",
    "content management policy",
    "usage policy",
    "usage policies",
)
_RETRY_STATUSES = {408, 409, 425, 429}
_MALFORMED = (json.JSONDecodeError, UnicodeDecodeError, ValidationError)
"""What the SDKs raise, besides their own errors, for a response body they cannot read."""


def parse_retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: ``retry-after-ms``, else ``retry-after`` (seconds or
    an HTTP date); ``None`` when absent or unreadable."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    millis = lower.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = lower.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_message(exc: Exception) -> str:
    """The server's own error message when the body has one, else the exception's text."""
    body: Any = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(inner, str):
            return inner
    return str(exc)


def _error_code(exc: Exception) -> str:
    body: Any = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            return " ".join(str(inner.get(k) or "") for k in ("code", "type"))
    return ""


def _error_text(exc: Exception) -> str:
    return f"{_error_code(exc)} {error_message(exc)}".lower()


def _budget_overflow(text: str) -> bool:
    """Whether a context-length message shows our completion budget is part of the overflow.

    When the message gives both the context and the prompt's size, the budget is to blame
    exactly when the prompt alone fits; otherwise any mention of the completion budget counts.
    """
    if not any(marker in text for marker in _BUDGET_MARKERS):
        return False
    limit, prompt = _LIMIT.search(text), _PROMPT.search(text)
    if limit is None or prompt is None:
        return True
    prompt_tokens = next(int(g) for g in prompt.groups() if g is not None)
    return prompt_tokens < int(limit.group(1))


def _client_error(
    status: int, exc: Exception, server: str, max_tokens: int | None
) -> BackendError | Completion | None:
    """A 400/413/422 that is an outcome (context, refusal) or our budget; ``None`` otherwise."""
    if status not in (400, 413, 422):
        return None
    text = _error_text(exc)
    message = error_message(exc)
    if any(marker in text for marker in _CONTEXT_MARKERS):
        if _budget_overflow(text):
            budget = "`max_tokens`" if max_tokens is None else f"`max_tokens={max_tokens}`"
            return RejectedRequestError(
                f"{server}: the prompt plus the completion budget ({budget}) exceed the "
                f"model's context length ({message[:300]}); start a new run with a smaller "
                "`max_tokens`"
            )
        return Completion(text="", finish_reason="context_length", detail=message[:500])
    if any(marker in text for marker in _REFUSAL_MARKERS):
        return Completion(text="", finish_reason="refused", detail=message[:500])
    return None


def _status_error(
    exc: Any, server: str, model: str, key_env: str, max_tokens: int | None
) -> BackendError | Completion:
    status = int(exc.status_code)
    message = error_message(exc)
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if status == 401:
        return BackendError(
            f"{server} rejected the API key (401: {message}); set {key_env} or pass `api_key`"
        )
    if status == 403:
        return BackendError(f"{server} refused access to model {model!r} (403: {message})")
    if status == 404:
        return BackendError(
            f"{server} does not know model {model!r} (404: {message}); check the model name, "
            "and that `base_url` is the API root (it usually ends in /v1)"
        )
    if status == 429 and "insufficient_quota" in _error_code(exc):
        return BackendError(f"{server}: quota exhausted (429: {message}); check billing")
    outcome = _client_error(status, exc, server, max_tokens)
    if outcome is not None:
        return outcome
    if status in _RETRY_STATUSES or status >= 500:
        return TransientBackendError(
            f"{status} from {server}: {message}", retry_after=parse_retry_after(headers)
        )
    return RejectedRequestError(f"{server} rejected the request ({status}: {message})")


def classify_sdk_error(
    exc: Exception,
    sdk: ModuleType,
    *,
    server: str,
    model: str,
    key_env: str,
    max_tokens: int | None = None,
    install: str = "",
) -> BackendError | Completion:
    """Map an exception raised by an SDK call to the seam's kinds.

    Returns a ``Completion`` without output when the prompt did not fit the model's context
    (``context_length``) or the provider refused it (``refused``), otherwise the
    ``BackendError`` to raise: ``TransientBackendError`` for what retrying may fix (including
    a body the SDK cannot parse), ``RejectedRequestError`` for a refused request (and for a
    context overflow caused by ``max_tokens``), plain ``BackendError`` for what will never
    work, including any other exception: a TypeError from an SDK release that does not fit
    this code must stop the run with one clear line, never a traceback. ``install`` is the
    command that gets a supported SDK.
    """
    if isinstance(exc, sdk.APIStatusError):
        return _status_error(exc, server, model, key_env, max_tokens)
    if isinstance(exc, sdk.APITimeoutError):
        return TransientBackendError(f"request to {server} timed out")
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__
        reason = f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)
        return TransientBackendError(f"connection to {server} failed ({reason})")
    if isinstance(exc, (sdk.APIResponseValidationError, *_MALFORMED)):
        return TransientBackendError(f"malformed response from {server}: {exc}")
    version = getattr(sdk, "__version__", "?")
    fix = f"; install a supported version: {install}" if install else ""
    detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return BackendError(
        f"the {sdk.__name__} SDK {version} failed on a request to {server} ({detail}); our "
        f"side, not the model's{fix}"
    )
