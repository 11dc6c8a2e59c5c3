"""Backend registration by name, model specs, and the errors a bad spec gets."""

from __future__ import annotations

import importlib.util
import sys
from typing import ClassVar

import pytest

from codehazard.errors import BackendError, InputError
from codehazard.models import (
    BackendRegistry,
    Completion,
    ModelBackend,
    Request,
    create_backend,
    default_registry,
    parse_spec,
    register_backend,
)
from codehazard.tasks import Task


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("openai/gpt-4o-mini", ("openai", "gpt-4o-mini")),
        ("openai/meta-llama/Llama-3-8B", ("openai", "meta-llama/Llama-3-8B")),
        ("samples:/tmp/a:b.jsonl", ("samples", "/tmp/a:b.jsonl")),
        ("demo", ("demo", "")),
        ("Demo/label", ("demo", "label")),
    ],
)
def test_parse_spec(spec: str, expected: tuple[str, str]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", "/gpt", "9x/y", "open ai/x"])
def test_malformed_spec(spec: str) -> None:
    with pytest.raises(InputError, match="expected <backend>/<model>"):
        parse_spec(spec)


def test_unknown_backend_lists_the_forms() -> None:
    with pytest.raises(InputError) as caught:
        create_backend("nosuch/model")
    message = str(caught.value)
    for form in ("openai/<model>", "anthropic/<model>", "samples:<path>", "simulated", "tiny"):
        assert form in message


def test_builtin_backends_are_registered() -> None:
    assert {"openai", "anthropic", "samples", "simulated", "tiny"} <= set(
        default_registry().names()
    )


def test_register_backend_decorator_with_own_registry() -> None:
    registry = BackendRegistry()

    @register_backend("echo", registry=registry)
    class Echo(ModelBackend):
        spec_help: ClassVar[str] = "echo/<word>"

        async def generate(self, request: Request, task: Task | None) -> Completion:
            return Completion(text=self.model)

    made = create_backend("echo/hello", registry=registry)
    assert isinstance(made, Echo) and made.name == "echo" and made.model == "hello"
    with pytest.raises(ValueError, match="already registered"):
        register_backend("echo", registry=registry)(type("Other", (Echo,), {}))
    with pytest.raises(InputError, match="echo/<word>"):
        create_backend("nope", registry=registry)


@pytest.mark.parametrize("spec", ["openai/", "samples:", "anthropic/"])
def test_missing_model_part(spec: str) -> None:
    if spec.startswith("anthropic") and importlib.util.find_spec("anthropic") is None:
        pytest.skip("anthropic not installed: covered by the install-line test")
    with pytest.raises(InputError, match="`model="):
        create_backend(spec)


def test_missing_anthropic_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anthropic", None)  # as if not installed
    with pytest.raises(BackendError) as caught:
        create_backend("anthropic/claude-x")
    message = str(caught.value)
    assert "pip install 'codehazard[anthropic]'" in message and "\n" not in message


def test_the_simulators_old_name_is_refused_with_the_new_ones() -> None:
    """``demo`` named the simulator before ``codehazard demo`` ran the built-in model: a
    simulator must never be taken for a model, so the old name says what to use instead."""
    with pytest.raises(InputError) as info:
        create_backend("demo")
    assert "--model simulated" in str(info.value) and "--model tiny" in str(info.value)
