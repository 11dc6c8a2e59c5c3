"""The exact prompt sent for each task form (docs/generation.md quotes these)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from codehazard.errors import InputError
from codehazard.models import (
    CODEX_STOP,
    COMPLETION_WRAPPER,
    GenerationParams,
    build_messages,
    create_backend,
)
from codehazard.tasks import Task, TestChecker

PROMPT = 'import math\n\n\ndef f(x: int) -> int:\n    """Return x."""\n'
CHECK = TestChecker(test="def check(c):\n    assert c(1) == 1\n")
WITH_INSTRUCTION = Task(
    task_id="a", prompt=PROMPT, entry_point="f", checker=CHECK, instruction="Write f."
)
WITHOUT = Task(task_id="b", prompt=PROMPT, entry_point="f", checker=CHECK)


def test_instruction_form_is_sent_as_is() -> None:
    messages = build_messages(WITH_INSTRUCTION, GenerationParams())
    assert messages == [{"role": "user", "content": "Write f."}]


def test_completion_form_is_wrapped_word_for_word() -> None:
    messages = build_messages(WITHOUT, GenerationParams(system_prompt="You write Python."))
    assert messages[0] == {"role": "system", "content": "You write Python."}
    assert messages[1]["content"] == COMPLETION_WRAPPER.format(prompt=PROMPT)
    assert messages[1]["content"].endswith(f"```python\n{PROMPT}```")


def test_prompt_form_completion_wraps_even_with_an_instruction() -> None:
    messages = build_messages(WITH_INSTRUCTION, GenerationParams(prompt_form="completion"))
    assert messages[-1]["content"] == COMPLETION_WRAPPER.format(prompt=PROMPT)


def test_prompt_form_instruction_needs_an_instruction() -> None:
    with pytest.raises(InputError, match="no instruction form"):
        build_messages(WITHOUT, GenerationParams(prompt_form="instruction"))


def test_completion_mode_request() -> None:
    backend = create_backend("simulated")
    params = backend.resolve(GenerationParams(mode="completion", seed=3))
    request = backend.build_request(WITHOUT, 4, params)
    assert request.prompt == PROMPT and request.messages is None
    assert request.stop == CODEX_STOP and request.seed == 7


def test_chat_mode_has_no_default_stop() -> None:
    backend = create_backend("simulated")
    assert backend.resolve(GenerationParams()).stop == ()
    assert backend.resolve(GenerationParams(stop=("\n\n",))).stop == ("\n\n",)


def test_completion_mode_rejects_chat_only_options() -> None:
    backend = create_backend("simulated")
    with pytest.raises(InputError, match="`system_prompt` needs `mode=chat`"):
        backend.resolve(GenerationParams(mode="completion", system_prompt="x"))
    with pytest.raises(ValidationError, match="needs chat mode"):
        GenerationParams(mode="completion", prompt_form="instruction")


def test_cache_key_covers_everything_sent() -> None:
    backend = create_backend("simulated")
    params = backend.resolve(GenerationParams())
    base = backend.build_request(WITHOUT, 0, params)
    assert base.cache_key() == backend.build_request(WITHOUT, 0, params).cache_key()
    assert base.cache_key() != backend.build_request(WITHOUT, 1, params).cache_key()
    hotter = backend.resolve(GenerationParams(temperature=0.9))
    assert base.cache_key() != backend.build_request(WITHOUT, 0, hotter).cache_key()
    other = backend.build_request(WITH_INSTRUCTION, 0, params)
    assert base.cache_key() != other.cache_key()


@pytest.mark.parametrize(
    "bad", [{"n": 0}, {"temperature": -1}, {"top_p": 0}, {"max_tokens": 0}, {"stop": ("",)}]
)
def test_generation_params_validation(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GenerationParams(**bad)  # type: ignore[arg-type]
