"""Executor specs with an address (``ray``, ``ray://HOST:PORT``, ``ray:HOST:PORT``), the
command line's ``--executor``, and the message a missing Ray gives. No Ray runtime starts here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from codehazard.cli import build_parser
from codehazard.cli._common import cap_workers
from codehazard.errors import ArgumentError, UnknownNameError
from codehazard.executors import executors, get_executor, split_executor_spec
from codehazard.tasks import Task

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("local", ("local", None)),
        ("ray", ("ray", None)),
        ("ray://head.example:10001", ("ray", "ray://head.example:10001")),
        ("ray:10.0.0.5:6379", ("ray", "10.0.0.5:6379")),
        ("ray:auto", ("ray", "auto")),
    ],
)
def test_a_spec_is_a_name_and_an_address(spec: str, expected: tuple[str, str | None]) -> None:
    assert split_executor_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", ":6379", "ray:", "ray://"])
def test_a_spec_without_a_name_or_an_address_is_refused(spec: str) -> None:
    with pytest.raises(ArgumentError, match=r"expected NAME, NAME:ADDRESS or NAME://HOST:PORT"):
        split_executor_spec(spec)


class _Recorder:
    """An executor that only remembers where it was asked to judge."""

    def __init__(self, tasks: Mapping[str, Task], address: str | None = None, **_: Any) -> None:
        self.address = address


@pytest.fixture
def recorder() -> Iterator[None]:
    executors.register("recorder", _Recorder)
    yield
    executors.unregister("recorder")


@pytest.mark.usefixtures("recorder")
def test_get_executor_gives_the_factory_its_address() -> None:
    assert get_executor("recorder")({}).address is None
    assert get_executor("recorder:10.0.0.5:6379")({}).address == "10.0.0.5:6379"
    assert get_executor("recorder://h:1")({}).address == "recorder://h:1"


def test_an_address_for_an_executor_that_takes_none_is_refused() -> None:
    with pytest.raises(ArgumentError, match=r"the 'local' executor takes no address"):
        get_executor("local:10.0.0.5:6379")
    with pytest.raises(UnknownNameError, match=r"unknown executor 'nosuch'; .*local, ray"):
        get_executor("nosuch://h:1")


@pytest.mark.parametrize("command", ["evaluate", "run", "demo"])
def test_every_command_that_judges_takes_an_executor_with_an_address(
    command: str, tmp_path: Path
) -> None:
    (tmp_path / "s.jsonl").write_text("")
    files = [str(tmp_path / "s.jsonl"), "--tasks", str(tmp_path / "s.jsonl")]
    required = {"evaluate": files, "run": [], "demo": []}[command]
    args = build_parser().parse_args([command, *required, "--executor", "ray://head:10001"])
    assert args.executor == "ray://head:10001"


def test_workers_for_a_cluster_are_not_capped_by_this_machine() -> None:
    many = 64 * (os.cpu_count() or 1)
    assert cap_workers(many, "ray://head:10001") == many
    assert cap_workers(many, "local") < many


def test_without_ray_the_executor_names_the_extra(tmp_path: Path, humaneval_path: Path) -> None:
    """With Ray not importable, ``--executor ray`` (every form) and ``get_executor`` say
    exactly what to install, before any run is made."""
    samples = tmp_path / "samples.jsonl"
    samples.write_text(json.dumps({"task_id": "HumanEval/0", "completion": "    pass\n"}) + "\n")
    script = (
        "import sys; sys.modules['ray'] = None\n"  # an import of ray fails, as if not installed
        "from codehazard.errors import MissingExtraError\n"
        "from codehazard.executors import get_executor\n"
        "try:\n    get_executor('ray:auto')\n"
        "except MissingExtraError as exc:\n    print('extra', exc.extra)\n"
        "from codehazard.cli import main\n"
        f"sys.exit(main(['evaluate', {str(samples)!r}, '--tasks', {str(humaneval_path)!r}, "
        f"'--executor', 'ray://head:10001', '--store', {str(tmp_path / 'st.sqlite')!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.stdout.strip() == "extra ray"
    assert done.returncode == 3, done.stderr
    assert "install it with: pip install 'codehazard[ray]'" in done.stderr
    assert "--executor ray" in done.stderr and "Traceback" not in done.stderr
