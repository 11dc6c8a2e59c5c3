"""``vllm/<path>``: what maps our parameters onto vLLM's (pure functions, no vLLM needed), the
missing-extra error, imports that stay light, and, on a machine with vLLM and a GPU, the real
engine against transformers' greedy output on the same tiny model."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from codehazard.errors import InputError, MissingBackendExtraError
from codehazard.models import BackendOptions, GenerationParams, Request, create_backend
from codehazard.models._local import parse_options, request_seed
from codehazard.models._vllm import (
    OPTIONS,
    completion_of,
    engine_arguments,
    overflow,
    sampling_arguments,
)


def _request(**fields: object) -> Request:
    base: dict[str, object] = {
        "backend": "vllm",
        "model": "m@abc:auto",
        "mode": "completion",
        "prompt": "def f():\n",
        "temperature": 0.0,
        "top_p": None,
        "max_tokens": 64,
        "stop": ("\ndef",),
        "seed": 3,
    }
    return Request(**{**base, **fields})  # type: ignore[arg-type]


def test_sampling_arguments_keep_the_api_backends_meaning() -> None:
    args = sampling_arguments(_request(), prompt_tokens=10, context=4096)
    assert args == {
        "n": 1,  # one request per sample, as everywhere
        "temperature": 0.0,  # greedy
        "top_p": 1.0,  # not given: no nucleus cut
        "max_tokens": 64,
        "stop": ["\ndef"],
        "seed": 3,
        "include_stop_str_in_output": False,  # cut before the stop sequence
        "skip_special_tokens": True,
    }
    sampled = sampling_arguments(_request(temperature=0.8, top_p=0.95), 10, 4096)
    assert sampled["temperature"] == 0.8 and sampled["top_p"] == 0.95


def test_the_budget_is_cut_to_what_the_context_leaves() -> None:
    assert sampling_arguments(_request(max_tokens=64), 4000, 4096)["max_tokens"] == 64
    assert sampling_arguments(_request(max_tokens=200), 4000, 4096)["max_tokens"] == 96


def test_an_unseeded_request_gets_a_seed_of_its_own() -> None:
    unseeded = _request(seed=None)
    seed = sampling_arguments(unseeded, 1, 100)["seed"]
    assert seed == request_seed(unseeded) == sampling_arguments(unseeded, 1, 100)["seed"]
    assert seed != sampling_arguments(_request(seed=None, index=1), 1, 100)["seed"]


def test_engine_arguments_from_the_options() -> None:
    given = BackendOptions(model_options={"tensor_parallel_size": "2", "max_model_len": 2048})
    args = engine_arguments(Path("/models/m"), parse_options(given, "vllm", OPTIONS))
    assert args == {
        "model": "/models/m",
        "tokenizer": "/models/m",
        "tensor_parallel_size": 2,
        "dtype": "auto",
        "gpu_memory_utilization": 0.9,
        "trust_remote_code": False,
        "seed": 0,
        "max_model_len": 2048,
    }
    defaults = engine_arguments(Path("/m"), parse_options(BackendOptions(), "vllm", OPTIONS))
    assert "max_model_len" not in defaults and defaults["tensor_parallel_size"] == 1
    assert "generation_config" not in defaults  # an old vLLM without the field
    newer = engine_arguments(
        Path("/m"), parse_options(BackendOptions(), "vllm", OPTIONS), ["generation_config"]
    )
    assert newer["generation_config"] == "vllm"  # vLLM's defaults, never the model's file


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("tensor_parallel_size", "0", "less than 1"),
        ("gpu_memory_utilization", "1.5", r"not in \(0, 1\]"),
        ("dtype", "int4", "not one of"),
    ],
)
def test_bad_engine_options_are_named(name: str, value: str, says: str) -> None:
    with pytest.raises(InputError, match=rf"`model_options={name}={value}`: .*{says}"):
        parse_options(BackendOptions(model_options={name: value}), "vllm", OPTIONS)


def test_vllm_outputs_become_completions() -> None:
    done = completion_of("    return 1\n", "stop", 10, 5, model="m", latency=0.5)
    assert (done.text, done.finish_reason, done.prompt_tokens, done.completion_tokens) == (
        "    return 1\n",
        "stop",
        10,
        5,
    )
    assert completion_of("x", "length", 1, 1, model="m", latency=0).finish_reason == "length"
    assert completion_of("", "abort", 1, 0, model="m", latency=0).finish_reason == "other"
    full = overflow(5000, 4096, "m")
    assert full.finish_reason == "context_length" and full.text == "" and "4096" in full.detail


def test_without_vllm_the_error_names_the_install_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)  # as if not installed (it is not, mostly)
    with pytest.raises(MissingBackendExtraError, match=r"pip install 'codehazard\[vllm\]'"):
        create_backend(f"vllm/{tmp_path}")


def test_importing_codehazard_and_listing_backends_imports_no_engine() -> None:
    code = (
        "import sys\nimport codehazard, codehazard.models\n"
        "from codehazard.models import default_registry\n"
        "forms = default_registry().forms()\n"
        "assert 'hf/<path-or-name>' in forms and 'vllm/<path-or-name>' in forms, forms\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'vllm')"
        " or m.startswith(('codehazard.models._hf', 'codehazard.models._vllm'))]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _gpu() -> bool:
    if importlib.util.find_spec("vllm") is None or importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


@pytest.mark.slow
@pytest.mark.skipif(not _gpu(), reason="needs vllm and a CUDA GPU")
def test_vllm_greedy_equals_transformers_greedy_on_a_gpu(tmp_path: Path) -> None:
    from hf_models import build_model

    from codehazard.tasks import Task, TestChecker

    model = build_model(tmp_path / "m", width=256, heads=4)  # a head width vLLM's kernels take
    tasks = [
        Task(
            task_id=f"t/{i}",
            prompt="def f(s):\n" + "    s = s.lower()\n" * i,
            entry_point="f",
            canonical_solution="    return s\n",
            checker=TestChecker(test="def check(c):\n    pass\n"),
        )
        for i in range(4)
    ]
    params = GenerationParams(temperature=0.0, max_tokens=16, mode="completion", stop=())
    texts = []
    for spec, options in (
        (f"vllm/{model}", {"dtype": "float32", "gpu_memory_utilization": 0.3}),
        (f"hf/{model}", {"dtype": "float32", "device": "cuda"}),
    ):
        backend = create_backend(spec, BackendOptions(model_options=options))
        resolved = backend.resolve(params)
        batch = [(backend.build_request(t, 0, resolved), t) for t in tasks]
        texts.append([c.text for c in asyncio.run(backend.generate_batch(batch))])
    assert texts[0] == texts[1]
