"""``--model tiny``: the built-in model through the real pipeline (generation, cache, sandbox,
store), with a small random-weight model written in the real weights format, and the shipped
weights' identity recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.models import create_backend
from codehazard.models.tiny import (
    WEIGHTS,
    Config,
    Tokenizer,
    init_weights,
    learn_merges,
    save,
    weights_digest,
)
from codehazard.store import Store

RUN = ["run", "--suite", "building-blocks", "--lengths", "1", "--per-length", "3"]


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tokenizer = Tokenizer(learn_merges(["def f(s):\n    s = s.lower()\n    return s\n"] * 3, 30))
    config = Config(vocab=tokenizer.vocab_size, context=256, layers=1, heads=2, width=16)
    path = tmp_path_factory.mktemp("tiny") / "w.npz"
    save(path, config, init_weights(config, 0), tokenizer)
    return path


def test_a_run_generates_judges_records_and_resumes_from_the_cache(
    weights: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    argv = [*RUN, "--model", f"tiny:{weights}", "-n", "2", "--max-tokens", "24"]
    argv += ["--workers", "1", "--store", str(store), "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "complete" and summary["n_samples"] == 6
    assert summary["simulated"] is False
    with Store(store) as st:
        records = st.records(summary["run_id"])
    assert len(records) == 6
    assert all(r.verdict is not None and r.verdict.status != "infra" for r in records)
    assert main(["runs", "show", summary["run_id"], "--store", str(store), "--json"]) == 0
    assert weights_digest(weights) in capsys.readouterr().out  # which weights answered
    # a second identical run is served from the response cache
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["generation"]["cache_hits"] == 6


def test_chat_mode_is_refused_with_the_supported_mode(weights: Path) -> None:
    from codehazard.errors import InputError
    from codehazard.models import GenerationParams

    backend = create_backend(f"tiny:{weights}")
    with pytest.raises(InputError, match="completion"):
        backend.resolve(GenerationParams(mode="chat"))


def test_a_missing_weights_file_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*RUN, "--model", f"tiny:{tmp_path / 'none.npz'}", "--store", str(tmp_path / "s")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "none.npz" in err and "Traceback" not in err


@pytest.mark.skipif(not WEIGHTS.is_file(), reason="this checkout has no trained weights yet")
def test_the_shipped_weights_load_within_the_size_budget() -> None:
    assert WEIGHTS.stat().st_size <= 25 * 2**20
    backend = create_backend("tiny")
    described = backend.describe()
    assert described["weights_sha256"] and described["simulated"] is False
    assert sum(1 for _ in described["architecture"]) == 5


@pytest.mark.slow
@pytest.mark.skipif(not WEIGHTS.is_file(), reason="this checkout has no trained weights yet")
def test_the_model_cards_single_block_figure_is_reproduced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/tiny-model.md: 46.2% (6 of 13) on the single building blocks, greedy, seed 0."""
    argv = [*RUN[:3], "--lengths", "1", "--per-length", "13", "--model", "tiny", "-n", "1"]
    argv += ["--temperature", "0", "--workers", "1", "--store", str(tmp_path / "s"), "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["n_samples"] == 13
    assert summary["pass_at_k"]["1"] == pytest.approx(6 / 13)
