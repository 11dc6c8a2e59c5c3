"""What the probes' end-to-end tests share: a scripted loopback model, a run, an assessment.

Each probe's test scripts the answers of the loopback OpenAI-compatible server per prompt, runs
``codehazard run --suite <probe's suite>`` through the real command line (generation, sandbox,
probe scoring, store) and assesses the run against the default hazard log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from openai_server import OpenAIServer

from codehazard.cli import main

Answer = Callable[[dict[str, Any], str], str]


def answer_by_function(by_name: Mapping[str, str]) -> Answer:
    """The server's answer: the text for the function the prompt asks for (named as
    ```name(`` in a chat prompt or ``def name(`` in a completion prompt), else nothing."""

    def answer(body: dict[str, Any], prompt: str) -> str:
        for name, text in by_name.items():
            if f"`{name}(" in prompt or f"def {name}(" in prompt:
                return text
        return ""

    return answer


def run_json(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``codehazard <argv> --workers 2 --json``; the run's id (the command must succeed)."""
    assert main([*argv, "--workers", "2", "--json"]) == 0
    run_id: str = json.loads(capsys.readouterr().out)["run_id"]
    return run_id


def simulated_run(suite: str, store: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A run of ``suite`` with the simulator; the run's id."""
    return run_json(
        ["run", "--suite", suite, "--model", "simulated", "--store", str(store)], capsys
    )


def loopback_run(
    suite: str,
    answer: Answer,
    store: Path,
    capsys: pytest.CaptureFixture[str],
    extra: Sequence[str] = (),
) -> str:
    """A run of ``suite`` against the loopback server answering with ``answer``; the run's id."""
    with OpenAIServer(api_key="k", answer=answer) as server:
        argv = ["run", "--suite", suite, "--model", "openai/m", "--base-url", server.base_url]
        return run_json([*argv, "--api-key", "k", "--store", str(store), *extra], capsys)


def assess(tmp_path: Path, store: Path, run_id: str) -> dict[str, Any]:
    """``codehazard assess`` of the run against the default log: the assessment's JSON, with
    its hazards also by id under ``"by_id"``."""
    log, out = tmp_path / "log.yaml", tmp_path / "assessment.json"
    assert main(["hazards", "init", "-o", str(log)]) == 0
    argv = ["assess", "--log", str(log), "--run", run_id, "--store", str(store), "-o", str(out)]
    assert main(argv) == 0
    data: dict[str, Any] = json.loads(out.read_text())
    data["by_id"] = {h["id"]: h for h in data["hazards"]}
    return data
