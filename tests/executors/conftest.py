"""Fixtures for the executor tests: the generation tests' loopback OpenAI server and a store,
and HumanEval samples of known statuses for the Ray executor's tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: openai_server, ray_cluster
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "generation"))  # gen_toys

from loopback_fixtures import server, store

__all__ = ["server", "store"]
