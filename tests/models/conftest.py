"""Fixtures for the backend tests: a loopback OpenAI-compatible server."""

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
