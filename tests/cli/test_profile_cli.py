"""``codehazard profile`` on real runs: a ``--model simulated`` run and a run against the loopback
OpenAI-compatible server, each alone (the table and its JSON) and side by side; runs of one
model pooled or kept apart; bad run ids and a missing store are one line each."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from openai_server import OpenAIServer

import codehazard as ch
from codehazard.cli import main
from codehazard.tasks.suites import get_suite

BUILD = {"lengths": "1-3", "per_length": 2}
SUITE = ["--suite", "building-blocks", "--lengths", "1-3", "--per-length", "2"]
KEY = "sk-profile"


def _answers() -> Any:
    """The loopback model: the reference for even seeds, the input unchanged for odd ones (a
    chain with every step forgotten), so each task passes half its samples."""
    tasks = get_suite("building-blocks").build(**BUILD)
    forms = [(form, t) for t in tasks for form in (t.prompt, t.instruction or t.prompt)]

    def answer(body: dict[str, Any], prompt: str) -> str:
        task = next((t for form, t in forms if form in prompt), None)
        if task is None:  # the backend's check that the server answers
            return "OK"
        if int(body.get("seed") or 0) % 2:
            return f"```python\ndef {task.entry_point}(s):\n    return s\n```"
        return f"```python\n{task.reference_program}\n```"

    return answer


COMMON = ["-n", "2", "--workers", "2", "--json"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A store with a simulated run and a loopback run of the same small suite."""
    store = tmp_path_factory.mktemp("profile") / "s.sqlite"
    with OpenAIServer(api_key=KEY, answer=_answers()) as server:
        demo = _run(
            ["run", *SUITE, "--model", "simulated", *COMMON, "--seed", "0", "--store", str(store)]
        )
        loopback = ["run", *SUITE, "--model", "openai/loop-model", "--base-url", server.base_url]
        loop = _run([*loopback, "--api-key", KEY, *COMMON, "--seed", "0", "--store", str(store)])
    return store, demo, loop


