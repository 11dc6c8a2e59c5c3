"""Fixtures for the backend tests: a loopback OpenAI-compatible server, tiny local models."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: openai_server

from openai_server import API_KEY, OpenAIServer


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    """A server that knows ``test-model`` and wants ``API_KEY``; answers ``"ok"``."""
    with OpenAIServer(
        api_key=API_KEY, models=["test-model"], answer=lambda body, prompt: "ok"
    ) as srv:
        yield srv


@pytest.fixture(scope="session")
def hf_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama-shaped model with a chat template (``hf_models.build_model``)."""
    pytest.importorskip("transformers")
    from hf_models import build_model

    return build_model(tmp_path_factory.mktemp("hf") / "llama")


@pytest.fixture(scope="session")
def hf_gpt2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random GPT-2-shaped model (learnt positions, 64 of them), no chat template."""
    pytest.importorskip("transformers")
    from hf_models import build_model

    return build_model(
        tmp_path_factory.mktemp("hf") / "gpt2", arch="gpt2", chat_template=None, context=64
    )
