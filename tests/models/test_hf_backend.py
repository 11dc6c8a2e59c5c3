"""``hf/<path>``: transformers decoding of tiny random models built on the spot (no download).

Batched greedy decoding equals one-by-one decoding with prompts of different lengths (so the
left padding matters), for a rotary model (Llama) and one with learnt positions (GPT-2); stop
sequences are cut as the API backends cut them; a seed fixes the draws whatever the batch; chat
prompts come from the tokenizer's template; a prompt past the context gets no output.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

pytest.importorskip("transformers")
pytest.importorskip("torch")

from codehazard.errors import InputError
from codehazard.models import BackendOptions, Completion, GenerationParams, create_backend
from codehazard.models._hf import HFBackend
from codehazard.models._local import prompt_ids
from codehazard.tasks import Task, TestChecker

CPU = BackendOptions(model_options={"device": "cpu"})

PROMPTS = [
    "def f(s):\n",
    "def add(a, b):\n    return a + b\n\n\ndef g(x):\n",
    "x",
    "Complete the following Python function.\n```python\ndef f(s):\n    s = s.lower()\n",
]
"""Of 4 to 30-odd tokens: every batch of them is padded."""


def _task(i: int, prompt: str) -> Task:
    return Task(
        task_id=f"t/{i}",
        prompt=prompt,
        entry_point="f",
        canonical_solution="    return 1\n",
        checker=TestChecker(test="def check(c):\n    pass\n"),
    )


TASKS = [_task(i, p) for i, p in enumerate(PROMPTS)]


def _generate(
    backend: HFBackend, tasks: Sequence[Task], params: GenerationParams, index: int = 0
) -> list[Completion]:
    resolved = backend.resolve(params)
    batch = [(backend.build_request(t, index, resolved), t) for t in tasks]
    return asyncio.run(backend.generate_batch(batch))


@pytest.fixture(scope="module")
def llama(hf_llama: Path) -> HFBackend:
    backend = create_backend(f"hf/{hf_llama}", CPU)
    assert isinstance(backend, HFBackend)
    return backend


@pytest.fixture(scope="module")
def gpt2(hf_gpt2: Path) -> HFBackend:
    backend = create_backend(f"hf/{hf_gpt2}", CPU)
    assert isinstance(backend, HFBackend)
    return backend


GREEDY = GenerationParams(temperature=0.0, max_tokens=24, mode="completion", stop=())


@pytest.mark.parametrize("arch", ["llama", "gpt2"])
def test_batched_greedy_decoding_equals_one_by_one(
    arch: str, request: pytest.FixtureRequest
) -> None:
    backend: HFBackend = request.getfixturevalue(arch)
    lengths = {
        len(prompt_ids(backend.tokenizer(), backend.build_request(t, 0, GREEDY))) for t in TASKS
    }
    assert len(lengths) == len(TASKS)  # every prompt its own length: the batch is padded
    together = _generate(backend, TASKS, GREEDY)
    alone = [_generate(backend, [t], GREEDY)[0] for t in TASKS]
    backwards = _generate(backend, TASKS[::-1], GREEDY)[::-1]
    assert [c.text for c in together] == [c.text for c in alone] == [c.text for c in backwards]
    assert len({c.text for c in together}) == len(TASKS)  # the model is not degenerate
    assert all(c.finish_reason == "length" and c.completion_tokens == 24 for c in together)
    assert [c.prompt_tokens for c in together] == [c.prompt_tokens for c in alone]


def _stop_in(text: str) -> str:
    """A two-character piece from the middle of ``text`` (no replacement character)."""
    for at in range(len(text) // 3, len(text) - 2):
        piece = text[at : at + 2]
        if "\ufffd" not in piece and piece.strip():
            return piece
    pytest.fail(f"no stop sequence to pick in {text!r}")


def test_stop_sequences_end_the_reply_before_them(llama: HFBackend) -> None:
    free = _generate(llama, TASKS, GREEDY)
    stops = [_stop_in(c.text) for c in free]
    for task, completion, stop in zip(TASKS, free, stops, strict=True):
        params = GREEDY.model_copy(update={"stop": ("\x00never", stop)})
        cut = _generate(llama, [task], params)[0]
        assert cut.text == completion.text[: completion.text.find(stop)]
        assert stop not in cut.text and cut.finish_reason == "stop"
        assert 0 < cut.completion_tokens < completion.completion_tokens  # decoding ended there
    # in one batch, each row stops at its own sequences
    batch = [
        (llama.build_request(t, 0, llama.resolve(GREEDY.model_copy(update={"stop": (s,)}))), t)
        for t, s in zip(TASKS, stops, strict=True)
    ]
    together = asyncio.run(llama.generate_batch(batch))
    expected = [c.text[: c.text.find(s)] for c, s in zip(free, stops, strict=True)]
    assert [c.text for c in together] == expected


def test_a_stop_sequence_never_met_changes_nothing(llama: HFBackend) -> None:
    free = _generate(llama, TASKS[:2], GREEDY)
    never = _generate(llama, TASKS[:2], GREEDY.model_copy(update={"stop": ("\x00\x01",)}))
    assert [c.text for c in never] == [c.text for c in free]
    assert all(c.finish_reason == "length" for c in never)


SAMPLED = GenerationParams(temperature=2.0, top_p=0.95, max_tokens=16, mode="completion", seed=7)


def test_a_seed_fixes_the_draws_whatever_the_batch(llama: HFBackend) -> None:
    first = _generate(llama, TASKS, SAMPLED)
    assert [c.text for c in _generate(llama, TASKS, SAMPLED)] == [c.text for c in first]
    alone = [_generate(llama, [t], SAMPLED)[0] for t in TASKS[:2]]
    assert [c.text for c in alone] == [c.text for c in first[:2]]
    other = _generate(llama, TASKS, SAMPLED.model_copy(update={"seed": 8}))
    assert [c.text for c in other] != [c.text for c in first]
    # the n samples of a task differ (seed + index), and sampling differs from greedy
    second = _generate(llama, TASKS, SAMPLED, index=1)
    assert [c.text for c in second] != [c.text for c in first]
    greedy = _generate(llama, TASKS, GREEDY.model_copy(update={"max_tokens": 16}))
    assert [c.text for c in greedy] != [c.text for c in first]


def test_an_unseeded_request_is_still_reproducible(llama: HFBackend) -> None:
    params = SAMPLED.model_copy(update={"seed": None})
    assert [c.text for c in _generate(llama, TASKS[:2], params)] == [
        c.text for c in _generate(llama, TASKS[:2], params)
    ]


def test_chat_prompts_come_from_the_tokenizers_template(llama: HFBackend) -> None:
    assert llama.resolve(GenerationParams()).mode == "chat"  # it has a template
    params = llama.resolve(
        GenerationParams(temperature=0.0, max_tokens=8, system_prompt="Be brief.")
    )
    request = llama.build_request(TASKS[0], 0, params)
    tokenizer = llama.tokenizer()
    ids = prompt_ids(tokenizer, request)
    text = tokenizer.decode(ids)
    assert text.startswith("<s><|system|>\nBe brief.\n<|user|>\nComplete the following")
    assert text.endswith("<|assistant|>\n") and text.count("<s>") == 1  # one BOS, the template's
    reply = _generate(llama, [TASKS[0]], params)[0]
    assert reply.prompt_tokens == len(ids) and reply.completion_tokens == 8


def test_completion_prompts_are_the_prompt_with_the_tokenizers_bos(llama: HFBackend) -> None:
    request = llama.build_request(TASKS[1], 0, llama.resolve(GREEDY))
    ids = prompt_ids(llama.tokenizer(), request)
    assert llama.tokenizer().decode(ids) == "<s>" + PROMPTS[1]


def test_a_tokenizer_without_a_template_defaults_to_completion_and_refuses_chat(
    gpt2: HFBackend,
) -> None:
    resolved = gpt2.resolve(GenerationParams())
    assert resolved.mode == "completion" and resolved.stop == (
        "\nclass",
        "\ndef",
        "\n#",
        "\nif",
        "\nprint",
    )
    with pytest.raises(InputError, match=r"no chat template.*`mode=completion`"):
        gpt2.resolve(GenerationParams(mode="chat"))


def test_a_template_that_refuses_the_system_prompt_stops_the_run_first(tmp_path: Path) -> None:
    from hf_models import NO_SYSTEM_TEMPLATE, build_model

    backend = create_backend(
        f"hf/{build_model(tmp_path / 'm', chat_template=NO_SYSTEM_TEMPLATE)}", CPU
    )
    assert backend.resolve(GenerationParams()).mode == "chat"
    with pytest.raises(
        InputError, match=r"refused the run's messages.*no system role.*`system_prompt`"
    ):
        backend.resolve(GenerationParams(system_prompt="Be brief."))


def test_a_prompt_past_the_context_gets_no_output_and_one_near_it_ends_there(
    gpt2: HFBackend,
) -> None:
    tokenizer = gpt2.tokenizer()
    long = _task(10, "def f(s):\n" + "    s = s.lower()\n" * 40)
    near = _task(11, "def f(s):\n" + "    s = s.lower()\n" * 6)
    near_tokens = len(tokenizer(near.prompt)["input_ids"])
    assert len(tokenizer(long.prompt)["input_ids"]) > 64 and near_tokens < 64 < near_tokens + 24
    out = _generate(gpt2, [TASKS[0], long, near], GREEDY)
    assert out[1].finish_reason == "context_length" and out[1].text == ""
    assert "64" in out[1].detail
    assert out[2].finish_reason == "length" and out[2].completion_tokens == 64 - near_tokens
    assert out[0].text == _generate(gpt2, [TASKS[0]], GREEDY)[0].text  # its batch did not matter


def test_the_models_own_sampling_defaults_are_not_applied(hf_llama: Path, tmp_path: Path) -> None:
    """A generation_config.json asking for sampling and a huge repetition penalty changes no
    greedy reply: the run's parameters are the only ones."""
    import json
    import shutil

    shipped = tmp_path / "shipped"
    shutil.copytree(hf_llama, shipped)
    config = json.loads((shipped / "generation_config.json").read_text())
    config.update(do_sample=True, temperature=5.0, top_k=3, repetition_penalty=50.0)
    (shipped / "generation_config.json").write_text(json.dumps(config))
    plain = create_backend(f"hf/{hf_llama}", CPU)
    odd = create_backend(f"hf/{shipped}", CPU)
    assert odd.model != plain.model  # another directory's contents: another fingerprint
    expected = [c.text for c in _generate(plain, TASKS, GREEDY)]  # type: ignore[arg-type]
    assert [c.text for c in _generate(odd, TASKS, GREEDY)] == expected  # type: ignore[arg-type]
