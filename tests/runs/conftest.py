"""Fixtures for the run tests: the generation tests' loopback OpenAI server and a store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: openai_server
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generation"))  # gen_toys

from gen_toys import answers_table
from openai_server import API_KEY, OpenAIServer, table_answer

from codehazard.store import Store


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    """A server that knows ``test-model``, wants ``API_KEY`` and answers the toy tasks."""
    with OpenAIServer(
        api_key=API_KEY, models=["test-model"], answer=table_answer(answers_table(12))
    ) as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store file."""
    with Store(tmp_path / "store.sqlite") as st:
        yield st