def _run(argv: list[str]) -> str:
    """Run ``codehazard`` (its summary JSON on stdout) and return the run id."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(argv) == 0
    return json.loads(out.getvalue())["run_id"]


def _profile_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["profile", *argv, "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_a_demo_run_prints_the_table_and_its_json(
    runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, demo, *others = runs
    prefix = next(
        demo[:i] for i in range(len(demo)) if not any(o.startswith(demo[:i]) for o in others)
    )
    assert main(["profile", prefix, "--store", str(store)]) == 0
    text = capsys.readouterr().out
    assert "capability profile of simulated: pass@1 by dimension and level" in text
    assert "simulated [simulated]" in text and "samples (tasks)" in text
    rows = [
        line for line in text.splitlines() if re.match(r"^(chain length)?\s+[123] +\d+\.\d%", line)
    ]
    assert len(rows) == 3 and rows[0].startswith("chain length")
    assert all(line.rstrip().endswith("4 (2)") for line in rows)  # 2 tasks x 2 samples a level
    assert ">= 80%" in text and ">= 50%" in text
    assert "note: simulated: simulated answers" in text
    data = _profile_json(capsys, demo, "--store", str(store))
    assert data["schema_version"] == 1 and data["kind"] == "codehazard-profile"
    assert [m["model"] for m in data["models"]] == ["simulated"]
    assert data["models"][0]["runs"] == [demo] and data["models"][0]["simulated"] is True
    (dim,) = data["dimensions"]
    assert dim["dimension"] == "specification-complexity" and dim["levels"] == [1, 2, 3]
    cells = dim["models"][0]["cells"]
    assert [(c["n_tasks"], c["n_samples"]) for c in cells] == [(2, 4)] * 3
    for cell in cells:
        assert cell["interval"]["low"] <= cell["pass_at_1"] <= cell["interval"]["high"]
        assert cell["passed"] == round(cell["pass_at_1"] * 4)
    # the text shows the JSON's numbers
    first = cells[0]
    assert f"{100 * first['pass_at_1']:5.1f}%" in rows[0]


def test_a_loopback_run_and_a_demo_run_side_by_side(
    runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, demo, loop = runs
    alone = _profile_json(capsys, loop, "--store", str(store))
    (model,) = alone["models"]
    assert model["model"] == "openai/loop-model" and model["simulated"] is False
    cells = alone["dimensions"][0]["models"][0]["cells"]
    assert [c["pass_at_1"] for c in cells] == [0.5, 0.5, 0.5]  # reference, then nothing done
    assert all(c["failures"] == {"failed": 2} for c in cells)
    reliable = alone["dimensions"][0]["models"][0]["reliability"]
    assert [(r["threshold"], r["reliable_up_to"], r["falls_below_at"]) for r in reliable] == [
        (0.8, None, 1),
        (0.5, 3, None),
    ]
    both = _profile_json(capsys, demo, loop, "--store", str(store))
    assert [m["model"] for m in both["models"]] == ["simulated", "openai/loop-model"]
    (dim,) = both["dimensions"]
    assert [m["model"] for m in dim["models"]] == ["simulated", "openai/loop-model"]
    assert dim["models"][1]["cells"] == cells
    assert main(["profile", demo, loop, "--store", str(store)]) == 0
    text = capsys.readouterr().out
    header = next(line for line in text.splitlines() if "simulated [simulated]" in line)
    assert header.index("simulated [simulated]") < header.index("openai/loop-model")
    rows = [line for line in text.splitlines() if line.startswith("chain length")]
    assert len(rows) == 2  # the table's first level, and the reliability row
    assert rows[1].endswith("none (none) 3+ (none)")  # loopback: 0.5 at every level
    assert "  chain length: simulated: failed " in text and "; openai/loop-model: failed 6" in text


@pytest.mark.slow
def test_runs_of_one_model_pool_unless_kept_apart(
    runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, first, _ = runs
    again = tmp_path / "again.sqlite"
    shutil.copy(store, again)
    second = _run(
        ["run", *SUITE, "--model", "simulated", *COMMON, "--seed", "1", "--store", str(again)]
    )
    pooled = _profile_json(capsys, first, second, first, "--store", str(again))
    (model,) = pooled["models"]
    assert model["runs"] == [first, second] and model["n_samples"] == 24
    cells = pooled["dimensions"][0]["models"][0]["cells"]
    assert [(c["n_tasks"], c["n_samples"]) for c in cells] == [(2, 8)] * 3
    apart = _profile_json(capsys, first, second, "--store", str(again), "--per-run")
    assert [m["model"] for m in apart["models"]] == [
        f"simulated ({first})",
        f"simulated ({second})",
    ]
    assert [m["n_samples"] for m in apart["models"]] == [12, 12]


def test_thresholds_and_confidence_are_options(
    runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    store, _, loop = runs
    argv = [loop, "--store", str(store), "--threshold", "0.4", "--threshold", "0.9"]
    data = _profile_json(capsys, *argv, "--confidence", "0.8")
    assert data["thresholds"] == [0.9, 0.4] and data["confidence"] == 0.8
    reliable = data["dimensions"][0]["models"][0]["reliability"]
    assert [r["reliable_up_to"] for r in reliable] == [None, 3]
    twice = ["--threshold", "0.5", "--threshold", "0.5"]
    assert main(["profile", loop, "--store", str(store), *twice]) == 2
    assert "gives a threshold twice" in capsys.readouterr().err


def test_the_facade_gives_the_same_profile(runs: tuple[Path, str, str]) -> None:
    store, demo, loop = runs
    profile = ch.profile([demo, loop], store=store)
    assert isinstance(profile, ch.CapabilityProfile)
    assert [m.model for m in profile.models] == ["simulated", "openai/loop-model"]
    assert profile.dimension("specification-complexity") is not None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope"], "no run 'nope' in"),
        ([""], "no run '' in"),
        ([], "profile needs at least one RUN_ID"),
    ],
)
def test_bad_run_ids_are_one_line(
    runs: tuple[Path, str, str],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    store = runs[0]
    assert main(["profile", *argv, "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_ambiguous_prefix_and_a_missing_store_are_one_line(
    runs: tuple[Path, str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, first, second = runs
    common = next(i for i in range(len(first)) if first[i] != second[i])
    assert main(["profile", first[:common], "--store", str(store)]) == 2
    err = capsys.readouterr().err
    assert "is ambiguous" in err and first in err and err.count("\n") == 1
    assert main(["profile", first, "--store", str(tmp_path / "none.sqlite")]) == 2
    assert "no results store here" in capsys.readouterr().err


def test_the_schema_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "CapabilityProfile"
    assert {"schema_version", "models", "dimensions", "thresholds"} <= set(schema["properties"])
