"""The tiny model's tokenizer and numpy engine, on small random-weight models written through
the real weights format: the key-value cache gives what recomputing the whole sequence gives,
a sequence decodes the same alone and in a batch, greedy is deterministic, and sampling, top-p,
stop sequences, max-tokens and the context limit behave as for the API backends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codehazard.errors import InputError
from codehazard.models.tiny import (
    Config,
    Sampling,
    TinyModel,
    Tokenizer,
    init_weights,
    learn_merges,
    save,
)

TEXTS = [
    'def f(s: str) -> str:\n    """\n    Return s reversed.\n    """\n    return s[::-1]\n',
    "def g(xs):\n    return [x + 1 for x in xs]\n",
]


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(learn_merges(TEXTS * 4, 40))


def _model(tmp: Path, tokenizer: Tokenizer, context: int = 48, seed: int = 0) -> TinyModel:
    config = Config(vocab=tokenizer.vocab_size, context=context, layers=2, heads=2, width=32)
    weights = init_weights(config, seed)
    # larger weights than the training initialisation, so greedy picks vary from step to step
    weights = {k: v * 20 if k.endswith(".w") or k in ("wte",) else v for k, v in weights.items()}
    path = tmp / "w.npz"
    save(path, config, weights, tokenizer)
    return TinyModel.load(path)


def test_tokenizer_round_trips_text_and_never_raises(tokenizer: Tokenizer) -> None:
    for text in [*TEXTS, "", "héllo wörld ✓\n\t", "    x = 1\n" * 3]:
        assert tokenizer.decode(tokenizer.encode(text)) == text
    assert len(tokenizer.encode(TEXTS[0])) < len(TEXTS[0].encode())  # merges shorten text
    for hostile in ["\ud800", "\x00\xff\ufffe", "a" * 10_000]:
        tokenizer.decode(tokenizer.encode(hostile))


def _naive_greedy(model: TinyModel, prompt: str, steps: int) -> list[int]:
    """Greedy decoding that recomputes the whole sequence at every step (no cache reuse)."""
    ids = model.tokenizer.encode(prompt)
    out: list[int] = []
    for _ in range(steps):
        seq = ids + out
        logits = model._forward(np.array([seq]), np.arange(len(seq))[None], model._cache(1))
        out.append(int(np.argmax(logits[0])))
    return out


def test_cache_gives_what_recomputing_gives(tmp_path: Path, tokenizer: Tokenizer) -> None:
    model = _model(tmp_path, tokenizer)
    expected = _naive_greedy(model, "def f(", 12)
    if model.tokenizer.eos in expected:
        expected = expected[: expected.index(model.tokenizer.eos)]
    got = model.generate(["def f("], [Sampling(max_tokens=12)])[0]
    assert got.text == model.tokenizer.decode(expected)
    assert len(set(expected)) > 1  # the check is not vacuous: the picks vary


def test_a_sequence_decodes_the_same_alone_and_in_a_batch(
    tmp_path: Path, tokenizer: Tokenizer
) -> None:
    model = _model(tmp_path, tokenizer)
    prompts = ["def f(", "def g(xs):\n    return", "x"]
    plans = [Sampling(max_tokens=n) for n in (9, 5, 14)]
    together = model.generate(prompts, plans)
    alone = [model.generate([p], [s])[0] for p, s in zip(prompts, plans, strict=True)]
    assert together == alone
    assert [g.completion_tokens for g in together] == [9, 5, 14] or any(
        g.finish_reason == "stop" for g in together
    )


def test_sampling_is_reproducible_by_seed_and_top_p_narrows_to_greedy(
    tmp_path: Path, tokenizer: Tokenizer
) -> None:
    model = _model(tmp_path, tokenizer, seed=3)
    hot = [Sampling(temperature=1.5, max_tokens=20, seed=s) for s in (1, 1, 2)]
    a, b, c = model.generate(["def"] * 3, hot)
    assert a == b and a != c
    greedy = model.generate(["def"], [Sampling(max_tokens=20)])[0]
    narrow = model.generate(["def"], [Sampling(temperature=1.5, top_p=1e-9, max_tokens=20)])[0]
    assert narrow == greedy


def test_stop_sequences_max_tokens_and_the_context(tmp_path: Path, tokenizer: Tokenizer) -> None:
    model = _model(tmp_path, tokenizer, context=24)
    free = model.generate(["def f("], [Sampling(max_tokens=30)])[0]
    assert free.finish_reason in ("length", "stop")
    if len(free.text) > 3:
        stop = free.text[2:4]
        cut = model.generate(["def f("], [Sampling(max_tokens=30, stop=(stop,))])[0]
        assert cut.finish_reason == "stop" and cut.text == free.text[: free.text.find(stop)]
    short = model.generate(["def f("], [Sampling(max_tokens=3)])[0]
    assert short.completion_tokens <= 3
    too_long = model.generate(["x " * 40], [Sampling()])[0]
    assert too_long.finish_reason == "context_length" and too_long.text == ""
    # generation ends at the context even with tokens left
    ends = model.generate(["def f("], [Sampling(max_tokens=1000)])[0]
    assert ends.prompt_tokens + ends.completion_tokens <= 24


def test_load_refuses_what_is_not_a_weights_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a tiny-model weights file"):
        TinyModel.load(junk)
    with pytest.raises(InputError, match="not a tiny-model weights file"):
        TinyModel.load(tmp_path / "missing.npz")
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, meta=np.array([{"format": 1}], dtype=object))
    with pytest.raises(InputError):
        TinyModel.load(pickled)


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_every_valid_text_round_trips(text: str) -> None:
    tokenizer = Tokenizer(learn_merges(TEXTS, 20))
    assert tokenizer.decode(tokenizer.encode(text)) == text
