"""Fixtures shared by the generation and run tests: a loopback OpenAI server that answers the
toy tasks, and a fresh store. Each of those folders' ``conftest.py`` imports them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openai_server import API_KEY, OpenAIServer, table_answer

from codehazard.store import Store


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    """A server that knows ``test-model``, wants ``API_KEY`` and answers the toy tasks."""
    from gen_toys import answers_table

    with OpenAIServer(
        api_key=API_KEY, models=["test-model"], answer=table_answer(answers_table(12))
    ) as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh store file."""
    with Store(tmp_path / "store.sqlite") as st:
        yield st
