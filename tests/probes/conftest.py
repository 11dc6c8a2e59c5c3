"""The probes' tests use the loopback OpenAI-compatible server of the generation tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: openai_server
