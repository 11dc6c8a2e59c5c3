"""codehazard's suites and probes as Inspect tasks: one factory, registered once per suite.

``codehazard_task("building-blocks", lengths="1-3")`` is an Inspect ``Task``: its dataset is
the suite's seeded tasks (byte-identical for the same parameters), one Inspect sample each
(id = task id, input = the exact messages a codehazard chat run sends, built by
``models.build_messages``), its solver Inspect's ``generate()``, its scorer
``sandbox_scorer``. The resolved suite parameters and the prompt settings are the Task's
metadata (``TASK_METADATA_KEY``), which Inspect writes into the log, so that
``codehazard import inspect`` rebuilds the same tasks.

``register_inspect_tasks`` registers every suite of the suite registry (plug-ins included)
and every probe whose name is not a suite's as ``codehazard/<name>`` (``-`` written ``_``)
with Inspect's ``@task``; each registered function declares the suite's parameters, so
``-T lengths=1-3`` reaches the suite's own validation. The entry point of group ``inspect_ai``
(``codehazard.integrations.inspect_tasks``) calls it when Inspect looks a name up.
"""

from __future__ import annotations

import inspect as pyinspect
from collections.abc import Callable
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset
from inspect_ai.dataset import Sample as InspectSample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import generate

from codehazard.errors import InputError
from codehazard.integrations._inspect_score import (
    flagged_rate,
    pass_at_1,
    pass_at_1_by_level,
    sandbox_scorer,
)
from codehazard.models import GenerationParams, PromptForm, build_messages
from codehazard.runs import SuiteSource, suite_source
from codehazard.sandbox import Limits
from codehazard.tasks import Task as CodehazardTask

TASK_METADATA_KEY = "codehazard"
"""The Inspect Task metadata key holding the suite, its resolved parameters and the prompt."""
_OPTIONS = ("prompt_form", "system_prompt", "workers", "isolation", "timeout")


def inspect_name(suite: str) -> str:
    """The Inspect task name of a suite or probe (``building-blocks`` -> ``building_blocks``)."""
    return suite.replace("-", "_")


def _messages(task: CodehazardTask, params: GenerationParams) -> list[ChatMessage]:
    built: list[ChatMessage] = []
    for message in build_messages(task, params):
        if message["role"] == "system":
            built.append(ChatMessageSystem(content=message["content"]))
        else:
            built.append(ChatMessageUser(content=message["content"]))
    return built


def _sample_metadata(task: CodehazardTask) -> dict[str, Any]:
    """The task's scalar metadata (suite, level, dimension, probe, cwe...), which the viewer
    shows and the metrics group by; long lists (test inputs) stay in the task."""
    plain = (str, int, float, bool)
    kept = {k: v for k, v in task.metadata.items() if isinstance(v, plain)}
    return {"task_id": task.task_id, "entry_point": task.entry_point, **kept}


def codehazard_task(
    suite: str,
    *,
    prompt_form: PromptForm = "auto",
    system_prompt: str | None = None,
    workers: int = 2,
    isolation: str = "auto",
    timeout: float | None = None,
    **params: Any,
) -> Task:
    """An Inspect task over the registered suite ``suite`` built with ``params``.

    ``prompt_form`` picks the instruction or the completion form as a codehazard run does;
    ``workers`` and ``isolation`` configure the sandbox pool of the scorer; ``timeout`` is
    the sandbox's seconds per sample, as ``--timeout`` (a task with its own limit keeps it).

    Raises:
        InputError: an unknown suite, a parameter it does not have or a bad value (the message
            names it), or a ``prompt_form`` that a task cannot honour.
    """
    source = suite_source(suite, params)
    if not isinstance(source, SuiteSource):  # one name gives one source
        raise InputError(f"`suite={suite}`: name one suite per Inspect task")
    tasks = source.load()
    gen = GenerationParams(prompt_form=prompt_form, system_prompt=system_prompt or None)
    samples = [
        InspectSample(
            id=t.task_id,
            input=_messages(t, gen),
            target=t.canonical_solution or "",
            metadata=_sample_metadata(t),
        )
        for t in tasks
    ]
    limits = Limits(timeout=timeout) if timeout is not None else None
    metrics = [pass_at_1(), pass_at_1_by_level()]
    if any(t.metadata.get("probe") for t in tasks):  # a probe's prompts: its rate too
        metrics.append(flagged_rate())
    return Task(
        dataset=MemoryDataset(samples, name=source.name),
        name=f"codehazard/{inspect_name(source.name)}",
        solver=[generate()],
        scorer=sandbox_scorer(tasks, workers=workers, isolation=isolation, limits=limits),
        metrics=metrics,
        metadata={
            TASK_METADATA_KEY: {
                "suite": source.name,
                "params": dict(source.params),
                "prompt_form": prompt_form,
                "system_prompt": system_prompt or None,
            }
        },
    )


def _factory(suite: str, name: str, declared: list[str], doc: str) -> Callable[..., Task]:
    """A function that Inspect can register for ``suite``: keyword parameters for each suite
    parameter (``None``: the suite's default) and for the prompt and sandbox options."""
    keyword = pyinspect.Parameter.KEYWORD_ONLY
    options: dict[str, Any] = {
        "prompt_form": "auto",
        "system_prompt": None,
        "workers": 2,
        "isolation": "auto",
        "timeout": None,
    }
    parameters = [pyinspect.Parameter(p, keyword, default=None) for p in declared]
    parameters += [pyinspect.Parameter(k, keyword, default=v) for k, v in options.items()]

    def build(**kwargs: Any) -> Task:
        given = {k: v for k, v in kwargs.items() if k in declared and v is not None}
        chosen = {k: kwargs.get(k, options[k]) for k in _OPTIONS}
        return codehazard_task(suite, **chosen, **given)

    build.__signature__ = pyinspect.Signature(parameters, return_annotation=Task)  # type: ignore[attr-defined]
    build.__name__ = build.__qualname__ = name
    build.__doc__ = doc
    build.__annotations__ = {"return": Task}
    return build


_REGISTERED: dict[str, Callable[..., Task]] = {}


def register_inspect_tasks() -> dict[str, Callable[..., Task]]:
    """Register every suite and probe with Inspect (once; later calls add plug-ins that
    appeared since); returns the registered task functions by Inspect name.

    Raises:
        InputError: a suite or probe plug-in failed to load.
    """
    from codehazard.probes import get_probe, probe_registry
    from codehazard.tasks.suites import get_suite, suite_registry

    suites = suite_registry()
    wanted = {name: name for name in suites.names()}
    for probe in probe_registry.names():
        wanted.setdefault(probe, get_probe(probe).suite)
    for name, suite_name in wanted.items():
        short = inspect_name(name)
        if short in _REGISTERED:
            continue
        suite = get_suite(suite_name)
        declared = [p.name for p in suite.params]
        shown = ", ".join(f"{p.name} ({p.help})" for p in suite.params)
        doc = f"codehazard suite {suite_name!r} as an Inspect task; -T parameters: {shown}"
        _REGISTERED[short] = task(name=short)(_factory(suite_name, short, declared, doc))
    return dict(_REGISTERED)
