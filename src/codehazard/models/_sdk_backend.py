"""What the backends built on an official provider SDK share.

One async client per event loop, with the SDK's own retries off (the generation layer retries,
so every attempt is counted and every wait honours ``Retry-After``) and a connection pool sized
by ``BackendOptions.max_connections``. Arguments are fitted to the installed SDK: SDK releases
add and drop keyword parameters (``anthropic`` 2.x has no ``temperature``), so a parameter the
installed SDK does not declare still reaches the server, as a field of the JSON body, instead of
failing every call. Every exception a call raises is sorted into the seam's kinds.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping
from types import ModuleType
from typing import Any, ClassVar

from codehazard.models._base import ModelBackend
from codehazard.models._sdk import classify_sdk_error
from codehazard.models._types import Completion


@functools.lru_cache(maxsize=64)
def _declared(function: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword parameters ``function`` declares; ``None`` when it takes any (or is opaque)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters)


def fit_arguments(method: Callable[..., Any], args: Mapping[str, Any]) -> dict[str, Any]:
    """``args`` with those ``method`` does not declare moved into its ``extra_body``.

    Unchanged when ``method`` takes ``**kwargs``, has no ``extra_body``, or has no signature.
    """
    declared = _declared(getattr(method, "__func__", method))
    if declared is None or "extra_body" not in declared:
        return dict(args)
    fitted = {k: v for k, v in args.items() if k in declared}
    extra = {k: v for k, v in args.items() if k not in declared}
    if extra:
        fitted["extra_body"] = {**(fitted.get("extra_body") or {}), **extra}
    return fitted


class SDKBackend(ModelBackend):
    """A backend that calls a provider SDK's async client (``openai``, ``anthropic``).

    Subclasses set ``_sdk`` (the SDK module), ``_key``, ``base_url`` and ``server`` in their
    constructor, ``key_env`` and ``install`` as class attributes, and build requests'
    arguments; ``_create`` sends them.
    """

    key_env: ClassVar[str] = ""
    """The environment variable holding the key, named when the server rejects it."""
    install: ClassVar[str] = ""
    """The command that installs a supported SDK, named when the installed one fails."""

    _sdk: ModuleType
    _key: str
    base_url: str | None = None
    _client: Any = None

    def _client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the SDK's async client (subclasses may add to them)."""
        kwargs: dict[str, Any] = {
            "api_key": self._key,
            "base_url": self.base_url,
            "max_retries": 0,
            "timeout": self.options.request_timeout,
        }
        pool = _http_client(self._sdk, self.options.max_connections)
        if pool is not None:
            kwargs["http_client"] = pool
        return kwargs

    def _new_client(self) -> Any:
        """The SDK's async client (``AsyncOpenAI``, ``AsyncAnthropic``)."""
        raise NotImplementedError

    def _client_for_loop(self) -> Any:
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def describe(self) -> dict[str, Any]:
        """Backend, model and the server's URL (never the key)."""
        return {**super().describe(), "base_url": self.server}

    async def _create(
        self, endpoint: Callable[[Any], Callable[..., Awaitable[Any]]], args: Mapping[str, Any]
    ) -> Any:
        """``endpoint(client)(**args)``, fitted to the installed SDK; the SDK's response, or a
        ``Completion`` without output (context exceeded, refused), latency filled in.

        Raises:
            TransientBackendError, RejectedRequestError, BackendError: see
                ``ModelBackend.generate``.
        """
        started = time.perf_counter()
        try:
            method = endpoint(self._client_for_loop())
            return await method(**fit_arguments(method, args))
        except Exception as exc:
            outcome = classify_sdk_error(
                exc,
                self._sdk,
                server=self.server or self.name,
                model=self.model,
                key_env=self.key_env,
                max_tokens=args.get("max_tokens"),
                install=self.install,
            )
            if isinstance(outcome, Completion):
                return outcome.model_copy(update={"latency_s": time.perf_counter() - started})
            raise outcome from None

    async def aclose(self) -> None:
        """Close the HTTP client (in the loop that used it)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()


def _http_client(sdk: ModuleType, connections: int) -> Any | None:
    """The SDK's default async HTTP client with a pool of ``connections`` connections, all of
    which may be kept alive; ``None`` where the SDK offers no such client (its default then)."""
    factory = getattr(sdk, "DefaultAsyncHttpxClient", None)
    defaults = getattr(sdk, "DEFAULT_CONNECTION_LIMITS", None)
    if factory is None or defaults is None:
        return None
    limits = type(defaults)(
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=getattr(defaults, "keepalive_expiry", 5.0),
    )
    return factory(limits=limits)
