"""``codehazard run --model hf/<dir>``: the whole pipeline (generation, cache, sandbox, store,
resume) over a tiny random model built on the spot, and the errors a user can meet, each one
line naming what is wrong and the fix."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("transformers")
pytest.importorskip("torch")

from codehazard.cli import main
from codehazard.errors import InputError, MissingBackendExtraError
from codehazard.models import BackendOptions, create_backend
from codehazard.models._local import fingerprint
from codehazard.store import Store

TASKS = [
    {
        "task_id": "toy/add",
        "prompt": 'def add(a, b):\n    """Return a + b."""\n',
        "canonical_solution": "    return a + b\n",
        "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
        "entry_point": "add",
    },
    {
        "task_id": "toy/lower",
        "prompt": 'def f(s):\n    """Return s in lowercase."""\n',
        "canonical_solution": "    return s.lower()\n",
        "test": "def check(candidate):\n    assert candidate('A') == 'a'\n",
        "entry_point": "f",
    },
]


@pytest.fixture
def tasks(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TASKS))
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def _argv(model: Path, tasks: Path, store: Path) -> list[str]:
    argv = ["run", "--tasks", str(tasks), "--model", f"hf/{model}", "-n", "2"]
    argv += ["--max-tokens", "12", "--model-option", "device=cpu", "--workers", "1"]
    return [*argv, "--store", str(store), "--json"]


def test_a_run_generates_judges_records_and_is_cached(
    hf_llama: Path, tasks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    code, summary = _run(_argv(hf_llama, tasks, store), capsys)
    assert code == 0 and summary["status"] == "complete" and summary["n_samples"] == 4
    run_id = str(summary["run_id"])
    with Store(store) as st:
        records = st.records(run_id)
    assert len(records) == 4 and all(r.verdict is not None for r in records)
    assert all(r.verdict.status != "infra" for r in records if r.verdict is not None)
    assert summary["generation"]["samples"] == 4  # type: ignore[index]
    assert main(["runs", "show", run_id, "--store", str(store), "--json"]) == 0
    shown = capsys.readouterr().out
    assert fingerprint(hf_llama) in shown and '"mode": "chat"' in shown  # it has a template
    code, again = _run(_argv(hf_llama, tasks, store), capsys)
    assert code == 0 and again["generation"]["cache_hits"] == 4  # type: ignore[index]


@pytest.mark.slow
def test_another_dtype_is_another_model_and_a_resume_rebuilds_the_backend(
    hf_llama: Path, tasks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    code, first = _run(_argv(hf_llama, tasks, store), capsys)
    assert code == 0
    # the weights' dtype is part of the model's identity: no answer of float32 is reused
    argv = [*_argv(hf_llama, tasks, store), "--model-option", "dtype=bfloat16"]
    code, other = _run(argv, capsys)
    assert code == 0 and other["generation"]["cache_hits"] == 0  # type: ignore[index]
    # a resume rebuilds the backend from the recorded spec and finds nothing left to do
    resume = ["run", "--resume", str(first["run_id"]), "--model-option", "device=cpu"]
    code, resumed = _run([*resume, "--store", str(store), "--json"], capsys)
    assert code == 0 and resumed["status"] == "complete" and resumed["n_samples"] == 4


def test_a_missing_directory_is_one_line_naming_it_and_the_fix(
    tasks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-model"
    argv = [
        "run",
        "--tasks",
        str(tasks),
        "--model",
        f"hf/{missing}",
        "--store",
        str(tmp_path / "s"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "does not exist" in err and "config.json" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_a_directory_without_a_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "weights").mkdir()
    with pytest.raises(InputError, match=r"holds no config\.json.*save_pretrained"):
        create_backend(f"hf/{tmp_path / 'weights'}")
    with pytest.raises(InputError, match="name the model's directory"):
        create_backend("hf")


def test_engine_options_are_checked_by_name_and_value(
    hf_llama: Path, tasks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError, match=r"no option 'devcie' \(its options: device, dtype"):
        create_backend(f"hf/{hf_llama}", BackendOptions(model_options={"devcie": "cpu"}))
    with pytest.raises(InputError, match=r"`model_options=batch_size=0`.*positive integer"):
        create_backend(f"hf/{hf_llama}", BackendOptions(model_options={"batch_size": "0"}))
    assert (
        create_backend(f"hf/{hf_llama}", BackendOptions(model_options={"batch_size": 3})).batch_size
        == 3
    )
    # an engine option given to a backend that takes none is refused too, in the CLI's words
    argv = ["run", "--tasks", str(tasks), "--model", "simulated", "--model-option", "dtype=x"]
    assert main([*argv, "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "--model-option dtype=x" in err and "takes no option 'dtype'" in err


def test_a_missing_extra_names_the_install_line(
    hf_llama: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if not installed
    with pytest.raises(MissingBackendExtraError, match=r"pip install 'codehazard\[hf\]'"):
        create_backend(f"hf/{hf_llama}")


def test_a_hub_name_not_cached_while_offline_is_refused_without_the_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # so that the name is no local path either
    with pytest.raises(InputError, match=r"not in the Hugging Face cache.*download it first"):
        create_backend("hf/nobody-here/no-such-model")


def test_the_help_lists_the_local_backends(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # no line breaks inside the forms
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "hf/<path-or-name>" in out and "vllm/<path-or-name>" in out and "--model-option" in out
