"""Sorting the errors of the official provider SDKs into the backend seam's three kinds.

The ``openai`` and ``anthropic`` SDKs share one error design (``APIStatusError`` with
``status_code``, ``response`` and ``body``; ``APITimeoutError`` under ``APIConnectionError``;
``APIResponseValidationError``), so one function maps both, given the SDK module.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from types import ModuleType
from typing import Any

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
_RETRY_STATUSES = {408, 409, 425, 429}


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


def _is_context_error(exc: Exception) -> bool:
    text = f"{_error_code(exc)} {error_message(exc)}".lower()
    return any(marker in text for marker in _CONTEXT_MARKERS)


def _status_error(exc: Any, server: str, model: str, key_env: str) -> BackendError | Completion:
    status = int(exc.status_code)
    message = error_message(exc)
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if status == 401:
        return BackendError(
            f"{server} rejected the API key (401: {message}); set {key_env} or pass --api-key"
        )
    if status == 403:
        return BackendError(f"{server} refused access to model {model!r} (403: {message})")
    if status == 404:
        return BackendError(
            f"{server} does not know model {model!r} (404: {message}); check the model name, "
            "and that --base-url is the API root (it usually ends in /v1)"
        )
    if status == 429 and "insufficient_quota" in _error_code(exc):
        return BackendError(f"{server}: quota exhausted (429: {message}); check billing")
    if status in (400, 413, 422) and _is_context_error(exc):
        return Completion(text="", finish_reason="context_length", detail=message[:500])
    if status in _RETRY_STATUSES or status >= 500:
        return TransientBackendError(
            f"{status} from {server}: {message}", retry_after=parse_retry_after(headers)
        )
    return RejectedRequestError(f"{server} rejected the request ({status}: {message})")


def classify_sdk_error(
    exc: Exception, sdk: ModuleType, *, server: str, model: str, key_env: str
) -> BackendError | Completion:
    """Map an exception raised by an SDK call to the seam's kinds.

    Returns a ``Completion`` (``finish_reason="context_length"``) when the prompt did not fit,
    otherwise the ``BackendError`` to raise: ``TransientBackendError`` for what retrying may
    fix, ``RejectedRequestError`` for a refused request, plain ``BackendError`` for what will
    never work. Exceptions that are not the SDK's (e.g. invalid JSON in a response body) count
    as malformed responses, which are transient.
    """
    if isinstance(exc, sdk.APIStatusError):
        return _status_error(exc, server, model, key_env)
    if isinstance(exc, sdk.APITimeoutError):
        return TransientBackendError(f"request to {server} timed out")
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__
        reason = f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)
        return TransientBackendError(f"connection to {server} failed ({reason})")
    if isinstance(exc, sdk.APIResponseValidationError):
        return TransientBackendError(f"malformed response from {server}: {exc}")
    if isinstance(exc, ValueError):
        return TransientBackendError(f"malformed response from {server}: {exc}")
    return TransientBackendError(f"{server}: {type(exc).__name__}: {exc}")
