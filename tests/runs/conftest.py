"""Fixtures for the run tests: the generation tests' loopback OpenAI server and a store."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: openai_server
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generation"))  # gen_toys

from loopback_fixtures import server, store

__all__ = ["server", "store"]
